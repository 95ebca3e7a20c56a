"""Suggestions after an import, as a background job.

An import stores paragraphs at the speed of the database and returns; ``after_import`` marks
the new articles ``suggestions_ready = False`` in the import's own transaction and makes sure a
suggestion job is queued. The job computes suggestions a batch of articles at a time and marks
them ready. In projects that show suggestions, the queue offers an article only once it is
ready (labels.workflow.queue), so no annotator sees an article whose suggestions are missing.

Why nothing is missed: ``after_import`` locks the project's queued suggestion job, if any,
and reuses it; the worker starts a job with an UPDATE of that row, which waits for the import
to commit. The job then reads not-ready articles after that commit, and loops until none are
left. If the job was already running, the import queues a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from labels.jobs import records
from labels.models import Article, Assignment, Job, Paragraph, Project
from labels.suggestions import preannotation

HASHES_PER_UPDATE = 5000


def after_import(*, project: Project, hashes: Iterable[str]) -> None:
    """Mark the just-imported articles not ready and queue the project's suggestion job.

    Call inside the import's transaction: the marks and the queued job commit with the
    paragraphs, or not at all.
    """
    hashes = list(hashes)
    unsuggested = Paragraph.objects.filter(article=OuterRef("pk"), suggestion_version="")
    claimed = Assignment.objects.filter(article=OuterRef("pk"))
    marked = 0
    for start in range(0, len(hashes), HASHES_PER_UPDATE):
        marked += (
            Article.objects.filter(
                project=project,
                content_hash__in=hashes[start : start + HASHES_PER_UPDATE],
                suggestions_ready=True,
            )
            .filter(Exists(unsuggested), ~Exists(claimed))
            .update(suggestions_ready=False)
        )
    if marked:
        records.queue_once(project=project, kind=Job.Kind.SUGGEST, task=compute_suggestions)


@task(takes_context=True)
def compute_suggestions(context: Any, job_id: int) -> dict[str, Any]:
    """The suggestion job: every not-ready article of the project gets its suggestions."""
    return records.run_job(
        job_id=job_id, worker_id=records.worker_id_of(context), body=suggest_pending
    )


def suggest_pending(job: Job) -> tuple[dict[str, Any], list[str]]:
    """The job's body: every not-ready article of the project, with progress."""
    pending = Article.objects.filter(project=job.project, suggestions_ready=False)
    records.set_progress(job=job, done=0, total=pending.count())

    def report(done: int) -> None:
        records.set_progress(job=job, done=done, total=max(job.total, done))

    articles, paragraphs = suggest_now(project=job.project, on_batch=report)
    return {"articles": articles, "paragraphs": paragraphs}, []


def suggest_now(
    *, project: Project, on_batch: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Suggest and mark ready every not-ready article, a batch per transaction, in this
    process; returns (articles, paragraphs). The suggestion job runs this; ``seed_demo``
    calls it directly so the demo is ready without a worker."""
    pending = Article.objects.filter(project=project, suggestions_ready=False)
    done, paragraphs = 0, 0
    while True:
        batch = list(
            pending.order_by("pk").values_list("pk", flat=True)[: preannotation.ARTICLES_PER_BATCH]
        )
        if not batch:
            break
        with transaction.atomic():
            counts = preannotation.store_suggestions(
                project=project,
                paragraphs=Paragraph.objects.filter(article_id__in=batch, suggestion_version=""),
            )
            Article.objects.filter(pk__in=batch).update(suggestions_ready=True)
        done += len(batch)
        paragraphs += sum(counts.values())
        if on_batch is not None:
            on_batch(done)
    return done, paragraphs
