"""The data manager's search text, built in the background after an import.

An import stores paragraphs at the speed of the database and returns; ``after_import`` makes
sure the project's indexing job is queued, in the import's own transaction. The job writes one
``ArticleText`` per article not yet indexed (its paragraphs joined by newlines), a batch of
articles per transaction, and marks them ``search_indexed``. Until then the data manager
searches those articles' paragraphs directly (labels.review.article_table), so a search never
misses an article; it is only slower while a large import is still being indexed.

As with suggestions, a queued job is reused (locked, so the worker cannot start it halfway
through the import's transaction), and the job loops until no article is left unindexed, so
articles of an import that committed while it ran are indexed too.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.db import transaction
from django_tasks import task

from labels.jobs import records
from labels.models import Article, ArticleText, Job, Paragraph, Project

ARTICLES_PER_BATCH = 500


def after_import(*, project: Project) -> None:
    """Queue the project's indexing job unless one is queued already. Call inside the
    import's transaction: the job commits with the articles it will index, or not at all."""
    records.queue_once(project=project, kind=Job.Kind.SEARCH_INDEX, task=build_search_text)


@task(takes_context=True)
def build_search_text(context: Any, job_id: int) -> dict[str, Any]:
    """The indexing job: every article of the project not yet indexed gets its ArticleText."""
    return records.run_job(job_id=job_id, worker_id=records.worker_id_of(context), body=index_job)


def index_job(job: Job) -> tuple[dict[str, Any], list[str]]:
    """The job's body, with progress in articles."""
    pending = Article.objects.filter(project=job.project, search_indexed=False)
    records.set_progress(job=job, done=0, total=pending.count())

    def report(done: int) -> None:
        records.set_progress(job=job, done=done, total=max(job.total, done))

    done = index_now(project=job.project, on_batch=report)
    return {"articles": done, "summary": f"{done} article(s) indexed for search"}, []


def index_now(*, project: Project, on_batch: Callable[[int], None] | None = None) -> int:
    """Index every article of the project not yet indexed, in this process; returns how many.
    The job runs this; ``seed_demo`` and the benchmarks call it directly."""
    pending = Article.objects.filter(project=project, search_indexed=False)
    done = 0
    while True:
        batch = list(pending.order_by("pk").values_list("pk", flat=True)[:ARTICLES_PER_BATCH])
        if not batch:
            return done
        texts = (
            Paragraph.objects.filter(article_id__in=batch)
            .order_by("article_id", "index")
            .values_list("article_id", "text")
        )
        with transaction.atomic():
            ArticleText.objects.bulk_create(
                (
                    ArticleText(
                        article_id=article_id,
                        project=project,
                        text="\n".join(text for _, text in rows),
                    )
                    for article_id, rows in groupby(texts.iterator(), key=lambda row: row[0])
                ),
                batch_size=ARTICLES_PER_BATCH,
                ignore_conflicts=True,  # a second job indexing the same batch at once
            )
            Article.objects.filter(pk__in=batch).update(search_indexed=True)
        done += len(batch)
        if on_batch is not None:
            on_batch(done)
