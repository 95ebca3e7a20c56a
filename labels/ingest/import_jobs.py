"""Imports run by the background worker: big web uploads and every API import.

The files are stored in the database (``JobFile``) with the job, so any worker can read them,
and deleted once the job has succeeded. Each file is imported in its own transaction, exactly
as ``import_articles`` does: a worker killed mid-file leaves that file unwritten (the database
rolls the transaction back) and the files before it whole. A retry imports every file again;
the ones that landed count as duplicates (dedup by content hash), so nothing lands twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_tasks import task

from labels.ingest import importing
from labels.jobs import files as job_files
from labels.jobs import records, webhooks
from labels.models import Job, JobFile, Project


def start_import(
    *,
    project: Project,
    files: Iterable[tuple[str, bytes | BinaryIO]],
    user: AbstractBaseUser | None = None,
    fmt: str = "auto",
) -> Job:
    """Store the files (read a part at a time) and queue their import; returns the queued job."""
    files = list(files)
    with transaction.atomic():
        job = records.create_job(
            project=project,
            kind=Job.Kind.IMPORT,
            task=run_import,
            user=user,
            params={"format": fmt, "files": [name for name, _ in files]},
            total=len(files),
        )
        for order, (name, data) in enumerate(files):
            job_files.store_file(job=job, name=name, data=data, order=order)
    return job


@task(takes_context=True)
def run_import(context: Any, job_id: int) -> dict[str, Any]:
    """The import job: every stored file, each in its own transaction."""
    return records.run_job(
        job_id=job_id, worker_id=records.worker_id_of(context), body=import_files
    )


def import_files(job: Job) -> tuple[dict[str, Any], list[str]]:
    """Import the job's files in order, recording progress after each."""
    fmt = job.params.get("format", "auto")
    summary = importing.ImportSummary()
    orders = job_files.stored_orders(job=job)
    records.set_progress(job=job, done=0, total=len(orders))
    for done, order in enumerate(orders, start=1):
        name, stream = job_files.open_stored_file(job=job, order=order)
        with stream:
            summary.outcomes.extend(
                importing.import_source(project=job.project, data=stream, name=name, fmt=fmt)
            )
        records.set_progress(job=job, done=done)
    JobFile.objects.filter(job=job).delete()
    result = summary_result(summary)
    webhooks.notify(
        project=job.project,
        event="import.finished",
        data={"job": job.pk, **{k: v for k, v in result.items() if k != "outcomes"}},
    )
    return result, summary.errors


def summary_result(summary: importing.ImportSummary) -> dict[str, Any]:
    """The JSON result of an import: totals, a one-line description and each file's outcome."""
    return {
        "files": summary.files,
        "articles": summary.articles,
        "duplicates": summary.duplicates,
        "paragraphs": summary.paragraphs,
        "skipped": summary.skipped,
        "summary": summary.describe(),
        "outcomes": [asdict(outcome) for outcome in summary.outcomes],
    }
