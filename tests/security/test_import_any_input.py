"""Hostile values in every field of every import format, on the command line and the upload
page: ``FILE:LINE: field: reason``, nothing from that file, the other files as if alone.

The text rule (labels.ingest.parsing): NUL, lone surrogates, non-characters and bytes that
are not UTF-8 are refused everywhere, never altered; NaN and Infinity likewise.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from labels.models import Annotation, Article, Paragraph
from tests.factories import ArticleFactory, ParagraphFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NUL = "contains NUL (U+0000), which is not allowed"
SURROGATE = "contains a lone surrogate (U+{}), which is not valid Unicode text"
NONCHARACTER = "contains the Unicode non-character U+{}, which is not allowed"
NAN = "NaN and Infinity are not allowed (not standard JSON)"

# (JSON text of a value, the reason it is refused with)
BAD_TEXT = [
    ('"a\\u0000b"', NUL),
    ('"a\\ud800b"', SURROGATE.format("D800")),
    ('"\\udfff"', SURROGATE.format("DFFF")),
    ('"x\\ud83d"', SURROGATE.format("D83D")),
    ('"a\\uffff"', NONCHARACTER.format("FFFF")),
    ('"a\\ufdd0"', NONCHARACTER.format("FDD0")),
    ('"a\\udbff\\udfff"', NONCHARACTER.format("10FFFF")),  # a valid pair: U+10FFFF
]
# (line template with {} for the value, the field the error names)
TEXT_FIELDS = [
    ('{{"id": {}, "text": "ok"}}', "id"),
    ('{{"id": "x", "title": {}, "text": "ok"}}', "title"),
    ('{{"id": "x", "url": {}, "text": "ok"}}', "url"),
    ('{{"id": "x", "source": {}, "text": "ok"}}', "source"),
    ('{{"id": "x", "text": {}}}', "text"),
    ('{{"id": "x", "paragraphs": ["ok", {}]}}', "paragraphs[1]"),
    ('{{"id": "x", "text": "ok", "meta": {{"k": {}}}}}', "meta.k"),
    ('{{"id": "x", "text": "ok", "meta": {{"k": [1, {{"deep": {}}}]}}}}', "meta.k[1].deep"),
]


def run_import(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def three_files(tmp_path: Path, bad_line: bytes, suffix: str = ".jsonl") -> list[Path]:
    """A good file before and after the bad one, whose first line is good too."""
    first = tmp_path / "1-good.jsonl"
    first.write_text(json.dumps({"id": "before", "text": "Before"}) + "\n")
    bad = tmp_path / f"2-bad{suffix}"
    bad.write_bytes(json.dumps({"id": "bad-first", "text": "Fine"}).encode() + b"\n" + bad_line)
    last = tmp_path / "3-good.jsonl"
    last.write_text(json.dumps({"id": "after", "text": "After"}) + "\n")
    return [first, bad, last]


def assert_only_the_good_files_landed() -> None:
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["after", "before"]
    assert Paragraph.objects.count() == 2


@pytest.mark.parametrize(("template", "field"), TEXT_FIELDS)
@pytest.mark.parametrize(("value", "reason"), BAD_TEXT)
def test_bad_text_in_any_jsonl_field_is_named_and_the_other_files_land(
    tmp_path, template, field, value, reason
):
    files = three_files(tmp_path, template.format(value).encode())

    for order in (files, files[::-1]):
        code, _, err = run_import(*map(str, order), "--project", "p")

        assert code == 1
        assert f"{files[1]}:2: {field}: {reason}" in err.splitlines()
        assert "Traceback" not in err
    assert_only_the_good_files_landed()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"id": "x", "text": "ok", "meta": {"k": NaN}}', f"meta.k: {NAN}"),
        (b'{"id": "x", "text": "ok", "meta": {"k": -Infinity}}', f"meta.k: {NAN}"),
        (b'{"id": "x", "text": "ok", "meta": {"k": [1e999]}}', f"meta.k[0]: {NAN}"),
        (b'{"id": "x", "text": "ok", "meta": {"a\\u0000": 1}}', "meta key 'a\\x00': " + NUL),
        (b'{"id": "x", "title": "caf\xe9", "text": "ok"}', "title: not valid UTF-8 (byte 0xe9)"),
        (b'{"id": "x", "text": "ok \xed\xa0\x80"}', "text: not valid UTF-8 (byte 0xed)"),
        (b'{"id": "' + b"i" * 256 + b'", "text": "ok"}', "id: longer than 255 characters"),
        (b'{"id": "x", "source": "' + b"s" * 256 + b'", "text": "ok"}', "source: longer than 255"),
        (b'{"id": "x", "title": 5, "text": "ok"}', "title: must be a string, not a number"),
        (b'{"id": "x", "text": ["a"]}', "text: must be a string, not a list"),
        (b'{"id": true, "text": "ok"}', "id: missing or empty"),
        (b'{"id": "x", "text": "ok", "meta": "m"}', "meta: must be a JSON object, not a string"),
        (b'{"id": "x", "paragraphs": ["a", null]}', "paragraphs[1]: must be a string, not null"),
        (b'{"id": 1' + b"0" * 5000 + b', "text": "ok"}', "malformed JSON: Exceeds the limit"),
        (b"[" * 100_000, "malformed JSON: nested too deeply"),
    ],
)
def test_other_bad_values_are_named_and_the_other_files_land(tmp_path, line, message):
    files = three_files(tmp_path, line)

    code, _, err = run_import(*map(str, files), "--project", "p")

    assert code == 1
    assert f"{files[1]}:2: {message}" in err
    assert "Traceback" not in err
    assert_only_the_good_files_landed()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Title\n\nbody \x00 text\n", "3: text: " + NUL),
        (b"Title\n\nbody \xed\xa0\x80\n", "3: text: not valid UTF-8 (byte 0xed)"),
        ("Title\n\n\n\nbody \ufffe\n".encode(), "5: text: " + NONCHARACTER.format("FFFE")),
    ],
)
def test_bad_text_in_a_txt_file_is_named_with_its_line(tmp_path, data, message):
    path = tmp_path / "page.txt"
    path.write_bytes(data)

    code, _, err = run_import(str(path), "--project", "p")

    assert code == 1
    assert f"{path}:{message}" in err
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<title>T</title>\n<p>a\x00b</p>", "2: text: " + NUL),
        (b"<title>T</title><p>ok</p><p>a&#xFFFF;</p>", "1: paragraphs[1]: "),
        (b"<title>T&#xFDD0;</title><p>ok</p>", "1: title: " + NONCHARACTER.format("FDD0")),
    ],
)
def test_bad_text_in_an_html_page_is_refused_not_altered(tmp_path, data, message):
    path = tmp_path / "page.html"
    path.write_bytes(data)

    code, _, err = run_import(str(path), "--project", "p")

    assert code == 1
    assert f"{path}:{message}" in err
    assert not Article.objects.exists()


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes are a POSIX thing")
def test_a_file_name_that_is_not_utf8_is_an_error_not_a_crash(tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    path.write_bytes(b"Title\n\nBody")

    code, _, err = run_import(str(path), "--project", "p")

    assert code == 1
    assert "caf\\xe9.txt: id: the file name is not valid UTF-8" in err
    assert not Article.objects.exists()


def zip_with_names(*members: tuple[bytes, bytes]) -> bytes:
    """A zip whose member names are written byte for byte (zipfile itself refuses some)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number, (name, data) in enumerate(members):
            archive.writestr(chr(ord("A") + number) * len(name), data)
    raw = buffer.getvalue()
    for number, (name, _) in enumerate(members):
        raw = raw.replace(chr(ord("A") + number).encode() * len(name), name)
    return raw


NASTY_ZIP = zip_with_names(
    (b"\x00.txt", b"Nul\n\nName"),
    (b"a.txt\x00.jpg", b"Cut\n\nName"),
    (b"good.txt", b"Good\n\nMember"),
)


def test_zip_members_with_nul_in_the_name_are_refused_and_the_rest_lands(tmp_path):
    path = tmp_path / "nasty.zip"
    path.write_bytes(NASTY_ZIP)

    code, _, err = run_import(str(path), "--project", "p")

    assert code == 1
    assert "member has an empty name" in err
    assert "unsafe member name (control characters)" in err
    assert "Traceback" not in err
    assert list(Article.objects.values_list("external_id", flat=True)) == ["good"]


def test_the_upload_page_answers_every_hostile_file_with_its_error_never_500(
    reviewer_client, project
):
    files = [
        SimpleUploadedFile("before.jsonl", b'{"id": "before", "text": "Before"}\n'),
        SimpleUploadedFile("sur.jsonl", b'{"id": "s", "text": "ok"}\n{"id": "\\ud800"}\n'),
        SimpleUploadedFile("nan.jsonl", b'{"id": "n", "text": "ok", "meta": {"x": NaN}}\n'),
        SimpleUploadedFile("nasty.zip", NASTY_ZIP),
        SimpleUploadedFile("bad.txt", b"T\n\n\xff"),
        SimpleUploadedFile("after.jsonl", b'{"id": "after", "text": "After"}\n'),
    ]

    response = reviewer_client.post(reverse("labels:upload", args=[project.slug]), {"files": files})

    assert response.status_code == 200
    page = response.content.decode()
    assert "sur.jsonl:2: id: contains a lone surrogate (U+D800)" in page
    assert "nan.jsonl:1: meta.x: NaN and Infinity are not allowed" in page
    assert "member has an empty name" in page
    assert "bad.txt:3: text: not valid UTF-8 (byte 0xff)" in page
    assert sorted(Article.objects.values_list("external_id", flat=True)) == [
        "after",
        "before",
        "good",
    ]


# Annotation JSONL


@pytest.fixture
def labelled_project():
    project = ProjectFactory(slug="ann")
    article = ArticleFactory(project=project, external_id="a1")
    for index in range(2):
        ParagraphFactory(article=article, index=index)
    get_user_model().objects.create(username="ann")
    return project


def run_annotations(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    try:
        call_command("import_annotations", str(path), "--project", "ann", stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    return 0, err.getvalue()


@pytest.mark.parametrize("field", ["article_id", "annotator", "label", "created_at"])
@pytest.mark.parametrize(("value", "reason"), BAD_TEXT)
def test_bad_text_in_any_annotation_field_is_named_and_nothing_lands(
    tmp_path, labelled_project, field, value, reason
):
    good = {"article_id": "a1", "index": 0, "annotator": "ann", "label": "body"}
    fields = [f'"{k}": {json.dumps(v)}' for k, v in {**good, "index": 1}.items() if k != field]
    line = "{" + ", ".join([*fields, f'"{field}": {value}']) + "}"
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(good) + "\n" + line + "\n")

    code, err = run_annotations(path)

    assert code == 1
    assert f"{path}:2: {field}: {reason}" in err.splitlines()
    assert "Traceback" not in err
    assert not Annotation.objects.exists()


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes are a POSIX thing")
def test_a_jsonl_file_whose_name_is_not_utf8_imports_and_is_reported_escaped(tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/d\xe9j\xe0.jsonl"))
    path.write_bytes(b'{"id": "a", "text": "Body"}\n')

    code, out, err = run_import(str(path), "--project", "p")

    assert code == 0, err
    assert "d\\xe9j\\xe0.jsonl: 1 imported" in out
    assert Article.objects.get().external_id == "a"
