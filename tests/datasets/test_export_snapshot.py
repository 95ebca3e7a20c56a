"""An export reads one consistent snapshot while annotators and reviewers keep writing."""

import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from labels.datasets import export
from labels.models import Assignment, GoldLabel
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
    label_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


def submitted(project, article, user, labels: list[str]) -> None:
    assignment = AssignmentFactory(
        article=article, annotator=user, status=Assignment.Status.SUBMITTED
    )
    for paragraph, value in zip(article.paragraphs.order_by("index"), labels, strict=True):
        AnnotationFactory(
            assignment=assignment, paragraph=paragraph, label=label_of(project, value)
        )


def in_another_connection(work) -> None:
    """Run ``work`` in a thread with its own database connection, committed on return."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised in the test thread
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_writes_committed_during_an_export_do_not_reach_it():
    project = ProjectFactory()
    ann, bob = (get_user_model().objects.create(username=n) for n in ("ann", "bob"))
    articles = []
    for n in range(4):
        article = ArticleFactory(project=project, external_id=f"a{n}")
        for index in range(2):
            ParagraphFactory(article=article, index=index, text=f"a{n} p{index}")
        articles.append(article)
    for article in articles[:3]:
        submitted(project, article, ann, ["body", "quote"])
        submitted(project, article, bob, ["body", "quote"])
    submitted(project, articles[3], ann, ["caption", "caption"])  # bob submits it mid-export
    stats = export.ExportStats()
    pieces = export.export_text(
        project=project,
        options=export.ExportOptions(include_unresolved=True),
        stats=stats,
        batch_size=1,  # one article per batch: the later batches are read after the writes
    )

    first = next(pieces)

    def annotators_and_reviewers_write() -> None:
        submitted(project, articles[3], bob, ["caption", "caption"])
        GoldLabel.objects.create(
            paragraph=articles[2].paragraphs.get(index=1), label=label_of(project, "caption")
        )
        articles[1].paragraphs.get(index=0).annotations.update(label=label_of(project, "quote"))

    in_another_connection(annotators_and_reviewers_write)
    rows = [json.loads(line) for line in [first, *pieces]]

    by_id = {row["id"]: row for row in rows}
    assert (by_id["a1#0"]["label"], by_id["a1#0"]["agreement"]) == ("body", 1.0)
    assert (by_id["a2#1"]["label"], by_id["a2#1"]["gold_source"]) == ("quote", "unanimous")
    assert [a["annotator"] for a in by_id["a3#0"]["annotations"]] == ["ann"]
    assert by_id["a3#0"]["label"] is None  # half its labels would have made it gold
    assert stats.lines == len(rows) == 8
    assert sum(stats.labels.values()) == 8
    assert stats.labels == {"body": 3, "quote": 3, "null": 2}

    after = export.ExportStats()
    list(export.export_text(project=project, options=export.ExportOptions(), stats=after))
    assert after.labels == {"body": 2, "quote": 3, "caption": 3}  # the writes did land


def test_the_snapshot_is_repeatable_read_and_read_only():
    with export.snapshot(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        isolation = cursor.fetchone()[0]
        cursor.execute("SHOW transaction_read_only")
        read_only = cursor.fetchone()[0]

    assert (isolation, read_only) == ("repeatable read", "on")
