"""The load test behind ``make loadtest``: many annotators at once against the production server.

Run from the repository root: ``.venv/bin/python -m bench.loadtest [--database-url URL]``.
The database in the URL is DROPPED and re-created (its name must contain "load" or "bench").
It gets one project of seeded synthetic articles and --clients annotator accounts; gunicorn
then serves the app with gunicorn.conf.py and production settings on a free 127.0.0.1 port
(only the TLS redirect is off: the loopback has no TLS), and one process per annotator logs
in through the login form and labels through the real HTTP endpoints (bench/http_load.py):
project page, start labelling, the article page, one label POST per paragraph as htmx sends
it with the CSRF header, now and then a corrected label or an undo, submit. The run is
bounded twice: each client opens at most --articles articles, and everything stops after
--seconds. The project holds fewer articles than the clients ask for, so the queue's last
slots are fought over.

Afterwards the database is compared with what the clients were told: every acknowledged
label stored with the value last sent for that paragraph by that annotator, every
acknowledged submit submitted with all its labels, never more than ``overlap`` live
assignments on an article. One table (requests, errors, 5xx and p50/p95/p99 per endpoint)
goes to stdout and bench/out/loadtest.md; ``--readme docs/benchmarks.md`` also puts it between the
``loadtest:results`` markers there. Exit status 1 on any 5xx, unexpected answer, lost label
or broken invariant.

With ``--faults`` (``make loadtest LOADTEST_FAULTS=1``) a gunicorn worker is SIGKILLed while
labelling and another in the middle of an upload, and PostgreSQL is restarted during the run
(bench/faults.py; LOADTEST_POSTGRES_RESTART names the restart command). The same checks must
hold; answers a fault caused (503 "try again" while the database restarts) are reported
instead of failing the run, a 500 still fails it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from bench import faults
from bench.http_load import EXPECTED, ClientResult, label_articles
from bench.latency import percentile
from bench.server import (
    ROOT,
    Server,
    gunicorn,
    production_environment,
    recreate_database,
    workers_peak_memory_mb,
)

OUT = ROOT / "bench" / "out"
SEED = 20_250_707
PASSWORD = "loadtest-password-not-secret"
SLUG = "load"
README_START = "<!-- loadtest:results:start -->"
README_END = "<!-- loadtest:results:end -->"
# A run with --faults has its own place (docs/operations.md), next to what the faults are.
FAULTS_START = "<!-- loadtest-faults:results:start -->"
FAULTS_END = "<!-- loadtest-faults:results:end -->"
# How much longer than --seconds a client may take to notice the deadline: one request's
# socket timeout in bench/http_load.py, plus slack.
CLIENT_GRACE_SECONDS = 40


@dataclass
class Plan:
    clients: int
    articles_per_client: int
    paragraphs: int
    seconds: float
    overlap: int = 2

    @property
    def articles(self) -> int:
        """Fewer than the clients ask for (80 %), so some of them find nothing left."""
        wanted = self.clients * self.articles_per_client
        return max(1, math.floor(wanted * 0.8 / self.overlap))

    def request_limit(self) -> int:
        """Most requests one run can make: login page, log in, project page, start; per
        article its page, two labels and an undo per paragraph, one refill per undo, submit."""
        per_article = 1 + self.paragraphs * 4 + 1
        return self.clients * (4 + self.articles_per_client * per_article)


def build_project(plan: Plan, workdir: Path) -> tuple[object, list]:
    """The project, imported through the real importer, and the annotator accounts."""
    from django.contrib.auth.hashers import make_password

    from bench.datasets import article_jsonl, create_annotators
    from labels.ingest import importing
    from labels.workflow import projects

    path = workdir / "articles.jsonl"
    lines = article_jsonl(articles=plan.articles, paragraphs=plan.paragraphs, seed=SEED)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    project = projects.create_project(slug=SLUG, overlap=plan.overlap)
    summary = importing.import_paths(project=project, paths=[path], suggest=False)
    if summary.errors or summary.articles != plan.articles:
        raise SystemExit(f"import failed: {summary.describe()} {summary.errors[:3]}")
    # One hash for all: creating accounts is not what we measure; each login still checks it.
    users = create_annotators(
        prefix="load-", count=plan.clients, project=project, password_hash=make_password(PASSWORD)
    )
    return project, users


def run_clients(plan: Plan, server: Server, users: list, labels: list[str]) -> list[ClientResult]:
    """Every annotator in a process of its own, from now until ``plan.seconds`` from now."""
    start_at = time.time()
    stop_at = start_at + plan.seconds
    results = []
    with ProcessPoolExecutor(max_workers=plan.clients, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(
                label_articles,
                base_url=server.base_url,
                username=user.username,
                password=PASSWORD,
                slug=SLUG,
                labels=labels,
                start_at=start_at,
                stop_at=stop_at,
                seed=SEED + i,
                max_articles=plan.articles_per_client,
                relabel_rate=0.1,
                undo_rate=0.08,
            )
            for i, user in enumerate(users)
        ]
        for user, future in zip(users, futures, strict=True):
            try:
                left = stop_at + CLIENT_GRACE_SECONDS - time.time()
                results.append(future.result(timeout=max(1.0, left)))
            except FuturesTimeout:
                results.append(ClientResult(user.username, error="did not stop in time"))
    return results


def endpoint_rows(results: list[ClientResult], *, lost: int) -> list[list[str]]:
    """Per endpoint: requests, errors, 5xx, lost labels (on the label row) and latencies."""
    rows = []
    everything: list[float] = []
    totals = [0, 0, 0]
    for endpoint in EXPECTED:
        latencies = [ms for r in results for ms in r.latency_ms.get(endpoint, [])]
        statuses = [(s, n) for r in results for s, n in r.statuses.get(endpoint, {}).items()]
        requests = sum(n for _, n in statuses)
        errors = sum(r.errors.get(endpoint, 0) for r in results)
        server_errors = sum(n for s, n in statuses if s >= 500)
        everything += latencies
        totals = [totals[0] + requests, totals[1] + errors, totals[2] + server_errors]
        counts = [f"{requests:,}", str(errors), str(server_errors)]
        lost_here = str(lost) if endpoint == "label" else "–"
        rows.append([endpoint, *counts, lost_here, *quantiles(latencies)])
    bold = [f"**{value:,}**" for value in (*totals, lost)]
    rows.append(["**all**", *bold, *quantiles(everything)])
    return rows


def megabytes(values: list[float]) -> str:
    low, high = f"{min(values):.0f}", f"{max(values):.0f}"
    return f"{low} MB" if low == high else f"{low}–{high} MB"


def quantiles(latencies: list[float]) -> list[str]:
    if not latencies:
        return ["–", "–", "–"]
    return [f"{percentile(latencies, p):.0f}" for p in (50, 95, 99)]


def verify(
    plan: Plan, project: object, results: list[ClientResult]
) -> tuple[list[tuple[str, str]], int]:
    """(check, outcome) lines, a failed check's outcome starting with "FAILED"; lost labels."""
    from axes.models import AccessAttempt

    from bench.consistency import (
        incomplete_submissions,
        lost_labels,
        overbooked_articles,
        unconfirmed_submissions,
    )

    def outcome(problems: list[str], ok: str) -> str:
        if not problems:
            return ok
        shown = "; ".join(problems[:3]) + (
            f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        return f"FAILED ({len(problems)}): {shown}"

    checked, lost = lost_labels(results)
    acknowledged = sum(len(r.submitted) for r in results)
    submitted = unconfirmed_submissions(results) + incomplete_submissions(project=project)
    overbooked = overbooked_articles(project=project)
    logged_in = sum(r.statuses.get("log in", {}).get(302, 0) for r in results)
    failed_logins = AccessAttempt.objects.count()
    crashed = [f"{r.username}: {r.error}" for r in results if r.error]
    uncertain = sum(len(r.uncertain) for r in results)
    differed = sum(r.undo_differed for r in results)
    checks = [
        (
            "lost labels",
            outcome(
                lost,
                f"0 of {checked:,}: every paragraph each annotator touched holds the label "
                "the server last acknowledged to them (none where an undo cleared it)",
            ),
        ),
        (
            "submitted articles",
            outcome(submitted, f"{acknowledged} acknowledged, all submitted with every label"),
        ),
        (
            f"live assignments per article ≤ overlap {plan.overlap}",
            outcome(
                overbooked,
                f"{plan.articles} articles, {plan.articles * plan.overlap} slots for "
                f"{plan.clients * plan.articles_per_client} asked-for articles; "
                f"{sum(r.ran_out for r in results)} annotators were told nothing was left",
            ),
        ),
        (
            "logins through the form",
            outcome(
                [f"{plan.clients - logged_in} failed"] if logged_in < plan.clients else [],
                f"{logged_in} of {plan.clients} from 127.0.0.1; django-axes recorded "
                f"{failed_logins} failed attempts",
            ),
        ),
        (
            "clients",
            outcome(
                crashed,
                f"{len(results)} finished, {uncertain} unanswered writes, {differed} undo "
                "answers unlike the client's own stack (a retried write's extra history step)",
            ),
        ),
    ]
    return checks, len(lost)


def markdown(rows: list[list[str]], checks: list[tuple[str, str]], meta: str) -> str:
    header = ["endpoint", "requests", "errors", "5xx", "lost labels", "p50 ms", "p95 ms", "p99 ms"]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- |" + " ---: |" * (len(header) - 1),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        *(f"- {check}: {outcome}" for check, outcome in checks),
        "",
        meta,
    ]
    return "\n".join(lines) + "\n"


def write_readme(
    path: Path, text: str, markers: tuple[str, str] = (README_START, README_END)
) -> None:
    document = path.read_text("utf-8")
    start, end = document.index(markers[0]), document.index(markers[1])
    path.write_text(document[: start + len(markers[0])] + "\n" + text + document[end:], "utf-8")


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_load"
        ),
    )
    arguments.add_argument("--clients", type=int, default=50)
    arguments.add_argument("--articles", type=int, default=3, help="most articles per client")
    arguments.add_argument("--paragraphs", type=int, default=8, help="paragraphs per article")
    arguments.add_argument("--seconds", type=float, default=60, help="hard stop for the clients")
    arguments.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's)")
    arguments.add_argument("--threads", type=int, help="gunicorn threads per worker")
    arguments.add_argument("--readme", type=Path, help="replace the results in this file")
    arguments.add_argument(
        "--faults",
        action="store_true",
        default=os.environ.get("LOADTEST_FAULTS", "") == "1",
        help="kill workers and restart PostgreSQL during the run (bench/faults.py)",
    )
    options = arguments.parse_args()
    plan = Plan(options.clients, options.articles, options.paragraphs, options.seconds)

    env = production_environment(options.database_url)
    if options.faults:
        # The fault run kills the web worker that is importing an upload, so the upload must
        # be imported in the request, not handed to the background worker.
        env["BACKGROUND_UPLOAD_MB"] = str(10**6)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    os.chdir(ROOT)
    recreate_database(options.database_url, marks=("load", "bench"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        project, users = build_project(plan, Path(tmp))
    labels = list(project.labels.values_list("value", flat=True))
    fault_report = faults.FaultReport() if options.faults else None
    if options.faults:
        from django.contrib.auth.hashers import make_password

        accounts = faults.prepare(password=PASSWORD, password_hash=make_password(PASSWORD))
    load_before = os.getloadavg()[0]
    log = OUT / "loadtest-gunicorn.log"
    with gunicorn(env=env, log=log, workers=options.workers, threads=options.threads) as server:
        began = time.perf_counter()
        injector = None
        if fault_report is not None:
            injector = threading.Thread(
                target=faults.run_faults,
                kwargs={
                    "server": server,
                    "seconds": plan.seconds,
                    "reviewer": accounts.reviewer,
                    "probe": accounts.probe,
                    "report": fault_report,
                    "slug": SLUG,
                    "clients": plan.clients,
                },
            )
            injector.start()
        results = run_clients(plan, server, users, labels)
        if injector is not None:
            injector.join()
        wall = time.perf_counter() - began
        memory = workers_peak_memory_mb(server)
    from django.db import connection

    connection.close()  # a restart during the run has closed it
    checks, lost = verify(plan, project, results)
    if fault_report is not None:
        checks += faults.checks(fault_report)
    rows = endpoint_rows(results, lost=lost)
    requests = sum(r.requests() for r in results)
    stopped = sum(r.stopped_at_deadline for r in results)
    meta = (
        f"Run {time.strftime('%Y-%m-%d')}: {plan.clients} annotators, at most "
        f"{plan.articles_per_client} articles of {plan.paragraphs} paragraphs each, against "
        f"{server.describe()} on {os.cpu_count()} cores ({platform.machine()}, Python "
        f"{platform.python_version()}, PostgreSQL on 127.0.0.1). {requests:,} requests "
        f"(limit {plan.request_limit():,}) in {wall:.1f} s (limit {plan.seconds:.0f} s), "
        f"{requests / wall:.0f} requests/s; {stopped} clients stopped at the time limit. "
        f"Peak memory per worker {megabytes(memory)}. "
        f"Errors are answers other than a browser expects (5xx among them). Load average "
        f"(other work on the machine) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after."
    )
    if fault_report is not None:
        retried = sum(
            n for r in results for e in r.statuses.values() for s, n in e.items() if s == 503
        )
        meta += (
            f" Faults: {'; '.join(fault_report.events)}. {retried} answers were 503 "
            '"try again" while the database restarted (not acknowledged, so not counted on).'
        )
    text = markdown(rows, checks, meta)
    print(text)
    OUT.mkdir(exist_ok=True)
    (OUT / "loadtest.md").write_text(text, "utf-8")
    errors = sum(sum(r.errors.values()) for r in results)
    if fault_report is not None:  # a fault's 503s are expected; every other error still counts
        errors -= sum(
            n for r in results for e in r.statuses.values() for s, n in e.items() if s == 503
        )
    failed = errors or any(outcome.startswith("FAILED") for _, outcome in checks)
    if options.readme:
        markers = (FAULTS_START, FAULTS_END) if options.faults else (README_START, README_END)
        write_readme(options.readme, text, markers)
    if failed:
        print(
            f"load test FAILED: {errors} unexpected answers; see the checks above", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
