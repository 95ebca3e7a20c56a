"""The life of a Job record: queued, running (with progress), succeeded or failed, retried.

A job's work runs in a django-tasks task (database backend). The task calls ``run_job`` with
the body to run; ``run_job`` moves the record through its states, so every kind of job fails,
reports and retries the same way. Progress is written outside the work's own transactions
(each update commits at once), so the page shows it while the work is still going on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from labels.models import Job, Project, ProjectEvent
from labels.workflow import activity_log

logger = logging.getLogger(__name__)


class JobNotRetryable(Exception):
    """Only failed jobs are retried."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"job {job.pk} is {job.status}; only a failed job can be retried")


class JobError(Exception):
    """A job that cannot finish, with the reason and its ``FILE:LINE`` errors for the page."""

    def __init__(self, failure: str, errors: list[str] | None = None) -> None:
        self.failure = failure
        self.errors = errors or []
        super().__init__(failure)


def create_job(
    *,
    project: Project,
    kind: str,
    task: Task,
    user: AbstractBaseUser | None = None,
    params: dict[str, Any] | None = None,
    total: int = 0,
) -> Job:
    """Record a queued job and enqueue its task, in one transaction (both or neither)."""
    with transaction.atomic():
        job = Job.objects.create(
            project=project,
            kind=kind,
            created_by=user if user is not None and user.is_authenticated else None,
            params=params or {},
            total=total,
        )
        enqueue(job=job, task=task)
    return job


def queue_once(*, project: Project, kind: str, task: Task) -> None:
    """Queue a job of ``kind`` for the project unless one is queued already.

    Call inside the transaction whose work the job will pick up: the queued job's row is
    locked, and the worker starts a job with an UPDATE of that row, so it waits for the
    caller to commit and then sees all of its work.
    """
    queued = (
        Job.objects.select_for_update()
        .filter(project=project, kind=kind, status=Job.Status.QUEUED)
        .first()
    )
    if queued is None:
        create_job(project=project, kind=kind, task=task)


def enqueue(*, job: Job, task: Task) -> None:
    """Enqueue ``task`` for the job; the queue row commits with the caller's transaction."""
    result = task.enqueue(job.pk)
    job.task_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def retry_job(*, job: Job) -> Job:
    """Queue a failed job again with the same task and inputs; progress starts over."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.FAILED:
            raise JobNotRetryable(locked)
        task_path = (
            DBTaskResult.objects.filter(id=locked.task_id).values_list("task_path", flat=True)
        ).first()
        if task_path is None:
            raise JobNotRetryable(locked)
        Job.objects.filter(pk=locked.pk).update(
            status=Job.Status.QUEUED,
            done=0,
            failure="",
            errors=[],
            result={},
            worker_id="",
            started_at=None,
            finished_at=None,
        )
        enqueue(job=locked, task=import_string(task_path))
    locked.refresh_from_db()
    return locked


def start_job(*, job_id: int, worker_id: str) -> Job | None:
    """Mark the job running on this worker; None when it is not queued (already taken)."""
    started = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        worker_id=worker_id[:64],
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return Job.objects.get(pk=job_id) if started else None


def set_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Record how far the job got; commits at once (call outside the work's transaction)."""
    job.done = done
    fields: dict[str, Any] = {"done": done}
    if total is not None:
        job.total = fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


# Jobs whose outcome goes in the project's activity log, under these actions.
LOGGED_KINDS = {
    Job.Kind.IMPORT: "imported",
    Job.Kind.ANNOTATION_IMPORT: "annotations imported",
    Job.Kind.EXPORT: "exported",
}


def finish_job(*, job: Job, result: dict[str, Any], errors: list[str] | None = None) -> None:
    """Mark the job succeeded with its result summary and any per-file errors; imports and
    exports also go in the activity log, in the name of whoever started the job."""
    job.status, job.result, job.errors = Job.Status.SUCCEEDED, result, errors or []
    job.finished_at = timezone.now()
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=job.status, result=result, errors=job.errors, finished_at=job.finished_at
        )
        action = LOGGED_KINDS.get(job.kind)
        if action is not None:
            activity_log.record(
                project=job.project,
                actor=job.created_by,
                action=action,
                detail=f"job {job.pk}: {result.get('summary', '')}",
                via=ProjectEvent.Via.JOB,
            )


def fail_job(*, job: Job, failure: str, errors: list[str] | None = None) -> None:
    """Mark the job failed and say why; a failed job can be retried."""
    job.status, job.failure = Job.Status.FAILED, failure
    job.finished_at = timezone.now()
    fields: dict[str, Any] = {
        "status": job.status,
        "failure": failure,
        "finished_at": job.finished_at,
    }
    if errors is not None:
        job.errors = fields["errors"] = errors
    Job.objects.filter(pk=job.pk).update(**fields)


Body = Callable[[Job], "tuple[dict[str, Any], list[str]]"]


def run_job(*, job_id: int, worker_id: str, body: Body) -> dict[str, Any]:
    """Run ``body`` for a queued job, recording its outcome; returns the result summary.

    An exception fails the job with its message (and is raised again so django-tasks records
    its traceback too). A job that is not queued any more is left alone.
    """
    job = start_job(job_id=job_id, worker_id=worker_id)
    if job is None:
        return {"skipped": f"job {job_id} was not queued"}
    try:
        result, errors = body(job)
    except JobError as exc:
        fail_job(job=job, failure=exc.failure, errors=exc.errors)
        raise
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        fail_job(job=job, failure=f"{type(exc).__name__}: {exc}")
        raise
    finish_job(job=job, result=result, errors=errors)
    return result


def worker_id_of(context: Any) -> str:
    """The id of the worker running a task, from django-tasks' task context."""
    worker_ids = getattr(context.task_result, "worker_ids", None) or []
    return worker_ids[-1] if worker_ids else ""
