"""An annotator's own submitted articles: the list on the project page, and reopening one.

A submitted article may be reopened and corrected until a reviewer has decided any of its
paragraphs (a gold label that is not imported). Reopening turns the same assignment back to
in progress: the slot stays taken (submitted and in progress are both live), the labels and
their history stay, and corrections go through the ordinary label writes, so every change is
in AnnotationEvent. Agreement and gold read submitted assignments, so they follow the new
labels once the article is submitted again.

One in-progress article per annotator still holds: reopening is refused while another
article is in progress (the membership row lock serialises this with ``queue.claim_next``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from labels.models import Assignment, GoldLabel, Membership, Project

SHOWN = 50


class ReopenRefused(Exception):
    """The submitted article cannot be reopened; the message says why in words."""

    def __init__(self, assignment: Assignment, reason: str) -> None:
        self.assignment = assignment
        self.reason = reason
        super().__init__(f"assignment {assignment.pk} cannot be reopened: {reason}")


@dataclass(frozen=True)
class SubmittedArticle:
    """One row of "My work"."""

    assignment_id: int
    title: str
    submitted_at: datetime | None
    decided: bool  # a reviewer decided a paragraph: no more corrections


def _decided(assignment_article: object) -> Exists:
    return Exists(
        GoldLabel.objects.filter(paragraph__article=assignment_article).exclude(
            source=GoldLabel.Source.IMPORTED
        )
    )


def submitted_articles(*, user: AbstractBaseUser, project: Project) -> list[SubmittedArticle]:
    """The user's submitted articles in the project, newest first (at most SHOWN; one query)."""
    rows = (
        Assignment.objects.filter(
            annotator=user, article__project=project, status=Assignment.Status.SUBMITTED
        )
        .annotate(decided=_decided(OuterRef("article")))
        .order_by("-submitted_at", "-pk")
        .values_list("pk", "article__title", "article__external_id", "submitted_at", "decided")
    )[:SHOWN]
    return [
        SubmittedArticle(
            assignment_id=pk, title=title or external_id, submitted_at=at, decided=decided
        )
        for pk, title, external_id, at, decided in rows
    ]


@transaction.atomic
def reopen_assignment(*, assignment: Assignment) -> Assignment:
    """Turn the user's submitted assignment back to in progress, or raise ReopenRefused."""
    Membership.objects.select_for_update().filter(
        project_id=assignment.article.project_id, user_id=assignment.annotator_id
    ).first()
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .annotate(decided=_decided(OuterRef("article")))
        .get(pk=assignment.pk)
    )
    if locked.status != Assignment.Status.SUBMITTED:
        raise ReopenRefused(assignment, f"it is {locked.get_status_display().lower()}")
    if locked.decided:
        raise ReopenRefused(assignment, "a reviewer has already decided some of its paragraphs")
    busy = Assignment.objects.filter(
        annotator_id=assignment.annotator_id,
        article__project_id=assignment.article.project_id,
        status=Assignment.Status.IN_PROGRESS,
    ).exists()
    if busy:
        raise ReopenRefused(assignment, "submit or skip the article you are labelling first")
    Assignment.objects.filter(pk=assignment.pk).update(
        status=Assignment.Status.IN_PROGRESS, submitted_at=None, last_activity_at=timezone.now()
    )
    assignment.refresh_from_db()
    return assignment
