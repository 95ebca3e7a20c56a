"""The annotator's write paths: set a label, submit an article."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from labels.models import Annotation, AnnotationEvent, Assignment, Label, Paragraph


class AssignmentClosed(Exception):
    """The assignment is no longer in progress (submitted, skipped or released)."""

    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        super().__init__(f"assignment {assignment.pk} is {assignment.status}, not in progress")


class AssignmentIncomplete(Exception):
    """Submit was asked for while some paragraphs have no label."""

    def __init__(self, missing: int) -> None:
        self.missing = missing
        super().__init__(f"{missing} paragraph(s) still have no label")


def _lock_open_assignment(assignment: Assignment) -> None:
    """Lock the assignment row and note the activity; raise AssignmentClosed unless open.

    One UPDATE both takes the row lock (serialising two tabs posting at once) and checks
    the status. Call inside a transaction.
    """
    touched = Assignment.objects.filter(
        pk=assignment.pk, status=Assignment.Status.IN_PROGRESS
    ).update(last_activity_at=timezone.now())
    if not touched:
        assignment.refresh_from_db(fields=["status"])
        raise AssignmentClosed(assignment)


@transaction.atomic
def set_label(
    *, assignment: Assignment, paragraph: Paragraph, label: Label, from_suggestion: bool = False
) -> Annotation:
    """Record the annotator's label for one paragraph; a repeat keypress updates in place.

    Every change is also appended to the history (AnnotationEvent), so undo can restore
    the previous label and nothing is ever lost.
    """
    if paragraph.article_id != assignment.article_id:
        raise ValueError("paragraph is not part of the assignment's article")
    _lock_open_assignment(assignment)
    annotation = Annotation.objects.filter(assignment=assignment, paragraph=paragraph).first()
    previous = annotation.label_id if annotation else None
    if annotation is None:
        annotation = Annotation.objects.create(
            assignment=assignment, paragraph=paragraph, label=label, from_suggestion=from_suggestion
        )
    elif previous != label.pk or annotation.from_suggestion != from_suggestion:
        annotation.label = label
        annotation.from_suggestion = from_suggestion
        annotation.save(update_fields=["label", "from_suggestion", "updated_at"])
    AnnotationEvent.objects.create(
        assignment=assignment,
        paragraph=paragraph,
        label=label,
        previous_label_id=previous,
        action=AnnotationEvent.Action.ACCEPT_SUGGESTION
        if from_suggestion
        else AnnotationEvent.Action.SET,
    )
    return annotation


@transaction.atomic
def submit_assignment(*, assignment: Assignment, active_seconds: float = 0) -> Assignment:
    """Mark the assignment submitted; every paragraph of the article must have a label."""
    _lock_open_assignment(assignment)
    counts = progress(assignment)
    if counts["labelled"] < counts["total"]:
        raise AssignmentIncomplete(counts["total"] - counts["labelled"])
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        status=Assignment.Status.SUBMITTED,
        submitted_at=now,
        last_activity_at=now,
        active_seconds=F("active_seconds") + max(0.0, min(active_seconds, 86_400.0)),
    )
    assignment.refresh_from_db()
    return assignment


def progress(assignment: Assignment) -> dict[str, int]:
    """Paragraphs in the assignment's article and how many of them it has labelled (one query)."""
    return Paragraph.objects.filter(article_id=assignment.article_id).aggregate(
        # The join repeats a paragraph once per annotator who labelled it: count it once.
        total=Count("pk", distinct=True),
        labelled=Count("annotations", filter=Q(annotations__assignment=assignment)),
    )
