"""Reads for the reviewers' progress page: how far a project is, who did what, what was flagged.

Every function runs a fixed number of queries however many articles, annotators or flags the
project has (the view asserts the total in its tests). Annotators never reach these: the
page is reviewer-only, because it names people and shows their work.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from labels.models import Annotation, Article, Assignment, Flag, Membership, Project

FLAG_LIST_LIMIT = 200


@dataclass(frozen=True)
class ArticleProgress:
    """Articles by state. Complete: ``overlap`` submitted assignments. In progress: some live
    (in progress or submitted) work but not complete. Untouched: no live work (skipped or
    released turns only)."""

    total: int
    complete: int
    in_progress: int
    untouched: int

    def percent(self, part: int) -> float:
        return 100.0 * part / self.total if self.total else 0.0

    @property
    def complete_percent(self) -> float:
        return self.percent(self.complete)

    @property
    def in_progress_percent(self) -> float:
        return self.percent(self.in_progress)

    @property
    def untouched_percent(self) -> float:
        return self.percent(self.untouched)

    @property
    def untouched_offset(self) -> float:
        """Where the untouched share starts on a 0-100 bar (after complete and in progress)."""
        return self.percent(self.complete + self.in_progress)


@dataclass
class AnnotatorStats:
    user_id: int
    username: str
    role: str = ""
    submitted: int = 0
    in_progress: int = 0
    skipped: int = 0
    released: int = 0
    paragraphs_labelled: int = 0
    flags: int = 0
    seconds_per_paragraph: list[float] = field(default_factory=list, repr=False)

    @property
    def median_seconds_per_paragraph(self) -> float | None:
        """Median over the annotator's submitted articles of active seconds / paragraphs."""
        if not self.seconds_per_paragraph:
            return None
        return statistics.median(self.seconds_per_paragraph)


def article_progress(*, project: Project) -> ArticleProgress:
    """Counts of complete, in-progress and untouched articles (one query)."""
    per_article = Article.objects.filter(project=project).annotate(
        submitted=Count("assignments", filter=Q(assignments__status=Assignment.Status.SUBMITTED)),
        live=Count("assignments", filter=Q(assignments__status__in=Assignment.LIVE)),
    )
    counts = per_article.aggregate(
        total=Count("pk"),
        complete=Count("pk", filter=Q(submitted__gte=project.overlap)),
        started=Count("pk", filter=Q(live__gt=0)),
    )
    return ArticleProgress(
        total=counts["total"],
        complete=counts["complete"],
        in_progress=counts["started"] - counts["complete"],
        untouched=counts["total"] - counts["started"],
    )


def annotator_stats(*, project: Project) -> list[AnnotatorStats]:
    """One row per member or anyone who worked on the project, by username (four queries)."""
    rows: dict[int, AnnotatorStats] = {}

    def row(user_id: int, username: str) -> AnnotatorStats:
        if user_id not in rows:
            rows[user_id] = AnnotatorStats(user_id=user_id, username=username)
        return rows[user_id]

    for membership in Membership.objects.filter(project=project).select_related("user"):
        row(membership.user_id, membership.user.get_username()).role = membership.get_role_display()

    # One row per assignment: its status, active time and how many paragraphs it labelled.
    labelled = (
        Annotation.objects.filter(assignment=OuterRef("pk"))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    assignments = (
        Assignment.objects.filter(article__project=project)
        .annotate(labelled=Subquery(labelled))
        .values_list("annotator_id", "annotator__username", "status", "active_seconds", "labelled")
    )
    for user_id, username, status, seconds, paragraphs in assignments.iterator(chunk_size=5000):
        stats = row(user_id, username)
        paragraphs = paragraphs or 0
        stats.paragraphs_labelled += paragraphs
        if status == Assignment.Status.SUBMITTED:
            stats.submitted += 1
            if paragraphs and seconds > 0:
                stats.seconds_per_paragraph.append(seconds / paragraphs)
        elif status == Assignment.Status.IN_PROGRESS:
            stats.in_progress += 1
        elif status == Assignment.Status.SKIPPED:
            stats.skipped += 1
        elif status == Assignment.Status.RELEASED:
            stats.released += 1

    flags = (
        Flag.objects.filter(assignment__article__project=project)
        .values_list("assignment__annotator_id", "assignment__annotator__username")
        .annotate(n=Count("pk"))
    )
    for user_id, username, count in flags:
        row(user_id, username).flags = count

    return sorted(rows.values(), key=lambda stats: stats.username.lower())


def flagged_paragraphs(*, project: Project, limit: int = FLAG_LIST_LIMIT) -> QuerySet[Flag]:
    """The newest flags with paragraph, article, annotator and their label loaded (one query).

    ``own_label`` is the flagging annotator's current label for the paragraph, if any.
    """
    own_label = Annotation.objects.filter(
        assignment=OuterRef("assignment"), paragraph=OuterRef("paragraph")
    ).values("label__name")[:1]
    return (
        Flag.objects.filter(assignment__article__project=project)
        .select_related("paragraph__article", "assignment__annotator")
        .annotate(own_label=Subquery(own_label))
        .order_by("-created_at", "-pk")[:limit]
    )


def flag_count(*, project: Project) -> int:
    """All flags of the project (one query)."""
    return Flag.objects.filter(assignment__article__project=project).count()
