"""The benchmark suite behind ``make bench``: builds its data, measures, prints one table.

Run from the repository root: ``.venv/bin/python -m bench.run [--database-url URL]``. The
database named in the URL is DROPPED and re-created (its name must contain "bench"). Data is
synthetic and seeded, built with COPY, so every run measures the same rows. The table goes to
stdout and to bench/out/results.md; ``--readme docs/benchmarks.md`` also replaces the table between
the ``bench:results`` markers there. ``--scale 0.1`` shrinks every dataset for a quick try
(the targets are only judged at scale 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from bench.latency import ms, percentile
from bench.server import (
    ROOT,
    gunicorn,
    process_cpu_seconds,
    production_environment,
    recreate_database,
    workers_cpu_seconds,
)

OUT = ROOT / "bench" / "out"
SEED = 20_250_101
PASSWORD = "bench-password-not-secret"
README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"
STEPS = (
    "import",
    "http",
    "queue",
    "agreement",
    "export",
    "imports",
    "api",
    "learning",
    "extractors",
    "screen",
    "control",
)


# How the rows of a step with its own table begin.
STEP_ROWS = {
    "control": ("data manager", "article view"),
    "imports": ("import_articles", "raw COPY", "import_annotations"),
}


@dataclass
class Row:
    measure: str
    figure: str
    target: str = ""
    met: bool | None = None  # None: reported, no target

    def cells(self) -> list[str]:
        verdict = {True: "yes", False: "**no**", None: ""}[self.met]
        return [self.measure, self.figure, self.target, verdict]


def n(value: float) -> str:
    return f"{value:,.0f}"


def timed(work, *args, **kwargs) -> tuple[object, float]:
    began = time.perf_counter()
    result = work(*args, **kwargs)
    return result, time.perf_counter() - began


# --- import ------------------------------------------------------------------------------


def bench_import(*, scale: float, workdir: Path) -> tuple[list[Row], object]:
    """Import the same shape twice: bare (parse, dedup, COPY) and with suggested labels."""
    from bench.datasets import article_jsonl
    from labels.ingest import importing
    from labels.workflow import projects

    articles = max(10, int(2000 * scale))
    rows, imported = [], None
    for suggest in (False, True):
        path = workdir / f"import-{suggest}.jsonl"
        lines = article_jsonl(articles=articles, paragraphs=25, seed=SEED + suggest)
        path.write_text("\n".join(lines) + "\n", "utf-8")
        project = projects.create_project(slug=f"bench-import-{int(suggest)}", overlap=2)
        summary, seconds = timed(
            importing.import_paths, project=project, paths=[path], suggest=suggest
        )
        if summary.errors or summary.paragraphs != articles * 25:
            raise SystemExit(f"import failed: {summary.describe()} {summary.errors[:3]}")
        rate = summary.paragraphs / seconds
        what = f"{n(summary.paragraphs)} paragraphs ({n(articles)} articles, JSONL)"
        if suggest:
            rows.append(
                Row(
                    f"import {what} with suggested labels (the default)",
                    f"{n(rate)} paragraphs/s ({seconds:.2f} s)",
                    "reported",
                )
            )
        else:
            imported = project
            rows.append(
                Row(
                    f"import {what}: parse, dedup, COPY (--no-suggestions)",
                    f"{n(rate)} paragraphs/s ({seconds:.2f} s)",
                    "≥ 20,000 paragraphs/s",
                    rate >= 20_000,
                )
            )
    return rows, imported


# --- labelling over HTTP -------------------------------------------------------------------


def database_cpu_seconds() -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to this database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return sum(process_cpu_seconds(pid) for (pid,) in cursor.fetchall())


def bench_http(
    *,
    project,
    env: dict[str, str],
    clients: int,
    seconds: float,
    workers: int | None = None,
    threads: int | None = None,
) -> list[Row]:
    from django.contrib.auth.hashers import make_password

    from bench.consistency import lost_labels
    from bench.datasets import create_annotators
    from bench.http_load import label_articles

    # One hash for all: creating accounts is not what we measure; logging in still verifies it.
    users = create_annotators(
        prefix="http-", count=clients, project=project, password_hash=make_password(PASSWORD)
    )
    labels = list(project.labels.values_list("value", flat=True))
    with gunicorn(env=env, log=OUT / "gunicorn.log", workers=workers, threads=threads) as server:
        start_at = time.time() + 8  # after every client has logged in
        with ProcessPoolExecutor(max_workers=clients, mp_context=get_context("spawn")) as pool:
            futures = [
                pool.submit(
                    label_articles,
                    base_url=server.base_url,
                    username=user.username,
                    password=PASSWORD,
                    slug=project.slug,
                    labels=labels,
                    start_at=start_at,
                    stop_at=start_at + seconds,
                    seed=SEED + i,
                )
                for i, user in enumerate(users)
            ]
            # CPU the app and its database spend in the measured window, per request:
            # the figure that decides how far two cores go, whatever else runs on them.
            time.sleep(max(0.0, start_at - time.time()))
            app_before, db_before = workers_cpu_seconds(server), database_cpu_seconds()
            time.sleep(max(0.0, start_at + seconds - time.time()))
            app_cpu = workers_cpu_seconds(server) - app_before
            db_cpu = database_cpu_seconds() - db_before
            results = [future.result() for future in futures]
    errors = [r.error for r in results if r.error]
    if errors:
        raise SystemExit(f"HTTP clients failed: {errors}")
    label_ms = [x for r in results for x in r.latency_ms.get("label", [])]
    next_ms = [x for r in results for x in r.next_ms]
    failed: dict[str, int] = {}
    for r in results:
        for endpoint, count in r.errors.items():
            failed[endpoint] = failed.get(endpoint, 0) + count
    checked, lost = lost_labels(results)
    rate = len(label_ms) / seconds
    # Each next article is two requests (submit or start, then the page).
    requests = len(label_ms) + 2 * len(next_ms)
    p99 = percentile(label_ms, 99)
    label = f"{clients} clients × {seconds:.0f} s over HTTP ({server.describe()})"
    return [
        Row(
            f"labelling: {label}",
            f"{n(rate)} labels/s ({n(len(label_ms))} labels, "
            f"{sum(len(r.submitted) for r in results)} articles submitted)",
            "≥ 300 labels/s",
            rate >= 300,
        ),
        Row("label POST latency p50 / p95 / p99", ms(label_ms), "p99 < 30 ms", p99 < 30),
        Row(
            "next article over HTTP (submit + claim + page) p50 / p95 / p99",
            ms(next_ms),
            "reported",
        ),
        Row(
            "CPU per request during the run: app (gunicorn workers) + PostgreSQL",
            f"{app_cpu / requests * 1000:.1f} + {db_cpu / requests * 1000:.1f} ms "
            f"(≈ {n(requests)} requests)",
            "reported",
        ),
        Row(
            "labelling errors: unexpected answers, labels lost",
            f"{sum(failed.values())}{f' {failed}' if failed else ''}, "
            f"{len(lost)} lost of {n(checked)}",
            "0, 0",
            not failed and not lost,
        ),
    ]


# --- next-article latency at two sizes ----------------------------------------------------


def claim_latencies(
    *, slug: str, articles: int, claimers: int = 16, rounds: int = 25
) -> list[float]:
    from django.utils import timezone

    from bench.datasets import build_queue_project, create_annotators
    from labels.models import Assignment
    from labels.workflow import queue

    project = build_queue_project(slug=slug, articles=articles, seed=SEED)
    users = create_annotators(prefix=f"{slug}-", count=claimers, project=project, password_hash="!")
    latencies = []
    for _ in range(rounds):
        for user in users:
            assignment, seconds = timed(queue.claim_next, user=user, project=project)
            latencies.append(seconds * 1000)
            Assignment.objects.filter(pk=assignment.pk).update(
                status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
            )
    return latencies


def bench_queue(*, scale: float) -> list[Row]:
    small = claim_latencies(slug="queue-small", articles=1000)
    large_size = max(1000, int(100_000 * scale))
    large = claim_latencies(slug="queue-large", articles=large_size)
    ratio = percentile(large, 50) / percentile(small, 50)
    return [
        Row("next article (claim_next) at 1,000 articles p50 / p95 / p99", ms(small), "reported"),
        Row(
            f"next article (claim_next) at {n(large_size)} articles p50 / p95 / p99",
            ms(large) + f" ({ratio:.2f}× the 1,000 p50)",
            "flat: p50 ≤ 1.5× the 1,000 p50",
            ratio <= 1.5,
        ),
    ]


# --- agreement and export at a million -----------------------------------------------------


def bench_agreement(*, scale: float) -> list[Row]:
    from bench.datasets import build_labelled_project
    from labels.datasets import card

    articles = max(40, int(20_000 * scale))
    built, build_seconds = timed(
        build_labelled_project,
        slug="agreement",
        articles=articles,
        paragraphs=25,
        annotators=20,
        seed=SEED,
    )
    (figures, note), seconds = timed(card.agreement_figures, project=built.project)
    rows = [
        Row(
            f"build {n(built.paragraphs)} paragraphs + {n(built.annotations)} annotations (COPY)",
            f"{build_seconds:.1f} s",
            "fits in make bench",
            None,
        )
    ]
    if figures is None:
        _, matrix_seconds = timed(card.label_count_matrix, project=built.project)
        rows.append(
            Row(
                f"agreement on {n(built.annotations)} annotations",
                f"not measured: {note}; the label-count matrix alone takes {matrix_seconds:.2f} s",
                "< 2 s",
                None,
            )
        )
    else:
        rows.append(
            Row(
                f"agreement on {n(built.annotations)} annotations "
                "(SQL counts + labels.review.agreement.summarize, with its bootstrap CI)",
                f"{seconds:.2f} s",
                "< 2 s",
                seconds < 2,
            )
        )
    return rows


def _proc_sample(pid: int) -> tuple[float, float] | None:
    """(VmHWM in MB, CPU seconds) of a running process, from /proc; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    hwm = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM")), None)
    if hwm is None:  # exited, not yet reaped: its memory is gone
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return hwm / 1024, ticks / os.sysconf("SC_CLK_TCK")


def run_export(*, slug: str, env: dict[str, str], out: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS in MB and the summary of one export_gold process.

    Peak RSS is the process's own high-water mark (VmHWM), sampled every 20 ms. Not
    getrusage: after fork and exec it still reports the parent's size, and this parent
    holds the datasets it just built.
    """
    command = [sys.executable, "manage.py", "export_gold", "--project", slug, "--out", str(out)]
    log = out.with_suffix(".log")
    with log.open("w") as errors:
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=errors)
        peak, cpu = 0.0, 0.0
        while process.poll() is None:
            sample = _proc_sample(process.pid)
            if sample:
                peak, cpu = max(peak, sample[0]), sample[1]
            time.sleep(0.02)
        seconds = time.perf_counter() - began
    summary = log.read_text().strip()
    if process.returncode != 0:
        raise SystemExit(f"export_gold failed: {summary}")
    return seconds, cpu, peak, summary.splitlines()[-1]


def bench_export(*, scale: float, env: dict[str, str], workdir: Path) -> list[Row]:
    from bench.datasets import build_labelled_project

    articles = max(40, int(40_000 * scale))
    built, build_seconds = timed(
        build_labelled_project,
        slug="export",
        articles=articles,
        paragraphs=25,
        annotators=20,
        seed=SEED + 1,
    )
    seconds, cpu, peak_mb, summary = run_export(slug="export", env=env, out=workdir / "gold.jsonl")
    half_seconds, _, half_mb, _ = run_export(slug="agreement", env=env, out=workdir / "half.jsonl")
    rate = built.paragraphs / seconds
    return [
        Row(
            f"build {n(built.paragraphs)} paragraphs + {n(built.annotations)} annotations (COPY)",
            f"{build_seconds:.1f} s",
            "fits in make bench",
            None,
        ),
        Row(
            f"export {n(built.paragraphs)} paragraphs, 2 annotations each (whole command)",
            f"{n(rate)} paragraphs/s ({seconds:.1f} s wall, {cpu:.1f} s CPU; "
            f"{summary.split(':')[0]})",
            "≥ 50,000 paragraphs/s",
            rate >= 50_000,
        ),
        Row(
            "export peak RSS (whole process)",
            f"{peak_mb:.0f} MB at {n(built.paragraphs)} paragraphs, "
            f"{half_mb:.0f} MB at half that ({half_seconds:.1f} s)",
            "< 200 MB, flat",
            peak_mb < 200,
        ),
    ]


# --- the table ----------------------------------------------------------------------------


def bench_learning_rows() -> list[Row]:
    """The learning curve (bench/bench_learning.py): its table and SVG, and the goal rows."""
    from bench import bench_learning

    results = bench_learning.run()
    print(bench_learning.table(results))
    bench_learning.SVG.parent.mkdir(parents=True, exist_ok=True)
    bench_learning.SVG.write_text(bench_learning.svg(results), "utf-8")
    return [
        Row(
            f"learned suggestions: {what}",
            f"{figure:.3f}",
            f"≥ {goal:.2f} and above the rules",
            met,
        )
        for what, figure, goal, met in bench_learning.goals(results)
    ]


def bench_extractor_rows() -> list[Row]:
    """Extractors on corpus/ with the public benchmark's metric (bench/bench_extractors.py)."""
    from bench import bench_extractors

    results = bench_extractors.run()
    print(bench_extractors.table(results))
    return [
        Row(
            f"extractor {name} on corpus/ (F1 ± std, accuracy)",
            f"{r['f1']:.3f} ± {r['f1_std']:.3f}, {r['accuracy']:.3f}",
            "reported",
        )
        for name, r in sorted(results.items(), key=lambda item: -item[1]["f1"])
    ]


def markdown_table(rows: list[Row], *, meta: str) -> str:
    header = ["measure", "result", "target", "met"]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | --- | --- | --- |",
        *("| " + " | ".join(row.cells()) + " |" for row in rows),
    ]
    return "\n".join(lines) + f"\n\n{meta}\n"


def write_readme(
    path: Path, table: str, *, start_mark: str = README_START, end_mark: str = README_END
) -> None:
    text = path.read_text("utf-8")
    start, end = text.index(start_mark), text.index(end_mark)
    path.write_text(text[: start + len(start_mark)] + "\n" + table + text[end:], "utf-8")


def step_marks(step: str) -> tuple[str, str]:
    """The markers of a step's own table in the results file (a run of that step alone)."""
    return f"<!-- bench:{step}:start -->", f"<!-- bench:{step}:end -->"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench"
        ),
    )
    arguments.add_argument("--seconds", type=float, default=30)
    arguments.add_argument("--clients", type=int, default=8)
    arguments.add_argument(
        "--workers", type=int, help="gunicorn workers (gunicorn.conf.py's default)"
    )
    arguments.add_argument("--threads", type=int, help="gunicorn threads per worker (default 1)")
    arguments.add_argument("--scale", type=float, default=1.0)
    arguments.add_argument("--readme", type=Path, help="replace the results table in this file")
    arguments.add_argument(
        "--only",
        default=",".join(STEPS),
        help="comma-separated steps to run (http needs import)",
    )
    options = arguments.parse_args()

    env = production_environment(options.database_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    os.chdir(ROOT)
    recreate_database(options.database_url, marks=("bench",))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        steps = set(options.only.split(","))
        if steps & {"import", "http"}:
            import_rows, imported = bench_import(scale=options.scale, workdir=workdir)
            rows += import_rows
        if "http" in steps:
            rows += bench_http(
                project=imported,
                env=env,
                clients=options.clients,
                seconds=options.seconds,
                workers=options.workers,
                threads=options.threads,
            )
        if "queue" in steps:
            rows += bench_queue(scale=options.scale)
        if steps & {"agreement", "export"}:
            rows += bench_agreement(scale=options.scale)
        if "export" in steps:
            rows += bench_export(scale=options.scale, env=env, workdir=workdir)
        if "imports" in steps:
            from bench.bench_imports import bench_imports

            rows += bench_imports(scale=options.scale, env=env, workdir=workdir)
        if "api" in steps:
            from bench.bench_api import bench_api

            rows += bench_api(
                scale=options.scale,
                env=env,
                workdir=workdir,
                clients=options.clients,
                seconds=options.seconds,
            )
        if "learning" in steps:
            rows += bench_learning_rows()
        if "extractors" in steps:
            rows += bench_extractor_rows()
        if "screen" in steps:
            from bench.bench_labelling_screen import bench_labelling_screen

            rows += bench_labelling_screen(env=env, workdir=workdir)
        if "control" in steps:
            from bench.bench_control_room import bench_control_room

            rows += bench_control_room(scale=options.scale)
    total = time.perf_counter() - began
    meta = (
        f"Run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}), "
        f"Python {platform.python_version()}, PostgreSQL on 127.0.0.1, scale {options.scale:g}; "
        f"the run took {total:.0f} s. Latencies are p50 / p95 / p99. Load average "
        f"(other work on the machine) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after."
    )
    table = markdown_table(rows, meta=meta)
    print(table)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(table, "utf-8")
    (OUT / "results.json").write_text(
        json.dumps([row.__dict__ for row in rows], indent=2, ensure_ascii=False), "utf-8"
    )
    if options.readme and options.scale == 1:
        if steps == set(STEPS):
            write_readme(options.readme, table)
        # The step's own table, when it has one, from a run of it alone or of every step.
        for step in steps & set(STEP_ROWS):
            start_mark, end_mark = step_marks(step)
            if start_mark in options.readme.read_text("utf-8"):
                step_table = markdown_table(
                    [row for row in rows if row.measure.startswith(STEP_ROWS[step])], meta=meta
                )
                write_readme(options.readme, step_table, start_mark=start_mark, end_mark=end_mark)


if __name__ == "__main__":
    main()
