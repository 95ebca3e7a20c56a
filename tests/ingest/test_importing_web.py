"""import_articles with web pages and zip archives, and the suggestions stored at import."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from labels.ingest import archives, importing
from labels.models import Article, Paragraph, Project
from labels.suggestions import suggest
from tests.background import run_queued_jobs
from tests.ingest.test_importing import run_import

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "html"
VERGE = CORPUS / "785affa2c34e6e4844ef080e98e1a1e532eeeb671bdacebfb9e98ad7320ff382.html"
ENTERMEDIA = CORPUS / "0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2.html"

PAGE = b"""<html><head><title>Harbour reopens</title>
<link rel="canonical" href="https://news.example.org/harbour"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Harbour reopens</h1>
<p>The harbour reopened on Monday after a week of repairs to the northern pier.</p>
<figure><img src="p.jpg"><figcaption>The northern pier at dawn. (Photo: Jane Roe)</figcaption></figure>
<p>Sign up for our newsletter</p></article></body></html>"""


def zip_of(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_html_page_imports_with_its_metadata_and_a_suggestion_per_paragraph(tmp_path):
    (tmp_path / "harbour.html").write_bytes(PAGE)

    code, out, err = run_import(str(tmp_path / "harbour.html"), "--project", "web")
    run_queued_jobs()  # suggestions follow the import as a background job

    assert (code, err) == (0, "")
    assert "1 article(s) imported" in out
    article = Article.objects.get()
    assert (article.external_id, article.title, article.source) == (
        "harbour",
        "Harbour reopens",
        "news.example.org",
    )
    assert article.meta["format"] == "html"
    assert article.meta["extractor"].startswith("trafilatura ")
    rows = list(article.paragraphs.order_by("index"))
    assert [p.text for p in rows] == [
        "Home",
        "World",
        "Harbour reopens",
        "The harbour reopened on Monday after a week of repairs to the northern pier.",
        "The northern pier at dawn. (Photo: Jane Roe)",
        "Sign up for our newsletter",
    ]
    assert [p.suggested_label for p in rows] == [
        "boilerplate",
        "boilerplate",
        "body",
        "body",
        "caption",
        "boilerplate",
    ]
    assert rows[0].meta["in"] == ["nav"]
    assert rows[3].meta["extracted"] is True
    assert rows[3].suggestion_source == "rules:extractor-body"
    assert rows[4].suggestion_source == "rules:photo-credit"
    assert {p.suggestion_version for p in rows} == {suggest.VERSION}
    assert all(0 < p.suggestion_confidence <= 1 for p in rows)


def test_htm_and_format_html_import_as_web_pages(tmp_path):
    (tmp_path / "a.htm").write_bytes(PAGE)
    (tmp_path / "b.page").write_bytes(PAGE.replace(b"Monday", b"Tuesday"))

    assert run_import(str(tmp_path / "a.htm"), "--project", "web")[0] == 0
    code, out, _ = run_import(str(tmp_path / "b.page"), "--project", "web", "--format", "html")

    assert code == 0
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["a", "b"]


def test_a_corpus_page_imports_and_reimporting_it_is_a_duplicate():
    first = run_import(str(VERGE), "--project", "web")
    second = run_import(str(VERGE), "--project", "web")
    run_queued_jobs()

    assert first[0] == second[0] == 0
    assert "1 article(s) imported" in first[1]
    assert "0 article(s) imported, 1 duplicate(s) skipped" in second[1]
    article = Article.objects.get()
    assert article.source == "www.theverge.com"
    assert article.paragraphs.exclude(suggested_label="").count() == article.paragraphs.count()


def test_no_suggestions_leaves_paragraphs_unsuggested_until_the_suggest_command(tmp_path):
    from django.core.management import call_command

    (tmp_path / "harbour.html").write_bytes(PAGE)
    run_import(str(tmp_path / "harbour.html"), "--project", "web", "--no-suggestions")
    assert set(Paragraph.objects.values_list("suggested_label", flat=True)) == {""}

    out = io.StringIO()
    call_command("suggest", "--project", "web", stdout=out)

    assert "6 paragraph(s) of 'web' suggested" in out.getvalue()
    assert not Paragraph.objects.filter(suggested_label="").exists()
    assert set(Paragraph.objects.values_list("suggestion_version", flat=True)) == {suggest.VERSION}


def test_suggest_command_for_an_unknown_project_fails():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("suggest", "--project", "nope")


def test_a_zip_imports_each_member_on_its_own_with_nested_folders_and_named_outcomes(tmp_path):
    archive = tmp_path / "pages.zip"
    archive.write_bytes(
        zip_of(
            ("site/2019/harbour.html", PAGE),
            ("site/notes/readme.txt", b"Title\n\nA paragraph."),
            ("site/img/logo.png", b"\x89PNG\r\n"),
            ("site/broken.html", b"<p>caf\xe9</p>"),
            ("feed.jsonl", b'{"id": "j1", "paragraphs": ["One", "Two"]}\n'),
        )
    )

    code, out, err = run_import(str(archive), "--project", "web")

    assert code == 1  # one member failed
    assert f"{archive}:site/2019/harbour.html: 1 imported, 0 duplicate(s), 6 paragraph(s)" in out
    assert f"{archive}:site/notes/readme.txt: 1 imported" in out
    assert f"{archive}:feed.jsonl: 1 imported" in out
    assert f"{archive}:site/img/logo.png: skipped: unsupported file type '.png'" in err
    assert f"{archive}:site/broken.html:1: not valid UTF-8" in err
    assert "5 file(s), 3 article(s) imported" in out
    assert "1 file(s) with errors, 1 unsupported archive member(s) skipped" in out
    assert sorted(Article.objects.values_list("external_id", flat=True)) == [
        "harbour",
        "j1",
        "readme",
    ]


def test_a_top_level_member_gets_its_own_name_as_external_id():
    project = Project.objects.create(slug="web", name="Web")

    [outcome] = importing.import_source(
        project=project, data=zip_of(("harbour.html", PAGE)), name="upload.zip"
    )

    assert outcome.path == "upload.zip:harbour.html"
    assert outcome.error is None
    assert Article.objects.get().external_id == "harbour"


def test_a_failing_member_writes_nothing_of_itself_but_the_others_land(tmp_path):
    archive = tmp_path / "mixed.zip"
    archive.write_bytes(
        zip_of(
            ("good.jsonl", b'{"id": "g", "paragraphs": ["Good"]}\n'),
            ("bad.jsonl", b'{"id": "b1", "paragraphs": ["ok"]}\n{"id": "b2", "text": 5}\n'),
        )
    )

    code, _, err = run_import(str(archive), "--project", "web")

    assert code == 1
    assert f"{archive}:bad.jsonl:2: text: must be a string" in err
    assert list(Article.objects.values_list("external_id", flat=True)) == ["g"]


def test_unsafe_member_names_are_reported_and_nothing_of_them_imported(tmp_path):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(
        zip_of(("../../etc/evil.html", PAGE), ("/abs/evil.txt", b"Evil"), ("ok.txt", b"Fine"))
    )

    code, _, err = run_import(str(archive), "--project", "web")

    assert code == 1
    assert f"{archive}:../../etc/evil.html: unsafe member name (path traversal)" in err
    assert f"{archive}:/abs/evil.txt: unsafe member name (absolute path)" in err
    assert list(Article.objects.values_list("external_id", flat=True)) == ["ok"]


def test_a_zip_bomb_is_refused_whole_and_imports_nothing(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_of(("bomb.txt", b"A" * (16 * 1024 * 1024)), ("ok.txt", b"Fine")))

    code, out, err = run_import(str(archive), "--project", "web")

    assert code == 1
    assert f"{archive}: zip archive decompresses" in err
    assert "refused as a likely zip bomb" in err
    assert "1 file(s), 0 article(s) imported" in out
    assert not Article.objects.exists()


def test_the_member_count_limit_refuses_the_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 2)
    archive = tmp_path / "many.zip"
    archive.write_bytes(zip_of(("a.txt", b"A"), ("b.txt", b"B"), ("c.txt", b"C")))

    code, _, err = run_import(str(archive), "--project", "web")

    assert code == 1
    assert "zip archive has 3 entries; at most 2 are allowed" in err
    assert not Article.objects.exists()


def test_an_empty_or_corrupt_zip_is_an_error(tmp_path):
    (tmp_path / "empty.zip").write_bytes(zip_of())
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04 not really")

    code, _, err = run_import(
        str(tmp_path / "empty.zip"), str(tmp_path / "corrupt.zip"), "--project", "web"
    )

    assert code == 1
    assert f"{tmp_path / 'empty.zip'}: the archive holds no files" in err
    assert f"{tmp_path / 'corrupt.zip'}: not a valid zip archive" in err


def test_a_folder_scan_picks_up_html_and_zip_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_bytes(PAGE)
    (tmp_path / "bundle.zip").write_bytes(zip_of(("inner.txt", b"Inner\n\nText")))
    (tmp_path / "style.css").write_bytes(b"p { color: red }")

    code, out, _ = run_import(str(tmp_path), "--project", "web")

    assert code == 0
    assert "2 file(s), 2 article(s) imported" in out
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["inner", "page"]


def test_undecodable_html_is_an_error_naming_file_and_line(tmp_path):
    (tmp_path / "latin.html").write_bytes(b"<p>fine</p>\n<p>caf\xe9</p>")

    code, _, err = run_import(str(tmp_path / "latin.html"), "--project", "web")

    assert code == 1
    assert f"{tmp_path / 'latin.html'}:2: not valid UTF-8" in err
    assert not Article.objects.exists()


def test_a_korean_page_without_p_elements_imports_paragraphs_from_bare_text():
    code, out, _ = run_import(str(ENTERMEDIA), "--project", "web")

    assert code == 0
    article = Article.objects.get()
    assert article.meta["format"] == "html"
    assert article.paragraphs.count() > 14
