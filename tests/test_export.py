"""export_gold: content, order, gold rule and atomic write."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from labels import export
from labels.models import Assignment
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    GoldLabelFactory,
    ParagraphFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def export_lines(project, *args: str) -> list[dict]:
    out = StringIO()
    call_command("export_gold", "--project", project.slug, *args, stdout=out, stderr=StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def labelled(
    project, article, labels_by_user: dict[str, list[str]], status=Assignment.Status.SUBMITTED
):
    for username, labels in labels_by_user.items():
        assignment = AssignmentFactory(
            article=article, annotator=UserFactory(username=username), status=status
        )
        for index, value in enumerate(labels):
            AnnotationFactory(
                assignment=assignment,
                paragraph=article.paragraphs.get(index=index),
                label=label_of(project, value),
            )


@pytest.fixture
def article(project):
    article = ArticleFactory(project=project, external_id="art-1")
    for index, text in enumerate(["Headline", 'He said "yes"\nand left — ünïcode', "Footer"]):
        ParagraphFactory(article=article, index=index, text=text)
    return article


def test_export_writes_one_line_per_gold_paragraph_in_order(project, article):
    labelled(
        project,
        article,
        {"ann": ["body", "quote", "boilerplate"], "bob": ["body", "quote", "caption"]},
    )

    rows = export_lines(project)

    assert [row["id"] for row in rows] == ["art-1#0", "art-1#1"]
    assert rows[1] == {
        "id": "art-1#1",
        "article_id": "art-1",
        "index": 1,
        "text": 'He said "yes"\nand left — ünïcode',
        "label": "quote",
        "gold_source": "unanimous",
        "annotations": [
            {"annotator": "ann", "label": "quote"},
            {"annotator": "bob", "label": "quote"},
        ],
    }


def test_adjudicated_gold_wins_and_work_in_progress_does_not_count(project, article):
    labelled(project, article, {"ann": ["body", "body", "body"]})
    labelled(
        project,
        article,
        {"wip": ["caption", "caption", "caption"]},
        status=Assignment.Status.IN_PROGRESS,
    )
    GoldLabelFactory(
        paragraph=article.paragraphs.get(index=2), label=label_of(project, "boilerplate")
    )

    rows = export_lines(project)

    assert [(r["label"], r["gold_source"]) for r in rows] == [
        ("body", "unanimous"),
        ("body", "unanimous"),
        ("boilerplate", "adjudicated"),
    ]
    assert all(a["annotator"] == "ann" for r in rows for a in r["annotations"])


def test_min_annotations_leaves_out_paragraphs_with_too_few_labels(project, article):
    labelled(project, article, {"ann": ["body", "body", "body"]})

    assert export_lines(project, "--min-annotations", "2") == []
    assert len(export_lines(project, "--min-annotations", "1")) == 3


def test_export_to_a_file_is_byte_exact_utf8_json(project, article, tmp_path):
    labelled(project, article, {"ann": ["body", "quote", "body"]})
    out = tmp_path / "gold.jsonl"

    call_command("export_gold", "--project", project.slug, "--out", str(out), stderr=StringIO())

    raw = out.read_bytes()
    assert raw.endswith(b"\n")
    assert "ünïcode".encode() in raw
    assert [json.loads(line)["label"] for line in raw.decode().splitlines()] == [
        "body",
        "quote",
        "body",
    ]


def test_an_interrupted_export_leaves_no_partial_file(tmp_path):
    out = tmp_path / "gold.jsonl"
    out.write_text("previous export\n")

    def lines():
        yield "one\n"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.write_atomically(lines(), out=out)

    assert out.read_text() == "previous export\n"
    assert [p.name for p in Path(tmp_path).iterdir()] == ["gold.jsonl"]


def test_unknown_project_is_a_clear_error():
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("export_gold", "--project", "nope")
