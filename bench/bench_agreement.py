"""How long a project's agreement report takes end to end, database aggregation included.

Run from the repository root::

    .venv/bin/python bench/bench_agreement.py [--database-url postgres://postgres@127.0.0.1:5432/annotator_bench]
                                              [--annotations 100000 1000000] [--repeat 3]

The script works in its own PostgreSQL database (created when missing, migrated, and
otherwise left alone between runs): never point it at a database you care about. For each
size it builds, once, a project ``bench-<annotations>-s<seed>`` with PostgreSQL ``COPY``:
articles of 20 paragraphs from 30 sites, each article labelled by 2 of 12 annotators
(overlap 2, so 1,000,000 annotations are 500,000 paragraphs and 25,000 articles), labels
drawn with news-like skew (body 80 %, boilerplate 10 %, quote 7 %, caption 3 %), the second
annotator copying the first with a per-site probability between 0.70 and 0.95, and one
paragraph in 200 with a stored gold label. The same seed builds the same rows.

It then prints, per size, the best of ``--repeat`` timings of
``labels.review.reliability.project_agreement`` (1,000 bootstrap resamples, everything included)
and of its parts: the coded aggregate that yields label counts and pair tables, the gold
comparison and the pure maths; and, for comparison, one run of the plain self-join that
the coded aggregate replaces for pair tables.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/annotator_bench"
LABELS = ["body", "boilerplate", "quote", "caption"]
PREVALENCE = [0.80, 0.10, 0.07, 0.03]
PARAGRAPHS_PER_ARTICLE = 20
ANNOTATORS = 12
SITES = 30
OVERLAP = 2
GOLD_EVERY = 200
STAMP = "2024-01-01 00:00:00+00"


def setup_django(database_url: str) -> None:
    """Point Django at the benchmark database (created when missing) and migrate it."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    # The script lives in bench/, so the repository root is not on sys.path by default.
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def tsv(columns: list[Any]) -> bytes:
    """Rows of equal-length columns as COPY text format (no value may contain tab or newline)."""
    text = ["\t".join(map(str, row)) for row in zip(*columns, strict=True)]
    return ("\n".join(text) + "\n").encode() if text else b""


def next_ids(table: str, count: int) -> np.ndarray:
    """Reserve ``count`` consecutive ids from the table's sequence."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + %s) - %s + 1",
            [count, count],
        )
        first = cursor.fetchone()[0]
    return np.arange(first, first + count, dtype=np.int64)


def copy(table: str, columns: list[str], data: bytes) -> None:
    """Load COPY text-format rows into ``table`` in 8 MB writes."""
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream,
    ):
        for start in range(0, len(data), 8 << 20):
            stream.write(data[start : start + (8 << 20)])


def build_project(*, annotations: int, seed: int) -> Any:
    """The benchmark project for this size and seed, built with COPY unless it exists."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from labels.models import Assignment, Project
    from labels.workflow import projects

    slug = f"bench-{annotations}-s{seed}"
    existing = Project.objects.filter(slug=slug).first()
    if existing is not None:
        return existing

    rng = np.random.default_rng(seed)
    articles = max(1, annotations // (OVERLAP * PARAGRAPHS_PER_ARTICLE))
    paragraphs = articles * PARAGRAPHS_PER_ARTICLE
    started = time.perf_counter()
    with transaction.atomic():
        project = projects.create_project(slug=slug, name=f"Benchmark {annotations:,}")
        label_ids = np.array(list(project.labels.order_by("order").values_list("pk", flat=True)))
        user_model = get_user_model()
        users = [
            user_model.objects.get_or_create(username=f"bench-annotator-{n:02}")[0].pk
            for n in range(ANNOTATORS)
        ]

        article_ids = next_ids("labels_article", articles)
        site = rng.integers(0, SITES, size=articles)
        external = [f"{slug}-a{n}" for n in range(articles)]
        copy(
            "labels_article",
            [
                "id",
                "project_id",
                "external_id",
                "title",
                "url",
                "source",
                "meta",
                "content_hash",
                "open_slots",
                "imported_at",
            ],
            tsv(
                [
                    article_ids,
                    [project.pk] * articles,
                    external,
                    [f"Article {n}" for n in range(articles)],
                    [
                        f"https://site-{s:02}.example/{e}"
                        for s, e in zip(site, external, strict=True)
                    ],
                    [f"site-{s:02}.example" for s in site],
                    ["{}"] * articles,
                    [f"{slug}-{n:056x}"[-64:] for n in range(articles)],
                    [0] * articles,
                    [STAMP] * articles,
                ]
            ),
        )

        paragraph_ids = next_ids("labels_paragraph", paragraphs)
        paragraph_article = np.repeat(article_ids, PARAGRAPHS_PER_ARTICLE)
        copy(
            "labels_paragraph",
            [
                "id",
                "article_id",
                "index",
                "text",
                "meta",
                "text_hash",
                "suggested_label",
                "suggestion_source",
                "suggestion_version",
            ],
            tsv(
                [
                    paragraph_ids,
                    paragraph_article,
                    np.tile(np.arange(PARAGRAPHS_PER_ARTICLE), articles),
                    [f"Paragraph {n}" for n in range(paragraphs)],
                    ["{}"] * paragraphs,
                    [""] * paragraphs,
                    [""] * paragraphs,
                    [""] * paragraphs,
                    [""] * paragraphs,
                ]
            ),
        )

        # Two distinct annotators per article.
        first = rng.integers(0, ANNOTATORS, size=articles)
        second = (first + rng.integers(1, ANNOTATORS, size=articles)) % ANNOTATORS
        assignment_ids = next_ids("labels_assignment", articles * OVERLAP)
        who = np.column_stack([first, second]).ravel()
        copy(
            "labels_assignment",
            [
                "id",
                "article_id",
                "annotator_id",
                "status",
                "started_at",
                "submitted_at",
                "last_activity_at",
                "active_seconds",
                "skip_reason",
            ],
            tsv(
                [
                    assignment_ids,
                    np.repeat(article_ids, OVERLAP),
                    np.array(users)[who],
                    [Assignment.Status.SUBMITTED] * len(who),
                    [STAMP] * len(who),
                    [STAMP] * len(who),
                    [STAMP] * len(who),
                    [0] * len(who),
                    [""] * len(who),
                ]
            ),
        )

        copy_rate = 0.70 + 0.25 * (np.arange(SITES) / (SITES - 1))
        label_a = rng.choice(len(LABELS), size=paragraphs, p=PREVALENCE)
        copied = rng.random(paragraphs) < copy_rate[np.repeat(site, PARAGRAPHS_PER_ARTICLE)]
        label_b = np.where(copied, label_a, rng.choice(len(LABELS), size=paragraphs, p=PREVALENCE))
        total = paragraphs * OVERLAP
        annotation_ids = next_ids("labels_annotation", total)
        assignment_of = assignment_ids.reshape(articles, OVERLAP)
        copy(
            "labels_annotation",
            [
                "id",
                "paragraph_id",
                "assignment_id",
                "label_id",
                "from_suggestion",
                "created_at",
                "updated_at",
            ],
            tsv(
                [
                    annotation_ids,
                    np.repeat(paragraph_ids, OVERLAP),
                    np.repeat(assignment_of, PARAGRAPHS_PER_ARTICLE, axis=0).ravel(),
                    label_ids[np.column_stack([label_a, label_b]).ravel()],
                    ["f"] * total,
                    [STAMP] * total,
                    [STAMP] * total,
                ]
            ),
        )

        gold_rows = paragraph_ids[::GOLD_EVERY]
        gold_ids = next_ids("labels_goldlabel", len(gold_rows))
        copy(
            "labels_goldlabel",
            ["id", "paragraph_id", "label_id", "source", "decided_at", "note"],
            tsv(
                [
                    gold_ids,
                    gold_rows,
                    label_ids[label_a[::GOLD_EVERY]],
                    ["adjudicated"] * len(gold_rows),
                    [STAMP] * len(gold_rows),
                    [""] * len(gold_rows),
                ]
            ),
        )
    with connection.cursor() as cursor:
        for table in (
            "labels_article",
            "labels_paragraph",
            "labels_assignment",
            "labels_annotation",
            "labels_goldlabel",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"built {slug} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return project


def best_of(repeat: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def measure(project: Any, *, repeat: int) -> dict[str, Any]:
    """Best-of timings of the whole report and of its parts, plus the report and query count."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from labels.review import agreement, reliability

    ids = [pk for pk, _ in reliability.label_set(project=project)]

    def tuned(run: Callable[[], object]) -> Callable[[], object]:
        def in_transaction() -> object:
            with transaction.atomic():
                reliability.tune_for_aggregation()
                return run()

        return in_transaction

    with CaptureQueriesContext(connection) as queries:
        report = reliability.project_agreement(project=project)
    counted = reliability.tally(project=project, label_ids=ids)
    named = {(str(a), str(b)): matrix for (a, b), matrix in counted.pairs.items()}
    return {
        "report": report,
        "queries": len(queries),
        "total": best_of(repeat, lambda: reliability.project_agreement(project=project)),
        "tally": best_of(repeat, tuned(lambda: reliability.tally(project=project, label_ids=ids))),
        "gold": best_of(
            repeat, tuned(lambda: reliability.gold_confusions(project=project, label_ids=ids))
        ),
        "maths": best_of(
            repeat,
            lambda: agreement.summarize(
                counted.labels.expanded(), LABELS, annotators=ANNOTATORS, pair_confusions=named
            ),
        ),
        # For comparison only: pair tables by a plain self-join, which the coded aggregate
        # replaces.
        "self_join": best_of(
            1, tuned(lambda: reliability.pairs_by_self_join(project=project, label_ids=ids))
        ),
    }


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--database-url", default=DEFAULT_URL)
    arguments.add_argument("--annotations", type=int, nargs="+", default=[100_000, 1_000_000])
    arguments.add_argument("--seed", type=int, default=0)
    arguments.add_argument("--repeat", type=int, default=3, help="runs per size (best kept)")
    options = arguments.parse_args()
    setup_django(options.database_url)

    print(
        f"{'annotations':>12}{'paragraphs':>12}{'alpha':>8}{'ci95':>17}{'queries':>9}"
        f"{'total s':>9}{'tally s':>9}{'gold s':>8}{'maths s':>9}{'self-join s':>13}"
    )
    for size in options.annotations:
        project = build_project(annotations=size, seed=options.seed)
        timing = measure(project, repeat=options.repeat)
        report = timing["report"]
        low, high = report["alpha_ci95"]
        print(
            f"{report['annotations']:>12,}{report['units']:>12,}{report['krippendorff_alpha']:>8.3f}"
            f"{f'[{low:.3f}, {high:.3f}]':>17}{timing['queries']:>9}{timing['total']:>9.3f}"
            f"{timing['tally']:>9.3f}{timing['gold']:>8.3f}{timing['maths']:>9.3f}"
            f"{timing['self_join']:>13.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
