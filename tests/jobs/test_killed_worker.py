"""A worker killed with SIGKILL in the middle of an import leaves no half-written file, its
job is marked failed by the next worker, and a retry finishes the import exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from labels.ingest import import_jobs
from labels.jobs import workers
from labels.models import Article, Job
from tests.background import run_queued_jobs
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
FILES = 4
ARTICLES_PER_FILE = 1500
PARAGRAPHS = 3


def big_file(number: int) -> bytes:
    return b"\n".join(
        json.dumps(
            {
                "id": f"f{number}-{n}",
                "paragraphs": [
                    f"File {number} article {n} paragraph {p}." for p in range(PARAGRAPHS)
                ],
            }
        ).encode()
        for n in range(ARTICLES_PER_FILE)
    )


def database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test-only-secret-key",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--no-reload",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_import_leaves_whole_files_only_and_a_retry_completes_it(settings):
    project = ProjectFactory(show_suggestions=False)
    job = import_jobs.start_import(
        project=project, files=[(f"part{n}.jsonl", big_file(n)) for n in range(FILES)]
    )
    worker = start_worker()
    try:
        # Kill it once the first file has landed and the second is being written.
        wait_for(lambda: Job.objects.get(pk=job.pk).done >= 1, timeout=120, what="the first file")
        time.sleep(0.15)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.status == "running"  # killed: it never got to say anything
    assert job.done < FILES, "the worker finished before it was killed; make the files bigger"

    # Whole files only: every article has all its paragraphs, and articles come in whole files.
    per_file = Article.objects.filter(project=project).values("external_id")
    sizes = (
        Article.objects.filter(project=project)
        .annotate(n=Count("paragraphs"))
        .values_list("n", flat=True)
    )
    assert set(sizes) <= {PARAGRAPHS}
    assert per_file.count() % ARTICLES_PER_FILE == 0
    landed = per_file.count() // ARTICLES_PER_FILE
    assert 1 <= landed < FILES

    # The next worker (here: the check it runs on start and on every heartbeat) fails the job.
    settings.WORKER_DEAD_AFTER_SECONDS = 0
    assert workers.fail_orphaned_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "stopped before it finished" in job.failure

    from labels.jobs import records

    records.retry_job(job=job)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.result["articles"] == (FILES - landed) * ARTICLES_PER_FILE
    assert job.result["duplicates"] == landed * ARTICLES_PER_FILE
    assert Article.objects.filter(project=project).count() == FILES * ARTICLES_PER_FILE
