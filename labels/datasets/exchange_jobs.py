"""Annotation imports run by the background worker (the API's POST .../annotations/).

The file is stored with the job (``JobFile``) and imported all or nothing, exactly as
``import_annotations`` does; a file with bad lines fails the job with every ``FILE:LINE``.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_tasks import task

from labels.datasets import annotation_exchange
from labels.datasets.annotation_records import RecordErrors
from labels.jobs import files as job_files
from labels.jobs import records
from labels.models import Job, Project


def start_annotation_import(
    *, project: Project, data: bytes | BinaryIO, name: str, user: AbstractBaseUser | None = None
) -> Job:
    """Store the file and queue its import; returns the queued job."""
    with transaction.atomic():
        job = records.create_job(
            project=project,
            kind=Job.Kind.ANNOTATION_IMPORT,
            task=run_annotation_import,
            user=user,
            params={"files": [name]},
            total=1,
        )
        job_files.store_file(job=job, name=name, data=data)
    return job


@task(takes_context=True)
def run_annotation_import(context: Any, job_id: int) -> dict[str, Any]:
    """The annotation import job."""
    return records.run_job(
        job_id=job_id, worker_id=records.worker_id_of(context), body=import_annotation_file
    )


def import_annotation_file(job: Job) -> tuple[dict[str, Any], list[str]]:
    """Import the job's one file, all or nothing."""
    name, stream = job_files.open_stored_file(job=job)
    try:
        with stream:
            summary = annotation_exchange.import_annotations(
                project=job.project, data=stream, name=name
            )
    except RecordErrors as exc:
        raise records.JobError(f"{name}: {exc.total} bad line(s)", exc.lines()) from None
    records.set_progress(job=job, done=1)
    job.files.all().delete()
    return {
        "annotations": summary.annotations,
        "unchanged": summary.unchanged,
        "assignments": summary.assignments,
        "summary": summary.describe(),
    }, []
