"""The disagreement queue and the reviewer's gold decisions.

The queue holds a project's paragraphs whose submitted annotations disagree, and flagged
paragraphs, most divided first. A reviewer adjudicates one (``adjudicate``) or accepts the
strict majority for a whole filtered set (``accept_majority``); both write GoldLabel rows,
which ``export_gold`` prefers to any derived label.

This is the Django side of gold labels; the pure policy that derives one from annotations
stays in ``labels.datasets.gold``. The queue is one hand-written SQL statement because it filters
and orders on per-paragraph label counts, an aggregate of an aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Prefetch

from labels.jobs import retraining
from labels.models import (
    Annotation,
    Article,
    Assignment,
    Flag,
    GoldLabel,
    Label,
    Paragraph,
    Project,
)
from labels.review import reliability

SUBMITTED = Assignment.Status.SUBMITTED
PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilter:
    """Which part of the queue to show; every field narrows it."""

    pair: tuple[int, int] | None = None  # label ids: someone chose one, someone the other
    annotator_id: int | None = None  # paragraphs this annotator labelled
    article_id: int | None = None  # paragraphs of this article
    include_decided: bool = False  # keep paragraphs that already have a gold label


@dataclass(frozen=True)
class QueueEntry:
    """One paragraph of the queue with the figures that rank it."""

    position: int  # 0-based place in the filtered queue
    paragraph_id: int
    annotations: int
    labels_used: int
    division: float  # share of annotator pairs that disagree
    flagged: bool
    majority_label_id: int | None  # the label more than half the annotators chose
    gold_label_id: int | None


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int  # entries in the whole filtered queue
    with_majority: int  # undecided entries of the filtered queue with a strict majority


# A paragraph's most frequent label rides along with its count as one integer,
# count * TOP_SHIFT + label id, so a single aggregation finds the top label (and whether it
# is a strict majority) without joining the per-label counts to themselves.
TOP_SHIFT = 2**40


def _queue_sql(*, project: Project, filters: QueueFilter) -> tuple[str, list[object]]:
    """The filtered queue as a statement whose rows are ``queue`` (see the SELECTs using it)."""
    quote = connection.ops.quote_name
    annotation, assignment = quote(Annotation._meta.db_table), quote(Assignment._meta.db_table)
    article, paragraph = quote(Article._meta.db_table), quote(Paragraph._meta.db_table)
    flag, gold = quote(Flag._meta.db_table), quote(GoldLabel._meta.db_table)
    first, second = filters.pair or (None, None)
    params: list[object] = [first, second, project.pk, SUBMITTED, project.pk, project.pk]
    conditions = ["(pp.labels_used > 1 OR f.paragraph_id IS NOT NULL)"]
    if not filters.include_decided:
        conditions.append(f"NOT EXISTS (SELECT 1 FROM {gold} g2 WHERE g2.paragraph_id = p.id)")
    if filters.pair is not None:
        # The same label twice (a diagonal cell) means two annotators chose it.
        conditions.append(
            "pp.with_first >= 2" if first == second else "pp.with_first > 0 AND pp.with_second > 0"
        )
    if filters.annotator_id is not None:
        conditions.append(
            f"""EXISTS (SELECT 1 FROM {annotation} a2 JOIN {assignment} s2 ON s2.id = a2.assignment_id
                       WHERE a2.paragraph_id = p.id AND s2.annotator_id = %s AND s2.status = %s)"""
        )
        params += [filters.annotator_id, SUBMITTED]
    if filters.article_id is not None:
        conditions.append("p.article_id = %s")
        params.append(filters.article_id)
    sql = f"""
        WITH per_paragraph AS (
            SELECT paragraph_id, SUM(n) AS m, SUM(n * (n - 1)) AS agreeing,
                   COUNT(*) AS labels_used, MAX(n * {TOP_SHIFT} + label_id) AS top,
                   SUM(CASE WHEN label_id = %s THEN n ELSE 0 END) AS with_first,
                   SUM(CASE WHEN label_id = %s THEN n ELSE 0 END) AS with_second
            FROM (
                SELECT a.paragraph_id AS paragraph_id, a.label_id AS label_id, COUNT(*) AS n
                FROM {annotation} a
                JOIN {assignment} s ON s.id = a.assignment_id
                JOIN {article} ar ON ar.id = s.article_id
                WHERE ar.project_id = %s AND s.status = %s
                GROUP BY a.paragraph_id, a.label_id
            ) counts
            GROUP BY paragraph_id
        ),
        flagged AS (
            SELECT DISTINCT fl.paragraph_id AS paragraph_id
            FROM {flag} fl
            JOIN {assignment} fs ON fs.id = fl.assignment_id
            JOIN {article} far ON far.id = fs.article_id
            WHERE far.project_id = %s
        ),
        queue AS (
            SELECT p.id AS paragraph_id, p.article_id AS article_id, p."index" AS position_in_article,
                   COALESCE(pp.m, 0) AS annotations, COALESCE(pp.labels_used, 0) AS labels_used,
                   CASE WHEN pp.m >= 2 THEN 1.0 - 1.0 * pp.agreeing / (pp.m * (pp.m - 1))
                        ELSE 0.0 END AS division,
                   CASE WHEN f.paragraph_id IS NULL THEN 0 ELSE 1 END AS flagged,
                   CASE WHEN pp.m >= 2 AND (pp.top / {TOP_SHIFT}) * 2 > pp.m
                        THEN pp.top %% {TOP_SHIFT} END AS majority_label_id,
                   g.label_id AS gold_label_id
            FROM {paragraph} p
            JOIN {article} ar ON ar.id = p.article_id
            LEFT JOIN per_paragraph pp ON pp.paragraph_id = p.id
            LEFT JOIN flagged f ON f.paragraph_id = p.id
            LEFT JOIN {gold} g ON g.paragraph_id = p.id
            WHERE ar.project_id = %s AND {" AND ".join(conditions)}
        )
    """
    return sql, params


ORDER = "division DESC, flagged DESC, article_id, position_in_article"


def disagreement_page(
    *, project: Project, filters: QueueFilter, offset: int = 0, limit: int = PAGE_SIZE
) -> QueuePage:
    """One page of the filtered queue, most divided first (then flagged, then article order).

    One query: the totals ride along as window aggregates on every row.
    """
    sql, params = _queue_sql(project=project, filters=filters)
    sql += f"""
        SELECT paragraph_id, annotations, labels_used, division, flagged, majority_label_id,
               gold_label_id, COUNT(*) OVER () AS total,
               SUM(CASE WHEN majority_label_id IS NOT NULL AND gold_label_id IS NULL
                        THEN 1 ELSE 0 END) OVER () AS with_majority
        FROM queue
        ORDER BY {ORDER}
        LIMIT %s OFFSET %s
    """
    with transaction.atomic(), connection.cursor() as cursor:
        reliability.tune_for_aggregation()
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    if not rows and offset > 0:
        # Past the end (the queue shrank while paging): report the totals all the same.
        counted = disagreement_page(project=project, filters=filters, offset=0, limit=1)
        return QueuePage([], counted.total, counted.with_majority)
    entries = [
        QueueEntry(
            position=offset + n,
            paragraph_id=row[0],
            annotations=int(row[1]),
            labels_used=int(row[2]),
            division=float(row[3]),
            flagged=bool(row[4]),
            majority_label_id=row[5],
            gold_label_id=row[6],
        )
        for n, row in enumerate(rows)
    ]
    total = int(rows[0][7]) if rows else 0
    with_majority = int(rows[0][8] or 0) if rows else 0
    return QueuePage(entries, total, with_majority)


def entry_at(*, project: Project, filters: QueueFilter, position: int) -> QueueEntry | None:
    """The queue entry at ``position`` (0-based), or None past the end."""
    page = disagreement_page(project=project, filters=filters, offset=max(position, 0), limit=1)
    return page.entries[0] if page.entries else None


def paragraphs_for(paragraph_ids: list[int]) -> dict[int, Paragraph]:
    """The paragraphs with article, gold, submitted annotations (annotator and label) and flags
    loaded, by id: three queries however many paragraphs."""
    submitted = (
        Annotation.objects.filter(assignment__status=SUBMITTED)
        .select_related("label", "assignment__annotator")
        .order_by("assignment__annotator__username")
    )
    flags = Flag.objects.select_related("assignment__annotator").order_by("pk")
    paragraphs = (
        Paragraph.objects.filter(pk__in=paragraph_ids)
        .select_related("article", "gold__label", "gold__decided_by")
        .prefetch_related(
            Prefetch("annotations", queryset=submitted), Prefetch("flags", queryset=flags)
        )
    )
    return {paragraph.pk: paragraph for paragraph in paragraphs}


class WrongProject(ValueError):
    """The label belongs to another project than the paragraph."""


def adjudicate(
    *, reviewer: AbstractBaseUser, paragraph: Paragraph, label: Label, note: str = ""
) -> GoldLabel:
    """Record the reviewer's gold label for the paragraph, with who and when.

    A later decision replaces an earlier one (the last reviewer wins); the paragraph then
    leaves the open queue. Callers check that the reviewer may review the project
    (``access.project_for_reviewer``).
    """
    if label.project_id != paragraph.article.project_id:
        raise WrongProject(f"label {label.value!r} is not in the paragraph's project")
    # update_or_create locks the existing row, and the one-to-one constraint makes two
    # concurrent first decisions end as one row instead of two.
    gold, _ = GoldLabel.objects.update_or_create(
        paragraph=paragraph,
        defaults={
            "label": label,
            "source": GoldLabel.Source.ADJUDICATED,
            "decided_by": reviewer,
            "note": note,
        },
    )
    return gold


def accept_majority(*, reviewer: AbstractBaseUser, project: Project, filters: QueueFilter) -> int:
    """Make the strict-majority label gold for every undecided paragraph of the filtered queue
    that has one; returns how many gold labels were written.

    A strict majority is more than half of the paragraph's submitted annotations, with at
    least two of them. Paragraphs decided meanwhile keep their decision.
    """
    undecided = QueueFilter(
        pair=filters.pair,
        annotator_id=filters.annotator_id,
        article_id=filters.article_id,
        include_decided=False,
    )
    sql, params = _queue_sql(project=project, filters=undecided)
    sql += " SELECT paragraph_id, majority_label_id FROM queue WHERE majority_label_id IS NOT NULL"
    with transaction.atomic():
        reliability.tune_for_aggregation()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            decisions = cursor.fetchall()
        GoldLabel.objects.bulk_create(
            (
                GoldLabel(
                    paragraph_id=paragraph_id,
                    label_id=label_id,
                    source=GoldLabel.Source.MAJORITY,
                    decided_by=reviewer,
                )
                for paragraph_id, label_id in decisions
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )
        written = GoldLabel.objects.filter(
            paragraph_id__in=[paragraph_id for paragraph_id, _ in decisions],
            source=GoldLabel.Source.MAJORITY,
            decided_by=reviewer,
        ).count()
    retraining.queue_retraining_if_due(project=project)  # the end of an adjudication batch
    return written


def annotator_choices(*, project: Project) -> list[tuple[int, str]]:
    """(id, username) of everyone with submitted work in the project, by username."""
    return list(
        get_user_model()
        .objects.filter(assignments__article__project=project, assignments__status=SUBMITTED)
        .distinct()
        .order_by("username")
        .values_list("pk", "username")
    )
