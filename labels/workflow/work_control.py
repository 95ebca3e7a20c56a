"""A reviewer's hold on the work: release an in-progress article, return a submitted one for
correction, give articles a priority, pause the project, answer and resolve flags.

Each write is one transaction that also appends to the project's activity log. Status changes
are single conditional UPDATEs (``WHERE status = ...``), the same row lock the annotator's
writes take (``annotating.lock_open_assignment``): a release and a keypress on the same
assignment serialise, and the loser sees the new status (the keypress answers 409).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from labels.models import Article, Assignment, Flag, Paragraph, Project
from labels.workflow import activity_log


class WrongStatus(Exception):
    """The assignment is not in the status the action needs."""

    def __init__(self, assignment: Assignment, needed: str) -> None:
        super().__init__(
            f"assignment {assignment.pk} of {assignment.annotator} is {assignment.status}, "
            f"not {needed}"
        )


@transaction.atomic
def release_assignment(*, reviewer: AbstractBaseUser, assignment: Assignment) -> None:
    """Take an in-progress article back from its annotator: the slot returns to the pool,
    their labels stay, and their next keypress on it is refused with a message naming why."""
    released = Assignment.objects.filter(
        pk=assignment.pk, status=Assignment.Status.IN_PROGRESS
    ).update(status=Assignment.Status.RELEASED, released_by=reviewer)
    if not released:
        assignment.refresh_from_db(fields=["status"])
        raise WrongStatus(assignment, Assignment.Status.IN_PROGRESS)
    Article.objects.filter(pk=assignment.article_id).update(open_slots=F("open_slots") + 1)
    assignment.status = Assignment.Status.RELEASED
    activity_log.record(
        project=assignment.article.project,
        actor=reviewer,
        action="released",
        detail=f"{assignment.article.external_id} from {assignment.annotator.get_username()}",
    )


@transaction.atomic
def return_for_correction(*, reviewer: AbstractBaseUser, assignment: Assignment, note: str) -> None:
    """Reopen a submitted article for its annotator with the reviewer's note; their queue
    offers it before anything else. The slot stays theirs (it was live and still is)."""
    now = timezone.now()
    reopened = Assignment.objects.filter(
        pk=assignment.pk, status=Assignment.Status.SUBMITTED
    ).update(
        status=Assignment.Status.IN_PROGRESS,
        returned_at=now,
        review_note=note.strip(),
        submitted_at=None,
        last_activity_at=now,
    )
    if not reopened:
        assignment.refresh_from_db(fields=["status"])
        raise WrongStatus(assignment, Assignment.Status.SUBMITTED)
    assignment.status = Assignment.Status.IN_PROGRESS
    activity_log.record(
        project=assignment.article.project,
        actor=reviewer,
        action="returned for correction",
        detail=f"{assignment.article.external_id} to {assignment.annotator.get_username()}: "
        f"{note.strip()}",
    )


@transaction.atomic
def set_priority(*, reviewer: AbstractBaseUser, article: Article, priority: int) -> None:
    """Set the article's priority; the queue offers higher priorities first."""
    Article.objects.filter(pk=article.pk).update(priority=priority)
    article.priority = priority
    activity_log.record(
        project=article.project,
        actor=reviewer,
        action="priority",
        detail=f"{article.external_id}: {priority}",
    )


@transaction.atomic
def set_paused(*, reviewer: AbstractBaseUser, project: Project, paused: bool) -> None:
    """Pause (no new claims; work in progress may finish) or resume the project."""
    Project.objects.filter(pk=project.pk).update(paused=paused)
    project.paused = paused
    activity_log.record(project=project, actor=reviewer, action="paused" if paused else "resumed")


@transaction.atomic
def answer_flag(*, reviewer: AbstractBaseUser, flag: Flag, reply: str, resolve: bool) -> None:
    """Store the reviewer's reply to a flag and mark it resolved (or open again)."""
    Flag.objects.filter(pk=flag.pk).update(
        reply=reply.strip(),
        replied_by=reviewer,
        resolved_at=timezone.now() if resolve else None,
    )
    flag.refresh_from_db()
    activity_log.record(
        project=flag.paragraph.article.project,
        actor=reviewer,
        action="flag resolved" if resolve else "flag answered",
        detail=f"{flag.paragraph.article.external_id} paragraph {flag.paragraph.index + 1}: "
        f"{reply.strip()}",
    )


def closed_reason(assignment: Assignment) -> str | None:
    """Why a reviewer closed this assignment, in words for its annotator; None when no
    reviewer did (submitted, skipped, idle). Reads the current row (one query)."""
    assignment.refresh_from_db(fields=["status", "released_by"])
    if assignment.status == Assignment.Status.RELEASED and assignment.released_by_id:
        return (
            "A reviewer took this article back from you, so this label was not saved (the "
            "labels you gave before stay recorded). Go to the project page for your next article."
        )
    return None


class NotFullyDecided(Exception):
    """Only an article whose every paragraph has a gold label can be a control item."""


@transaction.atomic
def set_control(*, reviewer: AbstractBaseUser, article: Article, control: bool) -> None:
    """Make a fully decided article a control item (or an ordinary one again).

    Raises NotFullyDecided. Answers to a control never change its gold: gold is written only
    by reviewers, and a decided paragraph keeps its decision.
    """
    if control:
        undecided = Paragraph.objects.filter(article=article, gold__isnull=True).count()
        if undecided:
            raise NotFullyDecided(
                f"{article.external_id} has {undecided} paragraph(s) without a gold label"
            )
    since = timezone.now() if control else None
    Article.objects.filter(pk=article.pk).update(control_since=since)
    article.control_since = since
    activity_log.record(
        project=article.project,
        actor=reviewer,
        action="control item" if control else "control item removed",
        detail=article.external_id,
    )
