"""Which article an annotator labels next. The one entry point is ``claim_next``.

Rules: an annotator's own in-progress assignment comes first (resume). Otherwise an article
they have never touched (not even skipped or lost to the idle timeout) that still has an open
slot, preferring articles others already started (fewest open slots first, so articles
finish), then import order; a project with ``uncertainty_first`` puts, among articles as far
along, the ones whose suggestions are least certain (``Article.suggestion_certainty``) first.

Safety under concurrency (PostgreSQL, READ COMMITTED):
- The claiming user's membership row is locked first, so one user's claims (two tabs) run one
  at a time and never leave them with two in-progress articles.
- The candidate article row is taken with ``FOR UPDATE SKIP LOCKED``: concurrent annotators
  never wait on, or double-book, the same article; each takes the next free one.
- Under that row lock the live assignments of the article are counted again before the new one
  is inserted, and ``open_slots`` is rewritten from that count. The denormalised counter is
  what makes the lookup fast; the recount is what makes the overlap limit hold even if the
  counter ever drifted (for example after the project's overlap was lowered).
- ``Assignment``'s unique (article, annotator) constraint is the last line: never two
  assignments of one person on one article.

Speed: ``Article.open_slots`` is overlap minus live (in progress or submitted) assignments,
changed in the same transaction as the assignment. The partial index on
(project, open_slots, id) WHERE open_slots > 0 serves the lookup as one ordered index range
scan that stops at the first article the user has not touched, so its cost does not grow with
the number of articles (see bench/bench_queue.py). It does grow with the number of articles
the user touched that still wait for others (they sort first and are stepped over); in a team
those are taken quickly, and bench/bench_queue.py measures the worst case of a lone annotator.
With ``uncertainty_first`` the index no longer gives the order, so PostgreSQL sorts the open
articles of the project: opt-in, for projects whose open pool is small enough to sort.
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from labels.models import Article, Assignment, Membership, Project


class NotAMember(Exception):
    """Only members of a project (annotators or reviewers) label its articles."""

    def __init__(self, user: AbstractBaseUser, project: Project) -> None:
        super().__init__(
            f"user {user.get_username()!r} is not a member of project {project.slug!r}"
        )


def claim_next(*, user: AbstractBaseUser, project: Project) -> Assignment | None:
    """The user's next assignment in ``project`` (resumed or newly claimed), or None when done.

    Raises NotAMember for users without a membership row. Runs in its own transaction.
    """
    with transaction.atomic():
        # Serialise claims of one user (two tabs) so they never hold two in-progress articles.
        locked = (
            Membership.objects.select_for_update()
            .filter(project=project, user=user)
            .values_list("pk", flat=True)
            .first()
        )
        if locked is None:
            raise NotAMember(user, project)
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
        while True:
            article = open_articles_for(user=user, project=project).first()
            if article is None:
                return None
            # Recount under the row lock: the counter only chooses, the count decides.
            live = Assignment.objects.filter(article=article, status__in=Assignment.LIVE).count()
            free = project.overlap - live
            Article.objects.filter(pk=article.pk).update(open_slots=max(free - 1, 0))
            if free > 0:
                return Assignment.objects.create(article=article, annotator=user)
            # A drifted counter, now corrected to 0: the candidate set shrank, so this loop
            # ends after at most one pass per drifted article.


class ProbedExists(Exists):
    """EXISTS that PostgreSQL checks row by row through an index, never as a join.

    Left alone, the planner turns NOT EXISTS into an anti-join that first reads every
    assignment the user ever had (and, misestimating a heavy user, compares each candidate
    against all of them). ``OFFSET 0`` keeps the subquery a per-row subplan: one probe of the
    unique (article, annotator) index for each candidate the scan visits.
    """

    def as_postgresql(self, compiler: object, connection: object, **extra: object) -> object:
        return self.as_sql(compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra)


def open_articles_for(*, user: AbstractBaseUser, project: Project) -> QuerySet[Article]:
    """Candidates for the user's next claim, best first, row-locked with SKIP LOCKED.

    Evaluate inside a transaction (``.first()``). Shared with bench/bench_queue.py, which
    prints this query's plan.
    """
    touched = Assignment.objects.filter(article=OuterRef("pk"), annotator=user)
    order = ["open_slots", "id"]
    if project.uncertainty_first:
        # Among articles as far along, the ones the suggestions are least sure of first. Only
        # the order changes: the locks and the recount in claim_next keep every guarantee.
        order = ["open_slots", F("suggestion_certainty").asc(nulls_last=True), "id"]
    candidates = Article.objects.filter(project=project, open_slots__gt=0)
    if project.show_suggestions:
        # Offered only once the suggestion job has stored its suggestions (labels.jobs).
        candidates = candidates.filter(suggestions_ready=True)
    return (
        candidates.filter(~ProbedExists(touched))
        .order_by(*order)
        .select_for_update(skip_locked=True, of=("self",))
    )


def release_stale(*, project: Project) -> int:
    """Release in-progress assignments idle longer than the project's timeout; returns how many.

    Their labels stay (in Annotation and its history); the slot goes back to the pool, and
    the released annotator is never offered that article again. Call inside a transaction.
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
    if not stale:
        return 0
    Assignment.objects.filter(pk__in=[pk for pk, _ in stale]).update(
        status=Assignment.Status.RELEASED
    )
    # Article rows are locked in id order so that two releases can never deadlock each other.
    for article_id, count in sorted(Counter(article_id for _, article_id in stale).items()):
        Article.objects.filter(pk=article_id).update(open_slots=F("open_slots") + count)
    return len(stale)


def return_slot(*, assignment: Assignment, status: str, skip_reason: str = "") -> None:
    """Close a live assignment without submitting it and give its slot back.

    Call inside a transaction, holding the assignment's row lock (annotating does).
    """
    Assignment.objects.filter(pk=assignment.pk).update(status=status, skip_reason=skip_reason)
    Article.objects.filter(pk=assignment.article_id).update(open_slots=F("open_slots") + 1)
    assignment.status = status
    assignment.skip_reason = skip_reason


def sync_open_slots(*, project: Project) -> int:
    """Recompute every article's open-slot count from its live assignments; returns rows updated.

    Needed after the project's overlap changes (the admin calls it on save). Claims stay safe
    meanwhile, because they recount under the article lock.
    """
    live = (
        Assignment.objects.filter(article=OuterRef("pk"), status__in=Assignment.LIVE)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Article.objects.filter(project=project).update(
        open_slots=Greatest(Value(project.overlap) - Coalesce(Subquery(live), 0), Value(0))
    )
