"""Large gold exports written to a file by the background worker, then downloaded.

The same bytes as ``export_gold`` with the same options, written atomically under
``EXPORT_DIR/job-<id>/`` (an interrupted job leaves no partial file). The web servers serve the
file to the project's reviewers, so on several machines ``EXPORT_DIR`` must be a directory
they share with the workers. ``export.finished`` is sent when the file is complete.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django_tasks import task

from labels.datasets import export
from labels.datasets.gold import GoldPolicy
from labels.datasets.splits import parse_split
from labels.jobs import records, webhooks
from labels.models import Article, Job, Project

PROGRESS_EVERY = 0.5  # seconds between progress writes


def options_params(options: export.ExportOptions) -> dict[str, Any]:
    """The options as JSON for the job record."""
    return {
        "format": options.fmt,
        "unit": options.unit,
        "min_annotations": options.policy.min_annotations,
        "min_agreement": options.policy.min_agreement,
        "include_unresolved": options.include_unresolved,
        "split": options.split.spec(),
        "anonymize": options.anonymize,
    }


def options_from(params: dict[str, Any]) -> export.ExportOptions:
    return export.ExportOptions(
        fmt=params["format"],
        unit=params["unit"],
        policy=GoldPolicy(
            min_annotations=params["min_annotations"], min_agreement=params["min_agreement"]
        ),
        include_unresolved=params["include_unresolved"],
        split=parse_split(params["split"]),
        anonymize=params["anonymize"],
    )


def start_export(
    *, project: Project, options: export.ExportOptions, user: AbstractBaseUser | None = None
) -> Job:
    """Queue an export of the project with these options; returns the queued job."""
    return records.create_job(
        project=project,
        kind=Job.Kind.EXPORT,
        task=run_export,
        user=user,
        params=options_params(options),
    )


def export_path(job: Job) -> Path | None:
    """The finished export file of a job, or None."""
    name = job.result.get("file") if job.status == Job.Status.SUCCEEDED else None
    if not name:
        return None
    path = Path(settings.EXPORT_DIR) / f"job-{job.pk}" / name
    return path if path.is_file() else None


@task(takes_context=True)
def run_export(context: Any, job_id: int) -> dict[str, Any]:
    """The export job."""
    return records.run_job(
        job_id=job_id, worker_id=records.worker_id_of(context), body=write_export
    )


def write_export(job: Job) -> tuple[dict[str, Any], list[str]]:
    """Write the export file atomically, recording progress in articles."""
    options = options_from(job.params)
    stats = export.ExportStats()
    records.set_progress(job=job, done=0, total=Article.objects.filter(project=job.project).count())
    file_name = f"{job.project.slug}-{options.file_name}"
    folder = Path(settings.EXPORT_DIR) / f"job-{job.pk}"
    folder.mkdir(parents=True, exist_ok=True)

    def reported(blocks: Iterator[bytes]) -> Iterator[bytes]:
        last = time.monotonic()
        for block in blocks:
            yield block
            if time.monotonic() - last > PROGRESS_EVERY:
                records.set_progress(job=job, done=stats.articles)
                last = time.monotonic()

    export.write_atomically(
        reported(export.export_bytes(project=job.project, options=options, stats=stats)),
        out=folder / file_name,
    )
    records.set_progress(job=job, done=max(job.total, stats.articles))
    result = {
        "file": file_name,
        "lines": stats.lines,
        "articles": stats.articles,
        "bytes": stats.bytes,
        "sha256": stats.sha256,
        "summary": f"{file_name}: {stats.lines} line(s), {stats.bytes} bytes",
        "options": job.params,
    }
    webhooks.notify(
        project=job.project,
        event="export.finished",
        data={k: result[k] for k in ("file", "lines", "bytes", "sha256")} | {"job": job.pk},
    )
    return result, []
