"""Submissions a reviewer should look at twice: one label on every paragraph, faster than the
project's ``min_seconds_per_paragraph`` of active time, or every suggestion accepted unchanged.

One aggregate query over the project's most recent submissions (``LIMIT``), so the page costs
the same however long the project has run.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from labels.models import Assignment, Project

RECENT = 1000
MIN_PARAGRAPHS = 3  # a two-paragraph article with one label is unremarkable


@dataclass(frozen=True)
class Suspicion:
    assignment: Assignment  # with annotator and article loaded
    paragraphs: int
    seconds_per_paragraph: float
    reasons: list[str]


def suspicious_submissions(*, project: Project, recent: int = RECENT) -> list[Suspicion]:
    """The project's suspicious submissions among the ``recent`` newest, newest first."""
    rows = (
        Assignment.objects.filter(article__project=project, status=Assignment.Status.SUBMITTED)
        .select_related("annotator", "article")
        .annotate(
            labelled=Count("annotations", distinct=True),
            distinct_labels=Count("annotations__label", distinct=True),
            from_suggestion=Count(
                "annotations", filter=Q(annotations__from_suggestion=True), distinct=True
            ),
        )
        .order_by("-submitted_at", "-pk")[:recent]
    )
    found = []
    for row in rows:
        paragraphs = row.labelled
        if not paragraphs:
            continue
        pace = row.active_seconds / paragraphs
        reasons = []
        if paragraphs >= MIN_PARAGRAPHS and row.distinct_labels == 1:
            reasons.append("one label on every paragraph")
        if pace < project.min_seconds_per_paragraph:
            reasons.append(
                f"{pace:.1f} s per paragraph (under {project.min_seconds_per_paragraph:g} s)"
            )
        if row.from_suggestion == paragraphs:
            reasons.append("every suggestion accepted unchanged")
        if reasons:
            found.append(
                Suspicion(
                    assignment=row,
                    paragraphs=paragraphs,
                    seconds_per_paragraph=pace,
                    reasons=reasons,
                )
            )
    return found
