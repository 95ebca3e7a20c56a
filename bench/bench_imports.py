"""Imports in flat memory: ``import_articles`` at two sizes and ``import_annotations``.

Part of ``make bench`` (step ``imports``). Each import runs as its own ``manage.py`` process,
as a user would run it, and is measured from outside: wall time, CPU time (user + system)
and peak RSS (the process's own VmHWM, sampled every 20 ms). Sizes at scale 1:

- ``import_articles --no-suggestions`` of 1,000,000 and 5,000,000 paragraphs (JSONL,
  50 paragraphs per article): peak RSS must stay under 300 MB at both, i.e. not grow with
  the file;
- raw COPY of the same 1,000,000 paragraph rows: the rows the import stored are dumped with
  ``COPY TO``, deleted, vacuumed, and COPYed back from the dump. That is the database's own
  cost for exactly these rows, indexes and constraints included, and the import (parse,
  dedup, articles, COPY) must reach at least half its rate;
- ``import_annotations --create-users`` of 1,000,000 labels (one per paragraph of the 1M
  project, 20 annotators).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, SEED, Row, n

PARAGRAPHS_PER_ARTICLE = 50
PEAK_TARGET_MB = 300
SAMPLE_SECONDS = 0.02


def bench_imports(*, scale: float, env: dict[str, str], workdir: Path) -> list[Row]:
    small = max(1000, int(1_000_000 * scale))
    large = 5 * small
    small_run = import_articles_run(paragraphs=small, env=env, workdir=workdir, seed=SEED + 10)
    # Before the large import: the raw COPY then meets indexes of the size the import met.
    raw_seconds = raw_copy_seconds(slug=small_run["slug"], workdir=workdir)
    large_run = import_articles_run(paragraphs=large, env=env, workdir=workdir, seed=SEED + 11)
    raw_rate = small / raw_seconds
    small_rate = small / small_run["wall"]
    annotations = annotations_run(slug=small_run["slug"], env=env, workdir=workdir)
    rows = []
    for size, run in ((small, small_run), (large, large_run)):
        rows.append(
            Row(
                f"import_articles {n(size)} paragraphs ({n(size // PARAGRAPHS_PER_ARTICLE)} "
                f"articles, {run['megabytes']:,.0f} MB JSONL, --no-suggestions, whole command)",
                f"{n(size / run['wall'])} paragraphs/s ({run['wall']:.1f} s wall, "
                f"{run['cpu']:.1f} s CPU), peak RSS {run['peak']:.0f} MB",
                f"peak RSS < {PEAK_TARGET_MB} MB",
                run["peak"] < PEAK_TARGET_MB,
            )
        )
    rows.append(
        Row(
            f"raw COPY of the same {n(small)} paragraph rows (database only) vs the import",
            f"{n(raw_rate)} rows/s ({raw_seconds:.1f} s); the import reaches "
            f"{small_rate / raw_rate:.0%} of it",
            "import ≥ 50% of raw COPY",
            small_rate >= 0.5 * raw_rate,
        )
    )
    rows.append(
        Row(
            f"import_annotations {n(annotations['labels'])} labels (--create-users, "
            f"{annotations['megabytes']:,.0f} MB, whole command)",
            f"{n(annotations['labels'] / annotations['wall'])} labels/s "
            f"({annotations['wall']:.1f} s wall, {annotations['cpu']:.1f} s CPU), "
            f"peak RSS {annotations['peak']:.0f} MB",
            f"peak RSS < {PEAK_TARGET_MB} MB",
            annotations["peak"] < PEAK_TARGET_MB,
        )
    )
    return rows


def import_articles_run(*, paragraphs: int, env: dict[str, str], workdir: Path, seed: int) -> dict:
    from bench.datasets import article_jsonl

    articles = paragraphs // PARAGRAPHS_PER_ARTICLE
    path = workdir / f"articles-{paragraphs}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for line in article_jsonl(articles=articles, paragraphs=PARAGRAPHS_PER_ARTICLE, seed=seed):
            out.write(line + "\n")
    slug = f"imports-{paragraphs}"
    wall, cpu, peak, log = measure_command(
        ["import_articles", str(path), "--project", slug, "--no-suggestions", "--no-progress"],
        env=env,
        log=workdir / f"{slug}.log",
    )
    if f"{paragraphs} paragraph(s)" not in log:
        raise SystemExit(f"import_articles of {path.name} failed: {log[-2000:]}")
    megabytes = path.stat().st_size / 2**20
    path.unlink()  # the 5M file is a few GB
    return {"slug": slug, "wall": wall, "cpu": cpu, "peak": peak, "megabytes": megabytes}


def raw_copy_seconds(*, slug: str, workdir: Path) -> float:
    """Seconds to COPY back the rows an import stored in project ``slug`` (see module doc)."""
    from django.db import connection

    from labels.models import Paragraph

    table = Paragraph._meta.db_table
    columns = ", ".join(
        connection.ops.quote_name(f.column)
        for f in Paragraph._meta.concrete_fields
        if not f.primary_key
    )
    where = (
        f"article_id IN (SELECT a.id FROM labels_article a JOIN labels_project p "
        f"ON p.id = a.project_id WHERE p.slug = '{slug}')"
    )
    dump = workdir / "raw-copy.txt"
    with connection.cursor() as cursor:
        with (
            dump.open("wb") as out,
            cursor.cursor.copy(
                f"COPY (SELECT {columns} FROM {table} WHERE {where}) TO STDOUT"
            ) as copy,
        ):
            for chunk in copy:
                out.write(chunk)
        cursor.execute(f"DELETE FROM {table} WHERE {where}")
        cursor.execute(f"VACUUM {table}")
        began = time.perf_counter()
        with (
            dump.open("rb") as source,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - began
    dump.unlink()
    return seconds


def annotations_run(*, slug: str, env: dict[str, str], workdir: Path) -> dict:
    """Write one label per paragraph of project ``slug`` as annotation JSONL, then import it."""
    import json

    from labels.models import Paragraph

    rng = random.Random(SEED)
    path = workdir / "annotations.jsonl"
    labels = 0
    rows = (
        Paragraph.objects.filter(article__project__slug=slug)
        .order_by("article_id", "index")
        .values_list("article__external_id", "index", "article_id")
    )
    with path.open("w", encoding="utf-8") as out:
        for external_id, index, article_id in rows.iterator(chunk_size=20_000):
            record = {
                "article_id": external_id,
                "index": index,
                "annotator": f"imported-{article_id % 20:02d}",
                "label": rng.choice(("body", "body", "body", "boilerplate", "quote", "caption")),
                "created_at": f"2025-01-{1 + article_id % 28:02d}T12:00:00+00:00",
            }
            out.write(json.dumps(record) + "\n")
            labels += 1
    wall, cpu, peak, log = measure_command(
        ["import_annotations", str(path), "--project", slug, "--create-users", "--no-progress"],
        env=env,
        log=workdir / "annotations.log",
    )
    if f"{labels} annotation(s) imported" not in log:
        raise SystemExit(f"import_annotations failed: {log[-2000:]}")
    megabytes = path.stat().st_size / 2**20
    path.unlink()
    return {"labels": labels, "wall": wall, "cpu": cpu, "peak": peak, "megabytes": megabytes}


def measure_command(
    arguments: list[str], *, env: dict[str, str], log: Path
) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and the output of one manage.py command.

    Peak RSS is the process's own high-water mark (VmHWM), read from /proc until it exits:
    getrusage of children would report this (large) parent's size after fork.
    """
    with log.open("w") as output:
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        peak, cpu = 0.0, 0.0
        while process.poll() is None:
            sample = proc_sample(process.pid)
            if sample:
                peak, cpu = max(peak, sample[0]), sample[1]
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - began
    return wall, cpu, peak, log.read_text()


def proc_sample(pid: int) -> tuple[float, float] | None:
    """(VmHWM in MB, CPU seconds) of a running process, or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    hwm = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM")), None)
    if hwm is None:
        return None
    return hwm / 1024, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
