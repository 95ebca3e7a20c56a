"""Next-article latency of ``queue.claim_next`` from 1,000 to 1,000,000 articles.

Run from the repository root against PostgreSQL (the queue's locking is PostgreSQL's):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench .venv/bin/python bench/bench_queue.py

The database is created if missing and migrated; each size gets its own project, built with
``INSERT ... SELECT generate_series`` in a realistic state (30 % of the articles complete,
10 % started by one annotator, the rest untouched, overlap 2), and is deleted afterwards
(``--keep`` keeps it). For each size the script times ``--claims`` whole claims (the claim
transaction: membership lock, stale release, resume check, candidate lookup, recount, insert)
by 20 annotators who submit at once, prints p50 / p95 / max, and prints the candidate query's
EXPLAIN ANALYZE so the index range scan is visible. A last table measures the one case whose
cost is not flat: a lone annotator far ahead of everyone else, whose own half-done articles
sort first and are stepped over.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/annotator_bench"
LIVE_ANNOTATORS = 20
PAST_ANNOTATORS = 20


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--sizes", default="1000,10000,100000,1000000")
    arguments.add_argument("--claims", type=int, default=200, help="timed claims per size")
    arguments.add_argument(
        "--backlogs", default="0,1000,10000,100000", help="lone-annotator backlogs to time"
    )
    arguments.add_argument("--keep", action="store_true", help="keep the bench projects")
    options = arguments.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    backlogs = [int(b) for b in options.backlogs.split(",") if b]

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"DATABASE_URL must be PostgreSQL (the queue relies on its row locks): {url}")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    create_database_if_missing(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    print(f"{'articles':>10}{'build s':>9}{'claims':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    plans = {}
    for size in sizes:
        project, build_seconds = build_project(size)
        timings, plans[size] = time_claims(project, options.claims)
        print(
            f"{size:>10,}{build_seconds:>9.1f}{len(timings):>8}"
            f"{percentile(timings, 50):>9.2f}{percentile(timings, 95):>9.2f}{max(timings):>9.2f}"
        )
        if size == sizes[-1]:
            breakdown = statement_breakdown(project)
        if not options.keep:
            drop_project(project)

    for size, plan in plans.items():
        uses_index = "article_open_slots" in plan
        print(
            f"\ncandidate query plan at {size:,} articles (uses article_open_slots: {uses_index})"
        )
        if size == sizes[-1]:
            print(plan)

    print(f"\none claim, statement by statement, at {sizes[-1]:,} articles (median ms)")
    for sql, median in breakdown:
        print(f"{median:>8.3f}  {sql}")

    if backlogs:
        backlog_rows, backlog_plan = time_backlogs(sizes[-1], backlogs, options.keep)
        print(f"\nlone annotator far ahead of everyone, fresh project of {sizes[-1]:,} articles")
        print(f"{'own half-done':>14}{'p50 ms':>9}{'max ms':>9}")
        for backlog, timings in backlog_rows:
            print(f"{backlog:>14,}{percentile(timings, 50):>9.2f}{max(timings):>9.2f}")
        print(f"\ncandidate query plan for the lone annotator at {backlogs[-1]:,} own half-done")
        print(backlog_plan)


def create_database_if_missing(url: str) -> None:
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    name = settings["NAME"]
    maintenance = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with maintenance:
        exists = maintenance.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            maintenance.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def bench_users(prefix: str, count: int) -> list:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    users = []
    for n in range(count):
        user, created = user_model.objects.get_or_create(username=f"{prefix}{n}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


def build_project(size: int, *, slug: str = "", complete: float = 0.3, begun: float = 0.1):
    """A project of ``size`` articles: by default 30 % complete, 10 % started, 60 % untouched."""
    from django.db import connection, transaction

    from labels.models import Membership, Project
    from labels.workflow import projects

    slug = slug or f"bench-queue-{size}"
    existing = Project.objects.filter(slug=slug).first()
    if existing is not None:
        drop_project(existing)
    started = time.perf_counter()
    with transaction.atomic():
        project = projects.create_project(slug=slug, overlap=2)
        past = bench_users("bench-past-", PAST_ANNOTATORS)
        live = bench_users("bench-live-", LIVE_ANNOTATORS)
        Membership.objects.bulk_create(
            Membership(project=project, user=user) for user in past + live
        )
        past_ids = [user.pk for user in past]
        complete = int(size * complete)
        begun = int(size * begun)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO labels_article
                    (project_id, external_id, title, url, source, meta, content_hash,
                     open_slots, imported_at)
                SELECT %(project)s, 'bench-' || g, 'Article ' || g, '', 'bench', '{}'::jsonb,
                       md5(%(project)s || ':' || g) || md5(g || ':' || %(project)s),
                       CASE WHEN g <= %(complete)s THEN 0
                            WHEN g <= %(complete)s + %(begun)s THEN 1 ELSE 2 END,
                       now()
                FROM generate_series(1, %(size)s) AS g
                """,
                {"project": project.pk, "size": size, "complete": complete, "begun": begun},
            )
            # Two submitted assignments on each complete article, one live one (half in
            # progress, half submitted) on each started article, by the past annotators.
            cursor.execute(
                """
                INSERT INTO labels_assignment
                    (article_id, annotator_id, status, started_at, submitted_at,
                     last_activity_at, active_seconds, skip_reason)
                SELECT a.id,
                       (%(past)s::bigint[])[1 + (a.id + turn) %% %(past_count)s],
                       CASE WHEN a.open_slots = 1 AND a.id %% 2 = 0 THEN 'in_progress'
                            ELSE 'submitted' END,
                       now(), now(), now(), 60, ''
                FROM labels_article AS a
                CROSS JOIN generate_series(0, 1) AS turn
                WHERE a.project_id = %(project)s
                  AND (a.open_slots = 0 OR (a.open_slots = 1 AND turn = 0))
                """,
                {"project": project.pk, "past": past_ids, "past_count": len(past_ids)},
            )
    vacuum()
    return project, time.perf_counter() - started


def vacuum() -> None:
    """VACUUM ANALYZE the queue's tables, as autovacuum would after a bulk load or delete.

    Without it the planner probes index ends full of dead rows left by the previous size's
    cleanup, and planning (not execution) dominates what the claims measure.
    Runs outside any transaction.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labels_article")
        cursor.execute("VACUUM ANALYZE labels_assignment")
        # Flush the bulk load's dirty pages now, so the checkpoint it triggers does not slow
        # the commits being timed (needs a superuser; skipped otherwise).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("CHECKPOINT")


def time_claims(project, claims: int) -> tuple[list[float], str]:
    """Milliseconds per whole claim; each claim is submitted at once so the next is new."""
    from django.db import transaction
    from django.utils import timezone

    from labels.models import Assignment
    from labels.workflow import queue

    live = bench_users("bench-live-", LIVE_ANNOTATORS)
    timings = []
    for n in range(claims):
        user = live[n % len(live)]
        started = time.perf_counter()
        assignment = queue.claim_next(user=user, project=project)
        timings.append((time.perf_counter() - started) * 1000)
        if assignment is None:
            raise SystemExit(f"queue ran dry after {n} claims: build a bigger project")
        Assignment.objects.filter(pk=assignment.pk).update(
            status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
        )
    with transaction.atomic():
        plan = queue.open_articles_for(user=live[0], project=project)[:1].explain(
            analyze=True, buffers=True
        )
    return timings, plan


def time_backlogs(size: int, backlogs: list[int], keep: bool) -> tuple[list, str]:
    """Claim latency of one annotator who alone submitted ``backlog`` articles of a fresh
    project: each still waits for a second annotator, so they are exactly the rows the
    candidate scan meets first and has to step over."""
    from django.db import connection, transaction

    from labels.models import Article, Assignment, Membership
    from labels.workflow import queue

    project, _ = build_project(size, slug="bench-queue-lone", complete=0, begun=0)
    [lone] = bench_users("bench-lone-", 1)
    Membership.objects.get_or_create(project=project, user=lone)
    rows = []
    done = 0
    for backlog in sorted(backlogs):
        with connection.cursor() as cursor:
            # The lone annotator's next articles in import order, submitted, each still open.
            cursor.execute(
                """
                WITH picked AS (
                    SELECT id FROM labels_article
                    WHERE project_id = %s AND open_slots = 2
                    ORDER BY id LIMIT %s
                ), touched AS (
                    UPDATE labels_article SET open_slots = 1
                    WHERE id IN (SELECT id FROM picked) RETURNING id
                )
                INSERT INTO labels_assignment
                    (article_id, annotator_id, status, started_at, submitted_at,
                     last_activity_at, active_seconds, skip_reason)
                SELECT id, %s, 'submitted', now(), now(), now(), 60, '' FROM touched
                """,
                [project.pk, backlog - done, lone.pk],
            )
        vacuum()
        done = backlog
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            assignment = queue.claim_next(user=lone, project=project)
            timings.append((time.perf_counter() - started) * 1000)
            # Give the claim back untouched so the backlog stays as built: the claimed
            # article object still holds its open-slot count from before the claim.
            Assignment.objects.filter(pk=assignment.pk).delete()
            Article.objects.filter(pk=assignment.article_id).update(
                open_slots=assignment.article.open_slots
            )
        rows.append((backlog, timings))
    with transaction.atomic():
        plan = queue.open_articles_for(user=lone, project=project)[:1].explain(
            analyze=True, buffers=True
        )
    if not keep:
        drop_project(project)
    return rows, plan


def statement_breakdown(project, claims: int = 20) -> list[tuple[str, float]]:
    """Median milliseconds of each statement of a claim (what the claim's time is made of)."""
    from django.db import connection
    from django.utils import timezone

    from labels.models import Assignment
    from labels.workflow import queue

    live = bench_users("bench-live-", LIVE_ANNOTATORS)
    samples: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:70]
            samples.setdefault(key, []).append((time.perf_counter() - started) * 1000)

    for n in range(claims):
        with connection.execute_wrapper(timed):
            assignment = queue.claim_next(user=live[n % len(live)], project=project)
        Assignment.objects.filter(pk=assignment.pk).update(
            status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
        )
    return [(sql, statistics.median(times)) for sql, times in samples.items()]


def drop_project(project) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        articles = "SELECT id FROM labels_article WHERE project_id = %s"
        cursor.execute(
            f"DELETE FROM labels_assignment WHERE article_id IN ({articles})", [project.pk]
        )
        cursor.execute("DELETE FROM labels_article WHERE project_id = %s", [project.pk])
        cursor.execute("DELETE FROM labels_membership WHERE project_id = %s", [project.pk])
        cursor.execute("DELETE FROM labels_label WHERE project_id = %s", [project.pk])
        cursor.execute("DELETE FROM labels_project WHERE id = %s", [project.pk])
    vacuum()


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
