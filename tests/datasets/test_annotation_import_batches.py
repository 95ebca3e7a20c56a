"""import_annotations works in batches inside one transaction: what one batch wrote, the next
sees, and a bad line in a later batch still leaves nothing behind."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from labels.datasets import annotation_exchange
from labels.datasets.annotation_records import RecordErrors
from labels.ingest.progress import ImportProgress
from labels.models import Annotation, AnnotationEvent, Assignment
from tests.factories import ArticleFactory, ParagraphFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(annotation_exchange, "BATCH", 2)
    project = ProjectFactory(overlap=2)
    for n in range(2):
        article = ArticleFactory(project=project, external_id=f"a{n}", open_slots=2)
        for index in range(3):
            ParagraphFactory(article=article, index=index)
    get_user_model().objects.create(username="ann")
    return project


def line(article: str, index: int, label: str = "body", day: int = 1) -> dict:
    return {
        "article_id": article,
        "index": index,
        "annotator": "ann",
        "label": label,
        "created_at": f"2025-01-{day:02d}T12:00:00+00:00",
    }


def data(*records: dict) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def test_one_assignment_spread_over_batches_is_whole_and_ends_at_its_last_label(project):
    records = [line("a0", i, day=i + 1) for i in range(3)] + [line("a1", 0, day=9)]

    summary = annotation_exchange.import_annotations(
        project=project, data=data(*records), name="in.jsonl"
    )

    assert (summary.annotations, summary.assignments) == (4, 2)
    assignment = Assignment.objects.get(article__external_id="a0")
    assert assignment.status == Assignment.Status.SUBMITTED
    assert assignment.annotations.count() == 3
    assert assignment.submitted_at == datetime(2025, 1, 3, 12, tzinfo=UTC)
    assert sorted(Annotation.objects.values_list("created_at__day", flat=True)) == [1, 2, 3, 9]
    assert AnnotationEvent.objects.count() == 4


def test_a_line_repeating_one_from_an_earlier_batch_is_an_error_and_nothing_lands(project):
    records = [line("a0", 0), line("a0", 1), line("a1", 0), line("a0", 0, label="quote")]

    with pytest.raises(RecordErrors) as caught:
        annotation_exchange.import_annotations(
            project=project, data=data(*records), name="in.jsonl"
        )

    assert caught.value.lines() == [
        "in.jsonl:4: annotator 'ann' labels article 'a0' paragraph 0 again "
        "(first on an earlier line)"
    ]
    assert not Annotation.objects.exists()
    assert not Assignment.objects.exists()


def test_a_bad_line_in_the_last_batch_rolls_back_the_written_ones(project):
    records = [line("a0", 0), line("a0", 1), line("a1", 0), line("a1", 2, label="nope")]

    with pytest.raises(RecordErrors) as caught:
        annotation_exchange.import_annotations(
            project=project, data=data(*records), name="in.jsonl"
        )

    assert caught.value.lines()[0].startswith("in.jsonl:4: label: unknown label 'nope'")
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()
    assert not Assignment.objects.exists()


def test_the_file_is_read_as_a_stream_with_progress_after_each_batch(project):
    raw = data(*(line(f"a{n}", i) for n in range(2) for i in range(3)))
    seen: list[tuple[int, int]] = []

    def record(state: ImportProgress) -> None:
        seen.append((state.done_bytes, state.annotations))

    annotation_exchange.import_annotations(
        project=project, data=io.BytesIO(raw), name="in.jsonl", progress=record
    )

    assert seen[-1] == (len(raw), 6)
    assert len(seen) >= 3
    assert seen == sorted(seen)
