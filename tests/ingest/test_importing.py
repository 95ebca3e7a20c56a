"""The import_articles and create_project commands against the real database."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from labels.models import Article, Label, Paragraph, Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def run_import(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    return code, out.getvalue(), err.getvalue()


def write_jsonl(path: Path, *objects: object) -> Path:
    path.write_text(
        "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects), encoding="utf-8"
    )
    return path


def test_importing_the_seed_creates_the_project_and_22_paragraphs():
    code, out, _ = run_import(str(SEEDS), "--project", "news")

    assert code == 0
    assert "Created project 'news' with the default labels." in out
    assert "1 file(s), 1 article(s) imported, 0 duplicate(s) skipped, 22 paragraph(s)" in out
    project = Project.objects.get(slug="news")
    assert list(project.labels.values_list("value", "key")) == [
        ("body", "1"),
        ("boilerplate", "2"),
        ("quote", "3"),
        ("caption", "4"),
    ]
    article = Article.objects.get(project=project)
    assert article.external_id == "000_d93e8ff5672328ba"
    assert article.open_slots == project.overlap
    assert list(article.paragraphs.values_list("index", flat=True)) == list(range(22))


def test_importing_the_same_files_twice_imports_nothing_the_second_time():
    run_import(str(SEEDS), "--project", "news")

    code, out, _ = run_import(str(SEEDS), "--project", "news")

    assert code == 0
    assert "0 article(s) imported, 1 duplicate(s) skipped, 0 paragraph(s)" in out
    assert Article.objects.count() == 1
    assert Paragraph.objects.count() == 22


def test_jsonl_import_dedups_by_content_within_and_across_files(tmp_path):
    write_jsonl(
        tmp_path / "a.jsonl",
        {"id": "1", "text": "Alpha\n\nBeta"},
        {"id": "1-copy", "paragraphs": ["Alpha", "Beta"]},
        {"id": "2", "paragraphs": ["Gamma"]},
    )

    code, out, _ = run_import(str(tmp_path / "a.jsonl"), "--project", "p", "--format", "jsonl")

    assert code == 0
    assert "2 article(s) imported, 1 duplicate(s) skipped, 3 paragraph(s)" in out
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["1", "2"]


def test_a_bad_line_fails_its_file_only_and_writes_nothing_from_it(tmp_path):
    write_jsonl(tmp_path / "a_good.jsonl", {"id": "g", "text": "Good"})
    write_jsonl(
        tmp_path / "b_bad.jsonl",
        {"id": "x1", "text": "One"},
        {"id": "x2", "text": "Two"},
        '{"id": "x3", "text": ',
    )

    code, out, err = run_import(str(tmp_path), "--project", "p")

    assert code == 1
    assert f"{tmp_path / 'b_bad.jsonl'}:3: malformed JSON" in err
    assert "1 article(s) imported" in out
    assert list(Article.objects.values_list("external_id", flat=True)) == ["g"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty.txt:1: empty file"),
        ("latin1.txt", b"Title\n\ncaf\xe9\n", "latin1.txt:3: text: not valid UTF-8"),
        ("noid.jsonl", b'{"text": "x"}\n', "noid.jsonl:1: id: missing or empty"),
        (
            "both.jsonl",
            b'{"id": "a", "text": "x", "paragraphs": ["x"]}',
            "both.jsonl:1: needs exactly one",
        ),
        ("neither.jsonl", b'{"id": "a"}', "neither.jsonl:1: needs exactly one"),
        ("table.csv", b"a,b\n", "table.csv: unknown format '.csv'"),
    ],
)
def test_bad_input_exits_1_with_file_and_line_and_writes_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    code, _, err = run_import(str(path), "--project", "p")

    assert code == 1
    assert message in err
    assert not Article.objects.exists()
    assert not Paragraph.objects.exists()


def test_same_id_with_different_content_is_refused(tmp_path):
    write_jsonl(tmp_path / "one.jsonl", {"id": "a", "text": "First version"})
    write_jsonl(tmp_path / "two.jsonl", {"id": "z", "text": "ok"}, {"id": "a", "text": "Changed"})

    run_import(str(tmp_path / "one.jsonl"), "--project", "p")
    code, _, err = run_import(str(tmp_path / "two.jsonl"), "--project", "p")

    assert code == 1
    assert "two.jsonl:2: id: article id 'a' already exists with different content" in err
    assert list(Article.objects.values_list("external_id", flat=True)) == ["a"]


def test_script_tags_are_stored_as_inert_text(tmp_path):
    write_jsonl(tmp_path / "x.jsonl", {"id": "x", "paragraphs": ["<script>alert(1)</script>"]})

    run_import(str(tmp_path / "x.jsonl"), "--project", "p")

    assert Paragraph.objects.get().text == "<script>alert(1)</script>"


def test_a_folder_without_supported_files_fails(tmp_path):
    (tmp_path / "notes.md").write_text("hi")

    code, _, err = run_import(str(tmp_path), "--project", "p")

    assert code == 1
    assert "no supported files found" in err


def test_create_project_with_custom_labels_and_overlap():
    out = StringIO()
    call_command(
        "create_project",
        "custom",
        "--name",
        "Custom",
        "--labels",
        "body,ad,other",
        "--overlap",
        "3",
        stdout=out,
    )

    project = Project.objects.get(slug="custom")
    assert project.overlap == 3
    assert list(Label.objects.filter(project=project).values_list("value", "key")) == [
        ("body", "1"),
        ("ad", "2"),
        ("other", "3"),
    ]
    assert "1=body, 2=ad, 3=other" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--labels", "Body,x"], "must be lower-case"),
        (["--labels", "a,a"], "labels must be unique"),
        (["--labels", ","], "the label list is empty"),
    ],
)
def test_create_project_refuses_a_bad_label_set(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_project", "bad", *args)
    assert not Project.objects.filter(slug="bad").exists()


def test_create_project_refuses_an_existing_slug():
    ProjectFactory(slug="taken")

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_project", "taken")
