"""Per-article figures for the reviewers' data manager, kept in ``ArticleSummary``.

Why a derived table: the data manager filters and sorts 100,000 articles by status,
agreement, open disagreements or flags. Computed live, each page would aggregate every
annotation of the project (seconds); read from one row per article, a page is one indexed
scan and a top-N sort (bench/bench_control_room.py).

How it stays current without a hook on the label path: ``refresh_changed`` runs before each
data manager page. It recomputes the rows of articles touched since the project's
``summaries_refreshed_at`` (assignment activity, gold decisions, flags, imports), of articles
newer than every summarised one (and, on one refresh in ``FULL_CHECK_EVERY``, of any article
without a row), and of rows that still show in-progress work that the idle timeout has
since released.

The mark is a look-back point, not the time of the refresh: a transaction that stamped its
rows before the refresh but committed after it must still be seen next time. On PostgreSQL the
mark is the start of the oldest transaction still running in the database when the refresh
read (``pg_stat_activity``), less ``CLOCK_SKEW`` for the clocks of app servers: a page
recomputes what changed since the previous one, not a fixed window again and again (a bulk
decision on 14,000 articles made the next pages recompute them all for 30 s). Elsewhere
(SQLite, for ``make run``) the mark is ``MARGIN`` before the refresh. The recomputation is
idempotent, so two reviewers refreshing at once only do the same work twice.

Figures (submitted work only, as in the agreement dashboard): observed agreement is the share
of agreeing ordered pairs of annotators over paragraphs with at least two submitted labels;
an open disagreement is a paragraph with two or more different submitted labels and no gold.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from labels.models import Assignment, Project

# How far the next refresh looks back before the oldest transaction running during this one.
CLOCK_SKEW = timedelta(seconds=2)
# Without pg_stat_activity: a fixed look-back before the refresh.
MARGIN = timedelta(seconds=30)

# One statement locks the project row (two refreshes of one project run one after the other;
# the second reads the mark the first left), returns the mark and moves it to the start of the
# oldest other transaction of this database, or now, less the skew. Sessions of other database
# roles show no xact_start without pg_read_all_stats; the app's own sessions, the only writers
# of these tables, always do.
_LOCK_SQL = """
UPDATE labels_project p
SET summaries_refreshed_at = LEAST(statement_timestamp(), COALESCE((
    SELECT MIN(xact_start) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
), statement_timestamp())) - %(skew)s
FROM (SELECT id, summaries_refreshed_at FROM labels_project WHERE id = %(project)s FOR UPDATE) prev
WHERE p.id = prev.id
RETURNING prev.summaries_refreshed_at, p.summaries_refreshed_at
"""

_NAMES = {
    "postgresql": "string_agg(CASE WHEN s.status IN (%(open)s, %(submitted)s) "
    "THEN u.username END, ', ' ORDER BY u.username)",
    "sqlite": "group_concat(CASE WHEN s.status IN (%(open)s, %(submitted)s) "
    "THEN u.username END, ', ')",
}

_REFRESH_SQL = """
WITH target AS (
    SELECT id AS article_id, title, external_id, source, imported_at, priority
    FROM labels_article WHERE project_id = %(project)s AND id {scope}
), para AS (
    SELECT p.article_id, COUNT(*) AS n
    FROM labels_paragraph p WHERE p.article_id {scope}
    GROUP BY p.article_id
), work AS (
    SELECT s.article_id,
           SUM(CASE WHEN s.status = %(open)s THEN 1 ELSE 0 END) AS in_progress,
           SUM(CASE WHEN s.status = %(submitted)s THEN 1 ELSE 0 END) AS submitted,
           SUM(CASE WHEN s.status = %(skipped)s THEN 1 ELSE 0 END) AS skips,
           {names} AS annotators
    FROM labels_assignment s
    JOIN auth_user u ON u.id = s.annotator_id
    WHERE s.article_id {scope}
    GROUP BY s.article_id
), per_label AS (
    SELECT s.article_id, a.paragraph_id, a.label_id, COUNT(*) AS n
    FROM labels_annotation a
    JOIN labels_assignment s ON s.id = a.assignment_id
    WHERE s.article_id {scope} AND s.status = %(submitted)s
    GROUP BY s.article_id, a.paragraph_id, a.label_id
), per_paragraph AS (
    SELECT article_id, paragraph_id, SUM(n) AS m, SUM(n * (n - 1)) AS agreeing,
           COUNT(*) AS used
    FROM per_label GROUP BY article_id, paragraph_id
), gold AS (
    -- OFFSET 0 (PostgreSQL) keeps the EXISTS a probe of the gold label's unique index per
    -- paragraph; as a join, PostgreSQL read every gold label of the database to refresh a few
    -- articles. (queue.ProbedExists does the same for the next-article query.)
    SELECT p.article_id, p.id AS paragraph_id
    FROM labels_paragraph p
    WHERE p.article_id {scope}
      AND EXISTS (SELECT 1 FROM labels_goldlabel g WHERE g.paragraph_id = p.id {probe})
), agreement AS (
    SELECT pp.article_id,
           SUM(CASE WHEN pp.m >= 2 THEN pp.agreeing ELSE 0 END) AS agreeing,
           SUM(CASE WHEN pp.m >= 2 THEN pp.m * (pp.m - 1) ELSE 0 END) AS pairs,
           SUM(CASE WHEN pp.used > 1 AND g.paragraph_id IS NULL THEN 1 ELSE 0 END) AS open
    FROM per_paragraph pp LEFT JOIN gold g ON g.paragraph_id = pp.paragraph_id
    GROUP BY pp.article_id
), decided AS (
    SELECT article_id, COUNT(*) AS n FROM gold GROUP BY article_id
), live_labels AS (
    SELECT s.article_id, a.paragraph_id, COUNT(*) AS n
    FROM labels_annotation a
    JOIN labels_assignment s ON s.id = a.assignment_id
    WHERE s.article_id {scope} AND s.status IN (%(open)s, %(submitted)s)
    GROUP BY s.article_id, a.paragraph_id
), labelled AS (
    SELECT l.article_id,
           SUM(CASE WHEN l.n >= w.in_progress + w.submitted THEN 1 ELSE 0 END) AS n
    FROM live_labels l JOIN work w ON w.article_id = l.article_id
    GROUP BY l.article_id
), flags AS (
    SELECT p.article_id, COUNT(*) AS n
    FROM labels_flag f
    JOIN labels_paragraph p ON p.id = f.paragraph_id
    WHERE p.article_id {scope} AND f.resolved_at IS NULL
    GROUP BY p.article_id
)
INSERT INTO labels_articlesummary (
    article_id, project_id, title, external_id, source, imported_at, priority, status, in_progress, submitted, annotators, paragraphs, labelled,
    agreement, open_disagreements, decided, flags, skips
)
SELECT t.article_id, %(project)s, t.title, t.external_id, t.source, t.imported_at, t.priority,
       CASE WHEN COALESCE(para.n, 0) > 0 AND COALESCE(decided.n, 0) >= para.n THEN 4
            WHEN COALESCE(work.submitted, 0) >= %(overlap)s THEN 3
            WHEN COALESCE(work.submitted, 0) > 0 THEN 2
            WHEN COALESCE(work.in_progress, 0) > 0 THEN 1
            ELSE 0 END,
       COALESCE(work.in_progress, 0), COALESCE(work.submitted, 0),
       COALESCE(work.annotators, ''), COALESCE(para.n, 0), COALESCE(labelled.n, 0),
       CASE WHEN agreement.pairs > 0 THEN 1.0 * agreement.agreeing / agreement.pairs END,
       COALESCE(agreement.open, 0), COALESCE(decided.n, 0), COALESCE(flags.n, 0),
       COALESCE(work.skips, 0)
FROM target t
LEFT JOIN para ON para.article_id = t.article_id
LEFT JOIN work ON work.article_id = t.article_id
LEFT JOIN agreement ON agreement.article_id = t.article_id
LEFT JOIN decided ON decided.article_id = t.article_id
LEFT JOIN labelled ON labelled.article_id = t.article_id
LEFT JOIN flags ON flags.article_id = t.article_id
WHERE true
ORDER BY t.article_id
ON CONFLICT (article_id) DO UPDATE SET
    title = excluded.title, external_id = excluded.external_id, source = excluded.source,
    imported_at = excluded.imported_at, priority = excluded.priority, status = excluded.status, in_progress = excluded.in_progress,
    submitted = excluded.submitted, annotators = excluded.annotators,
    paragraphs = excluded.paragraphs, labelled = excluded.labelled,
    agreement = excluded.agreement, open_disagreements = excluded.open_disagreements,
    decided = excluded.decided, flags = excluded.flags, skips = excluded.skips
"""

_CHANGED_SQL = """
SELECT s.article_id FROM labels_assignment s
JOIN labels_article a ON a.id = s.article_id
WHERE a.project_id = %(project)s AND s.last_activity_at >= %(since)s
UNION
SELECT p.article_id FROM labels_goldlabel g
JOIN labels_paragraph p ON p.id = g.paragraph_id
JOIN labels_article a ON a.id = p.article_id
WHERE a.project_id = %(project)s AND g.decided_at >= %(since)s
UNION
SELECT p.article_id FROM labels_flag f
JOIN labels_paragraph p ON p.id = f.paragraph_id
JOIN labels_article a ON a.id = p.article_id
WHERE a.project_id = %(project)s AND f.created_at >= %(since)s
UNION
SELECT a.id FROM labels_article a
WHERE a.project_id = %(project)s AND a.imported_at >= %(since)s
UNION
SELECT m.article_id FROM labels_articlesummary m
WHERE m.project_id = %(project)s AND m.in_progress > 0 AND NOT EXISTS (
    SELECT 1 FROM labels_assignment s2 WHERE s2.article_id = m.article_id AND s2.status = %(open)s
)
"""

_MISSING_SQL = """
SELECT a.id FROM labels_article a
WHERE a.project_id = %(project)s AND NOT EXISTS (
    SELECT 1 FROM labels_articlesummary m WHERE m.article_id = a.id
)
"""

_COUNTS_SQL = """
SELECT (SELECT COUNT(*) FROM labels_article WHERE project_id = %(project)s),
       (SELECT COUNT(*) FROM labels_articlesummary WHERE project_id = %(project)s)
"""

# Articles newer than every summarised one: an import that committed after the last refresh.
_BEYOND_SQL = """
SELECT a.id FROM labels_article a
WHERE a.project_id = %(project)s AND a.id > (
    SELECT COALESCE(MAX(m.article_id), 0) FROM labels_articlesummary m
    WHERE m.project_id = %(project)s
)
"""

# The exact comparison of the two tables reads both in full (tens of milliseconds at 100,000
# articles), so it runs on one refresh in this many; the cheap checks above catch every
# import except two long ones committing out of id order, which this then catches.
FULL_CHECK_EVERY = 20


def _params(project: Project) -> dict[str, object]:
    return {
        "project": project.pk,
        "overlap": project.overlap,
        "open": Assignment.Status.IN_PROGRESS,
        "submitted": Assignment.Status.SUBMITTED,
        "skipped": Assignment.Status.SKIPPED,
    }


def refresh(*, project: Project, article_ids: Iterable[int] | None = None) -> None:
    """Recompute the summary rows of the given articles of the project (None: every article).

    One statement however many articles; ids of other projects are ignored.
    """
    # Every part names the articles itself (rather than joining a list of them), so each is
    # planned as an index lookup on its own table's article column.
    scope = "IN (SELECT id FROM labels_article WHERE project_id = %(project)s)"
    if article_ids is not None:
        ids = sorted({int(pk) for pk in article_ids})  # integers only: safe to inline
        if not ids:
            return
        scope = f"IN ({', '.join(str(pk) for pk in ids)})"
    postgresql = connection.vendor == "postgresql"
    names = _NAMES["postgresql" if postgresql else "sqlite"]
    sql = _REFRESH_SQL.format(scope=scope, names=names, probe="OFFSET 0" if postgresql else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(project))


def _move_mark(project: Project) -> tuple[datetime | None, datetime]:
    """Lock the project row and move its mark; returns the previous mark and the new one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, {"project": project.pk, "skew": CLOCK_SKEW})
            return cursor.fetchone()
    mark = (
        Project.objects.select_for_update()
        .filter(pk=project.pk)
        .values_list("summaries_refreshed_at", flat=True)
        .get()
    )
    next_mark = timezone.now() - MARGIN
    Project.objects.filter(pk=project.pk).update(summaries_refreshed_at=next_mark)
    return mark, next_mark


def refresh_changed(*, project: Project) -> int:
    """Bring the project's summary rows up to date with everything committed so far; returns
    how many rows were recomputed. Four to six queries however many articles changed.

    The project row is locked first: two reviewers' refreshes of one project run one after
    the other, so their row writes can never deadlock each other, and the second one reads
    the mark the first one left.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        mark, project.summaries_refreshed_at = _move_mark(project)
        if mark is None:
            refresh(project=project)
            return project.articles.count()
        params = {**_params(project), "since": mark}
        changed: set[int] = set()
        cursor.execute(_BEYOND_SQL, params)
        changed.update(pk for (pk,) in cursor.fetchall())
        if random.randrange(FULL_CHECK_EVERY) == 0:
            cursor.execute(_COUNTS_SQL, params)
            articles, summaries = cursor.fetchone()
            if articles != summaries:
                cursor.execute(_MISSING_SQL, params)
                changed.update(pk for (pk,) in cursor.fetchall())
        cursor.execute(_CHANGED_SQL, params)
        changed.update(pk for (pk,) in cursor.fetchall())
        refresh(project=project, article_ids=changed)
    return len(changed)
