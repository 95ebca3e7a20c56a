"""Running background jobs inside a test, with django-tasks' real database worker."""

from django_tasks_db.management.commands import db_worker


def _keep_connection() -> None:
    """The test's connection lives inside its transaction: never close it (Django's own test
    cases detach close_old_connections from the request signals for the same reason)."""


def run_queued_jobs(worker_id: str = "test-worker") -> None:
    """Run every queued job to the end in this process, then return (the worker's batch mode)."""
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    closer = db_worker.close_old_connections
    db_worker.close_old_connections = _keep_connection
    try:
        worker.run()
    finally:
        db_worker.close_old_connections = closer
