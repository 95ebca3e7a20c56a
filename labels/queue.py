"""Which article an annotator labels next. The one entry point is ``claim_next``.

Rules: an annotator's own in-progress assignment comes first (resume). Otherwise an article
they have never touched that still has an open slot, preferring articles others already
started (fewest open slots first, so articles finish), then import order.

Safety under concurrency: the claiming user's membership row is locked first (one claim per
user at a time), then the candidate article row is taken with ``FOR UPDATE SKIP LOCKED`` so
concurrent annotators never wait on or double-book the same slot. ``Article.open_slots`` is
changed in the same transaction as the assignment, so it always equals overlap minus live
assignments; the partial index on (project, open_slots, id) keeps the lookup flat in the
number of articles.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from labels.models import Article, Assignment, Membership, Project


def claim_next(*, user: AbstractBaseUser, project: Project) -> Assignment | None:
    """The user's next assignment in ``project`` (resumed or newly claimed), or None when done."""
    with transaction.atomic():
        # Serialise claims of one user (two tabs) so they never hold two in-progress articles.
        Membership.objects.select_for_update().filter(project=project, user=user).first()
        release_stale(project=project)
        current = (
            Assignment.objects.filter(
                annotator=user, article__project=project, status=Assignment.Status.IN_PROGRESS
            )
            .order_by("started_at", "pk")
            .first()
        )
        if current is not None:
            return current
        touched = Assignment.objects.filter(article=OuterRef("pk"), annotator=user)
        article = (
            Article.objects.filter(project=project, open_slots__gt=0)
            .filter(~Exists(touched))
            .order_by("open_slots", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if article is None:
            return None
        Article.objects.filter(pk=article.pk).update(open_slots=F("open_slots") - 1)
        return Assignment.objects.create(article=article, annotator=user)


def release_stale(*, project: Project) -> int:
    """Release in-progress assignments idle longer than the project's timeout; returns how many.

    Their labels stay (in Annotation and its history); the slot goes back to the pool.
    Call inside a transaction.
    """
    cutoff = timezone.now() - project.assignment_timeout
    stale = list(
        Assignment.objects.filter(
            article__project=project,
            status=Assignment.Status.IN_PROGRESS,
            last_activity_at__lt=cutoff,
        )
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "article_id")
    )
    for pk, article_id in stale:
        Assignment.objects.filter(pk=pk).update(status=Assignment.Status.RELEASED)
        Article.objects.filter(pk=article_id).update(open_slots=F("open_slots") + 1)
    return len(stale)


def return_slot(*, assignment: Assignment, status: str) -> None:
    """Close a live assignment without submitting it and give its slot back. Call in a transaction."""
    Assignment.objects.filter(pk=assignment.pk).update(status=status)
    Article.objects.filter(pk=assignment.article_id).update(open_slots=F("open_slots") + 1)
    assignment.status = status
