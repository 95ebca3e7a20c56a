"""The background worker: django-tasks' database worker, plus our heartbeat.

``make worker`` runs it in the foreground. The heartbeat thread tells the UI the worker is
alive and fails the jobs of workers that died (labels.jobs.workers).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from labels.jobs import workers

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run background jobs (imports, suggestions, exports, webhooks) until stopped."

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        workers.register_worker(worker_id=worker_id)
        workers.fail_orphaned_jobs()
        stop = threading.Event()
        heart = threading.Thread(
            target=_heartbeat, kwargs={"worker_id": worker_id, "stop": stop}, daemon=True
        )
        heart.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()
            heart.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 5)
            workers.stop_worker(worker_id=worker_id)


def _heartbeat(*, worker_id: str, stop: threading.Event) -> None:
    """Beat until stopped; on its own database connection (connections are per thread)."""
    try:
        while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            close_old_connections()
            try:
                workers.beat(worker_id=worker_id)
                workers.fail_orphaned_jobs()
            except DatabaseError:
                # A busy SQLite file or a dropped connection: the next beat tries again.
                logger.warning("worker heartbeat failed", exc_info=True)
    finally:
        connection.close()
