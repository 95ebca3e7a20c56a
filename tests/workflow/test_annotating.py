"""labels.annotating: run labelling, undo through the history, flags, active time."""

import uuid

import pytest

from labels.models import Annotation, AnnotationEvent, Assignment, Flag
from labels.workflow import annotating
from labels.workflow.annotating import HistoryEntry, last_undoable
from tests.factories import AnnotationFactory, AssignmentFactory

pytestmark = pytest.mark.django_db


def labels_by_index(assignment: Assignment) -> list[str | None]:
    """The assignment's label value for every paragraph of its article, in order."""
    chosen = dict(
        Annotation.objects.filter(assignment=assignment).values_list(
            "paragraph__index", "label__value"
        )
    )
    return [chosen.get(p.index) for p in assignment.article.paragraphs.order_by("index")]


@pytest.fixture
def labeller(project, member, make_assignment):
    """An in-progress assignment on six paragraphs and a way to label them by index."""
    assignment = make_assignment(member.user, paragraphs=6)
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    labels = {label.value: label for label in project.labels.all()}

    class Labeller:
        def __init__(self) -> None:
            self.assignment = assignment
            self.paragraphs = paragraphs

        def set(self, index: int, value: str) -> None:
            annotating.set_label(
                assignment=assignment, paragraph=paragraphs[index], label=labels[value]
            )

        def run(self, index: int, value: str) -> list[int]:
            return annotating.set_label_run(
                assignment=assignment, paragraph=paragraphs[index], label=labels[value]
            )

        def undo(self) -> list[int]:
            return annotating.undo_last_change(assignment=assignment)

        def state(self) -> list[str | None]:
            return labels_by_index(assignment)

    return Labeller()


# ---------------------------------------------------------------- run labelling


def test_run_labels_up_to_the_next_labelled_paragraph(labeller):
    labeller.set(4, "body")

    changed = labeller.run(1, "boilerplate")

    assert changed == [p.pk for p in labeller.paragraphs[1:4]]
    assert labeller.state() == [None, "boilerplate", "boilerplate", "boilerplate", "body", None]


def test_run_without_a_labelled_paragraph_below_goes_to_the_end(labeller):
    labeller.run(2, "caption")

    assert labeller.state() == [None, None, "caption", "caption", "caption", "caption"]


def test_run_on_a_labelled_paragraph_relabels_it_and_fills_the_gap_after_it(labeller):
    labeller.set(1, "body")
    labeller.set(4, "quote")

    labeller.run(1, "boilerplate")

    assert labeller.state() == [None, "boilerplate", "boilerplate", "boilerplate", "quote", None]


def test_run_stops_at_once_when_the_next_paragraph_is_labelled(labeller):
    labeller.set(3, "body")

    assert labeller.run(2, "quote") == [labeller.paragraphs[2].pk]
    assert labeller.state() == [None, None, "quote", "body", None, None]


def test_run_history_is_one_batch_with_the_previous_label_of_the_focused_paragraph(labeller):
    labeller.set(0, "body")
    labeller.set(3, "body")

    labeller.run(0, "caption")

    events = list(AnnotationEvent.objects.order_by("pk"))[2:]
    assert [e.paragraph_id for e in events] == [p.pk for p in labeller.paragraphs[:3]]
    assert len({e.batch for e in events}) == 1 and events[0].batch is not None
    assert [e.previous_label.value if e.previous_label else None for e in events] == [
        "body",
        None,
        None,
    ]


def test_run_on_a_submitted_assignment_changes_nothing(labeller):
    Assignment.objects.filter(pk=labeller.assignment.pk).update(status=Assignment.Status.SUBMITTED)

    with pytest.raises(annotating.AssignmentClosed, match="is submitted"):
        labeller.run(0, "body")
    assert labeller.state() == [None] * 6
    assert not AnnotationEvent.objects.exists()


# ---------------------------------------------------------------- undo


def test_undo_restores_the_previous_label_then_unlabels(labeller):
    labeller.set(0, "body")
    labeller.set(0, "quote")

    assert labeller.undo() == [labeller.paragraphs[0].pk]
    assert labeller.state()[0] == "body"
    assert labeller.undo() == [labeller.paragraphs[0].pk]
    assert labeller.state()[0] is None
    assert labeller.undo() == []


def test_undo_walks_back_through_changes_on_different_paragraphs(labeller):
    labeller.set(0, "body")
    labeller.set(1, "quote")
    labeller.set(2, "caption")

    labeller.undo()
    assert labeller.state()[:3] == ["body", "quote", None]
    labeller.undo()
    assert labeller.state()[:3] == ["body", None, None]


def test_undo_reverts_a_whole_run_in_one_step(labeller):
    labeller.set(0, "body")
    labeller.run(1, "boilerplate")

    changed = labeller.undo()

    assert changed == [p.pk for p in labeller.paragraphs[1:]]
    assert labeller.state() == ["body", None, None, None, None, None]
    assert labeller.undo() == [labeller.paragraphs[0].pk]
    assert labeller.state() == [None] * 6


def test_a_change_after_an_undo_is_undone_first_then_the_older_ones(labeller):
    labeller.set(0, "body")
    labeller.set(1, "quote")
    labeller.undo()  # paragraph 1 back to unlabelled
    labeller.set(2, "caption")

    labeller.undo()
    assert labeller.state()[:3] == ["body", None, None]
    labeller.undo()
    assert labeller.state()[:3] == [None, None, None]


def test_undo_keeps_every_step_in_the_history(labeller):
    labeller.set(0, "body")
    labeller.undo()

    events = list(
        AnnotationEvent.objects.order_by("pk").values_list(
            "action", "label__value", "previous_label__value"
        )
    )
    assert events == [("set", "body", None), ("undo", None, "body")]


def test_undo_on_a_closed_assignment_fails_and_changes_nothing(labeller):
    labeller.set(0, "body")
    Assignment.objects.filter(pk=labeller.assignment.pk).update(status=Assignment.Status.RELEASED)

    with pytest.raises(annotating.AssignmentClosed, match="is released"):
        labeller.undo()
    assert labeller.state()[0] == "body"


def entry(pk: int, action: str = "set", batch: uuid.UUID | None = None) -> HistoryEntry:
    return HistoryEntry(pk, action, batch, pk, 1, None)


def test_last_undoable_groups_a_batch_and_skips_undone_changes():
    run = uuid.uuid4()
    undo_of_run = uuid.uuid4()
    newest_first = [
        entry(7, "undo", undo_of_run),
        entry(6, "undo", undo_of_run),
        entry(5, batch=run),
        entry(4, batch=run),
        entry(3),
        entry(2, "undo"),
        entry(1),
    ]

    # The run (5, 4) is undone by 7 and 6; 3 is the newest change still standing.
    assert [e.pk for e in last_undoable(newest_first)] == [3]
    # With 3 gone too, the undo at 2 cancels 1: nothing is left to undo.
    assert last_undoable([newest_first[0], *newest_first[1:4], entry(9, "undo"), entry(3)]) == []


def test_last_undoable_of_an_empty_history_is_empty():
    assert last_undoable([]) == []


# ---------------------------------------------------------------- flags and time


def test_flag_with_a_note_then_replace_it_then_remove_it(labeller):
    paragraph = labeller.paragraphs[2]

    annotating.flag_paragraph(
        assignment=labeller.assignment, paragraph=paragraph, note="  quote or body?  "
    )
    annotating.flag_paragraph(assignment=labeller.assignment, paragraph=paragraph, note="")

    flag = Flag.objects.get()
    assert (flag.paragraph, flag.note) == (paragraph, "")
    assert annotating.unflag_paragraph(assignment=labeller.assignment, paragraph=paragraph)
    assert not Flag.objects.exists()
    assert not annotating.unflag_paragraph(assignment=labeller.assignment, paragraph=paragraph)


def test_flag_a_paragraph_of_another_article_is_refused(labeller, make_assignment, other_user):
    foreign = make_assignment(other_user).article.paragraphs.first()

    with pytest.raises(ValueError, match="not part of the assignment's article"):
        annotating.flag_paragraph(assignment=labeller.assignment, paragraph=foreign)
    assert not Flag.objects.exists()


def test_active_seconds_add_up_and_one_post_is_capped(labeller):
    labeller_assignment = labeller.assignment
    annotating.record_activity(assignment=labeller_assignment, active_seconds=12.5)
    annotating.record_activity(assignment=labeller_assignment, active_seconds=-40)
    annotating.record_activity(assignment=labeller_assignment, active_seconds=10**9)

    labeller_assignment.refresh_from_db()
    assert labeller_assignment.active_seconds == 12.5 + annotating.MAX_ACTIVE_SECONDS_PER_POST


def test_labelling_counts_as_activity(labeller):
    before = Assignment.objects.get(pk=labeller.assignment.pk).last_activity_at

    labeller.set(0, "body")

    assert Assignment.objects.get(pk=labeller.assignment.pk).last_activity_at > before


def test_progress_counts_only_the_assignments_own_labels(labeller, project, other_user):
    theirs = AssignmentFactory(article=labeller.assignment.article, annotator=other_user)
    for paragraph in labeller.paragraphs:
        AnnotationFactory(assignment=theirs, paragraph=paragraph)
    labeller.set(0, "body")

    assert annotating.progress(labeller.assignment) == {"total": 6, "labelled": 1}


def test_an_assignment_deleted_after_the_access_check_is_a_404_not_a_crash(labeller):
    from django.http import Http404

    stale = Assignment.objects.get(pk=labeller.assignment.pk)
    labeller.assignment.article.delete()  # the article (and its assignments) removed meanwhile

    with pytest.raises(Http404):
        annotating.record_activity(assignment=stale, active_seconds=3)
