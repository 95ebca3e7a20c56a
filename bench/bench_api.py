"""``make bench`` rows for the REST API and the default import, over HTTP where it says so.

- the default import (parse, dedup, COPY, suggestions queued) against raw COPY of the same
  rows, side by side: the default must reach half of raw COPY's throughput;
- an API import of 50,000 paragraphs: 202, the job done, the suggestions done (a real
  ``run_worker`` process beside gunicorn);
- an API gold export of 50,000 annotated paragraphs (streamed over HTTP);
- 8 API clients labelling through next / labels / submit.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from bench.latency import ms
from bench.server import ROOT, gunicorn

ARTICLES = 2000
PARAGRAPHS = 25


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _rows():
    from bench.run import Row

    return Row


# --- default import against raw COPY -------------------------------------------------------


def raw_copy(*, project, lines: list[str]) -> float:
    """COPY the same articles and paragraphs with every value ready: the floor of an import."""
    import hashlib

    from django.db import connection, transaction
    from django.utils import timezone

    from labels.ingest.importing import text_hash
    from labels.models import Article

    now = timezone.now()
    parsed = [json.loads(line) for line in lines]
    article_rows = [
        (
            project.pk,
            doc["id"],
            doc.get("title", ""),
            doc.get("url", ""),
            "news.example.org",
            json.dumps(doc.get("meta", {})),
            hashlib.sha256("\0".join(doc["paragraphs"]).encode()).hexdigest(),
            project.overlap,
            True,
            now,
        )
        for doc in parsed
    ]
    # Every value ready before the clock starts, text hashes included: the floor of an import.
    paragraph_values = [
        [
            (index, text, "{}", text_hash(text), "", None, "", "")
            for index, text in enumerate(doc["paragraphs"])
        ]
        for doc in parsed
    ]
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY labels_article (project_id, external_id, title, url, source, meta, "
            "content_hash, open_slots, suggestions_ready, imported_at) FROM STDIN"
        ) as copy:
            for row in article_rows:
                copy.write_row(row)
        ids = dict(Article.objects.filter(project=project).values_list("external_id", "pk"))
        with raw.copy(
            "COPY labels_paragraph (article_id, index, text, meta, text_hash, suggested_label, "
            "suggestion_confidence, suggestion_source, suggestion_version) FROM STDIN"
        ) as copy:
            for doc, values in zip(parsed, paragraph_values, strict=True):
                article_id = ids[doc["id"]]
                for row in values:
                    copy.write_row((article_id, *row))
    return time.perf_counter() - began


def bench_default_import(*, scale: float, workdir: Path) -> list:
    from bench.datasets import article_jsonl
    from labels.ingest import importing
    from labels.workflow import projects

    Row = _rows()
    articles = max(10, int(ARTICLES * scale))
    lines = list(article_jsonl(articles=articles, paragraphs=PARAGRAPHS, seed=7001))
    path = workdir / "default-import.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    default = projects.create_project(slug="bench-default-import")
    began = time.perf_counter()
    summary = importing.import_paths(project=default, paths=[path])
    default_seconds = time.perf_counter() - began
    if summary.errors:
        raise SystemExit(f"default import failed: {summary.errors[:3]}")
    raw = projects.create_project(slug="bench-raw-copy")
    raw_seconds = raw_copy(project=raw, lines=lines)
    paragraphs = articles * PARAGRAPHS
    share = raw_seconds / default_seconds
    return [
        Row(
            f"default import of {_n(paragraphs)} paragraphs (parse, dedup, COPY; suggestions "
            "queued as a job) against raw COPY of the same rows",
            f"{_n(paragraphs / default_seconds)} vs {_n(paragraphs / raw_seconds)} paragraphs/s "
            f"({default_seconds:.2f} s vs {raw_seconds:.2f} s): {share:.0%} of COPY",
            "≥ 50% of raw COPY",
            share >= 0.5,
        )
    ]


# --- over HTTP -----------------------------------------------------------------------------


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_job(session, base: str, url: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(base + url).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise SystemExit(f"job {url} did not finish in {timeout} s")


@dataclass
class ClientResult:
    labels: int = 0
    articles: int = 0
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def label_over_api(
    *,
    base: str,
    token: str,
    slug: str,
    labels: list[str],
    start_at: float,
    stop_at: float,
    seed: int,
) -> ClientResult:
    """One API client: next, one PUT with every paragraph's label, submit, until stop_at."""
    import requests

    rng = random.Random(seed)
    result = ClientResult()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def timed(name: str, method: str, url: str, **kwargs):
        began = time.perf_counter()
        answer = session.request(method, base + url, timeout=30, **kwargs)
        result.latency_ms.setdefault(name, []).append((time.perf_counter() - began) * 1000)
        return answer

    try:
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            claimed = timed("next", "POST", f"/api/v1/projects/{slug}/next/")
            if claimed.status_code == 204:
                break
            if claimed.status_code != 200:
                result.errors["next"] = result.errors.get("next", 0) + 1
                continue
            work = claimed.json()
            body = {
                "labels": [
                    {"index": p["index"], "label": rng.choice(labels)} for p in work["paragraphs"]
                ]
            }
            put = timed(
                "labels", "PUT", f"/api/v1/assignments/{work['assignment']}/labels/", json=body
            )
            if put.status_code != 200:
                result.errors["labels"] = result.errors.get("labels", 0) + 1
                continue
            result.labels += len(body["labels"])
            done = timed("submit", "POST", f"/api/v1/assignments/{work['assignment']}/submit/")
            if done.status_code != 200:
                result.errors["submit"] = result.errors.get("submit", 0) + 1
                continue
            result.articles += 1
    except Exception as exc:  # reported in the table, never hidden
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def bench_api_http(
    *, scale: float, env: dict[str, str], workdir: Path, clients: int, seconds: float
) -> list:
    import requests
    from django.contrib.auth import get_user_model

    from bench.datasets import article_jsonl, build_labelled_project, create_annotators
    from labels.models import Membership
    from labels.workflow import api_tokens, projects

    Row = _rows()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    articles = max(10, int(ARTICLES * scale))
    paragraphs = articles * PARAGRAPHS
    staff = get_user_model().objects.create(username="bench-api-staff", is_staff=True)
    token = api_tokens.create_token(user=staff, name="bench").secret
    project = projects.create_project(slug="bench-api-import")
    Membership.objects.create(project=project, user=staff, role="reviewer")
    body = (
        "\n".join(article_jsonl(articles=articles, paragraphs=PARAGRAPHS, seed=7002)) + "\n"
    ).encode()
    gold_articles = max(10, int(ARTICLES * scale))
    build_labelled_project(
        slug="bench-api-gold",
        articles=gold_articles,
        paragraphs=PARAGRAPHS,
        annotators=10,
        seed=7003,
    )
    labelling = projects.create_project(slug="bench-api-label")
    users = create_annotators(prefix="api-", count=clients, project=labelling, password_hash="!")
    tokens = [api_tokens.create_token(user=user, name="bench").secret for user in users]
    labelling_lines = "\n".join(
        article_jsonl(articles=max(50, int(4000 * scale)), paragraphs=PARAGRAPHS, seed=7004)
    )
    from labels.ingest import importing
    from labels.jobs import suggesting

    importing.import_source(project=labelling, data=labelling_lines.encode(), name="label.jsonl")
    suggesting.suggest_now(project=labelling)
    label_values = list(labelling.labels.values_list("value", flat=True))

    worker = start_worker(env, out / "worker.log")
    try:
        with gunicorn(env=env, log=out / "gunicorn-api.log") as server:
            base = server.base_url
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            # 1. API import: 202, job done, suggestions done.
            began = time.perf_counter()
            accepted = session.post(
                f"{base}/api/v1/projects/bench-api-import/imports/?name=bench.jsonl",
                data=body,
                headers={"Content-Type": "application/x-ndjson"},
            )
            accepted_seconds = time.perf_counter() - began
            if accepted.status_code != 202:
                raise SystemExit(
                    f"API import refused: {accepted.status_code} {accepted.text[:200]}"
                )
            job = wait_job(session, base, accepted.json()["url"])
            job_seconds = time.perf_counter() - began
            if job["status"] != "succeeded" or job["result"]["paragraphs"] != paragraphs:
                raise SystemExit(f"API import job failed: {job}")
            while session.get(f"{base}/api/v1/projects/bench-api-import/").json()["articles"][
                "awaiting_suggestions"
            ]:
                time.sleep(0.1)
            ready_seconds = time.perf_counter() - began
            # 2. Gold export over HTTP.
            began = time.perf_counter()
            with session.get(f"{base}/api/v1/projects/bench-api-gold/gold/", stream=True) as answer:
                size = sum(len(chunk) for chunk in answer.iter_content(1 << 16))
                lines_ok = answer.status_code == 200
            gold_seconds = time.perf_counter() - began
            # 3. API clients labelling.
            start_at = time.time() + 3
            with ProcessPoolExecutor(max_workers=clients, mp_context=get_context("spawn")) as pool:
                futures = [
                    pool.submit(
                        label_over_api,
                        base=base,
                        token=client_token,
                        slug="bench-api-label",
                        labels=label_values,
                        start_at=start_at,
                        stop_at=start_at + seconds,
                        seed=i,
                    )
                    for i, client_token in enumerate(tokens)
                ]
                results = [future.result() for future in futures]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    failures = [r.error for r in results if r.error]
    errors: dict[str, int] = {}
    for r in results:
        for name, count in r.errors.items():
            errors[name] = errors.get(name, 0) + count
    put_ms = [x for r in results for x in r.latency_ms.get("labels", [])]
    labels = sum(r.labels for r in results)
    gold_paragraphs = gold_articles * PARAGRAPHS
    return [
        Row(
            f"API import of {_n(paragraphs)} paragraphs over HTTP (raw JSONL body, worker beside gunicorn)",
            f"202 in {accepted_seconds:.2f} s; job done in {job_seconds:.1f} s "
            f"({_n(paragraphs / job_seconds)} paragraphs/s); suggestions done in {ready_seconds:.1f} s",
            "reported",
        ),
        Row(
            f"API gold export of {_n(gold_paragraphs)} annotated paragraphs over HTTP (streamed JSONL)",
            f"{_n(gold_paragraphs / gold_seconds)} paragraphs/s ({gold_seconds:.1f} s, "
            f"{size / 1e6:.1f} MB)",
            "reported",
            lines_ok or None,
        ),
        Row(
            f"{clients} API clients labelling through next / labels / submit × {seconds:.0f} s",
            f"{_n(labels / seconds)} labels/s ({sum(r.articles for r in results)} articles); "
            f"PUT labels (25 paragraphs) {ms(put_ms)}",
            "0 errors",
            not failures and not errors,
        ),
    ] + (
        [Row("API client failures", f"{failures[:2]} {errors}", "none", False)]
        if failures or errors
        else []
    )


def bench_api(
    *, scale: float, env: dict[str, str], workdir: Path, clients: int = 8, seconds: float = 30
) -> list:
    """Every row of this module."""
    rows = bench_default_import(scale=scale, workdir=workdir)
    rows += bench_api_http(scale=scale, env=env, workdir=workdir, clients=clients, seconds=seconds)
    return rows
