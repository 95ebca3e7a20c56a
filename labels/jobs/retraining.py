"""Retraining the project's suggestion model, as a background job.

The end of an import or an accept-majority batch calls ``queue_retraining_if_due``: when
``project.retrain_every`` new decisions have arrived it queues one retraining job, unless one
is already queued or running (that one will see the new decisions too). The job trains,
stores the new version and, if it beats the rules, re-suggests the unstarted articles
(``labels.suggestions.learning``). Training in the worker keeps imports and adjudication as
fast as the database; ``train_suggestions`` still trains on demand in the foreground.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from labels.jobs import records
from labels.models import Job, Project
from labels.suggestions import learning


def queue_retraining_if_due(*, project: Project) -> Job | None:
    """Queue the project's retraining job when it is due and none is waiting or running."""
    if not learning.retraining_due(project=project):
        return None
    pending = Job.objects.filter(
        project=project,
        kind=Job.Kind.RETRAIN,
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
    )
    if pending.exists():
        return None
    return records.create_job(project=project, kind=Job.Kind.RETRAIN, task=retrain)


@task(takes_context=True)
def retrain(context: Any, job_id: int) -> dict[str, Any]:
    """The retraining job: train on the project's decisions if still due."""
    return records.run_job(job_id=job_id, worker_id=records.worker_id_of(context), body=retrain_now)


def retrain_now(job: Job) -> tuple[dict[str, Any], list[str]]:
    """The job's body: a new model version (or none when nothing is due any more)."""
    training = learning.retrain_if_due(project=job.project)
    if training is None:
        return {"trained": False}, []
    model = training.model
    return {
        "trained": True,
        "version": model.version,
        "kind": model.kind,
        "active": model.active,
        "resuggested": training.resuggested,
    }, []
