"""After a run over HTTP: does the database hold what the clients were told it holds?

Each check returns a list of problems, one readable line each; an empty list is a pass.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from bench.http_load import ClientResult
from labels.models import Annotation, Assignment, Paragraph, Project


def lost_labels(results: Iterable[ClientResult]) -> tuple[int, list[str]]:
    """(labels checked, problems): each paragraph must hold the label the server last
    acknowledged to that annotator, and none where an undo took the only label back."""
    results = list(results)
    expected = {
        (result.username, paragraph_id): label
        for result in results
        for paragraph_id, label in result.labels.items()
    }
    rows = Annotation.objects.filter(
        assignment__annotator__username__in={result.username for result in results}
    ).values_list("assignment__annotator__username", "paragraph_id", "label__value")
    stored = {(username, paragraph_id): label for username, paragraph_id, label in rows}
    problems = []
    for (username, paragraph_id), label in expected.items():
        found = stored.get((username, paragraph_id))
        if found != label:
            problems.append(
                f"{username}, paragraph {paragraph_id}: sent {label!r}, stored {found!r}"
            )
    return len(expected), problems


def unconfirmed_submissions(results: Iterable[ClientResult]) -> list[str]:
    """Assignments whose submit the server acknowledged but that are not submitted."""
    acknowledged = {pk for result in results for pk in result.submitted}
    submitted = set(
        Assignment.objects.filter(
            pk__in=acknowledged, status=Assignment.Status.SUBMITTED
        ).values_list("pk", flat=True)
    )
    return [
        f"assignment {pk}: submit acknowledged, not submitted" for pk in acknowledged - submitted
    ]


def incomplete_submissions(*, project: Project) -> list[str]:
    """Submitted assignments of the project that lack a label for some paragraph."""
    paragraphs = (
        Paragraph.objects.filter(article__project=project)
        .values("article_id")
        .annotate(total=Count("pk"))
    )
    totals = {row["article_id"]: row["total"] for row in paragraphs}
    labelled = (
        Assignment.objects.filter(article__project=project, status=Assignment.Status.SUBMITTED)
        .annotate(labelled=Count("annotations"))
        .values_list("pk", "article_id", "labelled")
    )
    return [
        f"assignment {pk}: submitted with {count} of {totals.get(article_id, 0)} paragraphs labelled"
        for pk, article_id, count in labelled
        if count != totals.get(article_id, 0)
    ]


def overbooked_articles(*, project: Project) -> list[str]:
    """Articles with more live assignments than the project's overlap, or one person twice."""
    rows = (
        Assignment.objects.filter(article__project=project)
        .values("article_id")
        .annotate(
            live=Count("pk", filter=Q(status__in=Assignment.LIVE)),
            people=Count("annotator", distinct=True),
            assignments=Count("pk"),
        )
    )
    problems = []
    for row in rows:
        if row["live"] > project.overlap:
            problems.append(
                f"article {row['article_id']}: {row['live']} live assignments, "
                f"overlap {project.overlap}"
            )
        if row["people"] != row["assignments"]:
            problems.append(f"article {row['article_id']}: one annotator assigned twice")
    return problems
