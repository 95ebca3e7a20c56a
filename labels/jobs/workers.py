"""Worker heartbeats, and what happens to the jobs of a worker that died.

Each worker process (``manage.py run_worker``) writes its row every
``WORKER_HEARTBEAT_SECONDS`` from a thread of its own, so a long job does not hide it. A worker
unseen for ``WORKER_DEAD_AFTER_SECONDS`` counts as stopped: the UI says no worker is running,
and the jobs it was running are marked failed, with the reason, ready for a retry. The work
itself needs no cleaning up: an import writes each file in one transaction, and a killed
process's transaction is rolled back by the database.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from labels.models import Job, Worker


def dead_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)


def register_worker(*, worker_id: str) -> Worker:
    """Record this process as a live worker."""
    worker, _ = Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "last_seen_at": timezone.now(),
            "stopped_at": None,
        },
    )
    return worker


def beat(*, worker_id: str) -> None:
    """Say this worker is alive."""
    Worker.objects.filter(worker_id=worker_id).update(last_seen_at=timezone.now())


def stop_worker(*, worker_id: str) -> None:
    """Record a clean stop."""
    Worker.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def live_workers() -> list[Worker]:
    """Workers seen recently and not stopped."""
    return list(
        Worker.objects.filter(stopped_at__isnull=True, last_seen_at__gte=dead_before()).order_by(
            "pk"
        )
    )


@dataclass(frozen=True)
class WorkerState:
    """What the jobs pages say about the workers."""

    live: int
    last_seen_at: datetime | None

    @property
    def running(self) -> bool:
        return self.live > 0


def worker_state() -> WorkerState:
    """How many workers are alive, and when one was last seen (two queries)."""
    live = Worker.objects.filter(stopped_at__isnull=True, last_seen_at__gte=dead_before()).count()
    last = Worker.objects.order_by("-last_seen_at").values_list("last_seen_at", flat=True).first()
    return WorkerState(live=live, last_seen_at=last)


def fail_orphaned_jobs() -> int:
    """Fail the running jobs whose worker stopped or died; returns how many.

    Their django-tasks rows are failed too, so no worker picks them up half-done. A retry
    queues them afresh.
    """
    alive = set(
        Worker.objects.filter(stopped_at__isnull=True, last_seen_at__gte=dead_before()).values_list(
            "worker_id", flat=True
        )
    )
    now = timezone.now()
    failed = 0
    with transaction.atomic():
        orphans = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.RUNNING)
            .exclude(worker_id__in=alive)
        )
        for job in orphans:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                finished_at=now,
                failure=(
                    f"the worker running this job ({job.worker_id or 'unknown'}) stopped before "
                    "it finished; files it had not finished were rolled back. Retry the job."
                ),
            )
            if job.task_id:
                DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
                    status="FAILED", finished_at=now
                )
            failed += 1
    return failed
