"""The set-wise writes of runs, undo and accept-all: the PostgreSQL statements and their ORM
twins (used on SQLite) leave the same annotations and the same history."""

from __future__ import annotations

import pytest

from labels.models import Annotation, AnnotationEvent, Paragraph
from labels.suggestions import preannotation
from labels.workflow import annotating
from tests.factories import label_of

PARAGRAPHS = 40


@pytest.fixture(params=["sql", "orm"])
def writes(request, monkeypatch) -> str:
    if request.param == "orm":
        monkeypatch.setattr(annotating, "_add_annotations_sql", annotating._add_annotations_orm)
        monkeypatch.setattr(annotating, "_add_events_sql", annotating._add_events_orm)
    return request.param


def state(assignment) -> tuple[list, list]:
    annotations = list(
        Annotation.objects.filter(assignment=assignment)
        .order_by("paragraph__index")
        .values_list("paragraph__index", "label__value", "from_suggestion")
    )
    events = list(
        AnnotationEvent.objects.filter(assignment=assignment)
        .order_by("pk")
        .values_list("paragraph__index", "action", "label__value", "previous_label__value")
    )
    return annotations, events


def test_a_run_its_undo_and_accept_all_write_the_same_either_way(
    writes, member, make_assignment, project
):
    assignment = make_assignment(member.user, paragraphs=PARAGRAPHS)
    paragraphs = list(Paragraph.objects.filter(article=assignment.article).order_by("index"))
    Paragraph.objects.filter(article=assignment.article).update(suggested_label="caption")
    quote, body = label_of(project, "quote"), label_of(project, "body")
    annotating.set_label(assignment=assignment, paragraph=paragraphs[30], label=body)

    run = annotating.set_label_run(assignment=assignment, paragraph=paragraphs[5], label=quote)
    assert run == [p.pk for p in paragraphs[5:30]]
    annotations, events = state(assignment)
    assert [a[0] for a in annotations] == [*range(5, 31)]
    assert events[-25:] == [(i, "set", "quote", None) for i in range(5, 30)]
    assert len({e.batch for e in AnnotationEvent.objects.filter(label=quote)}) == 1

    undone = annotating.undo_last_change(assignment=assignment)
    assert undone == run
    annotations, events = state(assignment)
    assert annotations == [(30, "body", False)]
    assert sorted(events[-25:]) == [(i, "undo", None, "quote") for i in range(5, 30)]

    accepted = preannotation.accept_remaining_suggestions(
        assignment=assignment, labels=list(project.labels.all())
    )
    assert accepted == PARAGRAPHS - 1
    annotations, _ = state(assignment)
    assert annotations == [
        (i, "body", False) if i == 30 else (i, "caption", True) for i in range(PARAGRAPHS)
    ]

    assert annotating.undo_last_change(assignment=assignment)
    assert state(assignment)[0] == [(30, "body", False)]
