"""The data manager's search text: an import queues the indexing job, search works before
and after it ran, and the job leaves one ArticleText per article."""

from __future__ import annotations

import json

import pytest

from labels.ingest import importing
from labels.jobs import search_index
from labels.models import Article, ArticleText, Job, Paragraph
from labels.review import article_summary, article_table
from labels.review.article_table import ArticleQuery

pytestmark = pytest.mark.django_db


def _import(project, *articles: tuple[str, list[str]]) -> None:
    lines = "".join(
        json.dumps({"id": external_id, "title": external_id, "paragraphs": paragraphs}) + "\n"
        for external_id, paragraphs in articles
    )
    importing.import_source(
        project=project, data=lines.encode(), name="batch.jsonl", fmt="jsonl", suggest=False
    )


def _found(project, text: str) -> list[str]:
    article_summary.refresh_changed(project=project)
    page = article_table.article_page(project=project, query=ArticleQuery(search=text))
    return [row.article.external_id for row in page.rows]


def test_an_import_queues_one_indexing_job_and_search_works_before_it_runs(project):
    _import(project, ("a1", ["The harbour opened.", "Ships came in."]))
    _import(project, ("a2", ["A zeppelin landed.", "Nobody saw it."]))

    assert Job.objects.filter(kind=Job.Kind.SEARCH_INDEX, status="queued").count() == 1
    assert not Article.objects.filter(search_indexed=True).exists()
    assert _found(project, "ZEPPELIN") == ["a2"]


def test_the_job_writes_each_article_s_paragraphs_and_search_then_reads_them(project, run_jobs):
    _import(project, ("a1", ["The harbour opened.", "Ships came in."]), ("a2", ["Zeppelin."]))

    run_jobs()

    job = Job.objects.get(kind=Job.Kind.SEARCH_INDEX)
    assert (job.status, job.result["articles"]) == ("succeeded", 2)
    texts = dict(ArticleText.objects.values_list("article__external_id", "text"))
    assert texts == {"a1": "The harbour opened.\nShips came in.", "a2": "Zeppelin."}
    # Indexed articles are searched through their ArticleText, not their paragraphs: a word
    # only the stored text still holds is found, a word only the paragraph holds is not.
    Paragraph.objects.filter(article__external_id="a1", index=0).update(text="Changed.")
    assert _found(project, "harbour") == ["a1"]
    assert _found(project, "changed") == []
    # A search term never spans two paragraphs.
    assert _found(project, "opened. Ships") == []


def test_index_now_marks_every_article_and_is_idempotent(project, monkeypatch):
    _import(project, *((f"a{n}", [f"Paragraph of {n}."]) for n in range(7)))
    monkeypatch.setattr(search_index, "ARTICLES_PER_BATCH", 3)

    done: list[int] = []
    assert search_index.index_now(project=project, on_batch=done.append) == 7

    assert done == [3, 6, 7]
    assert ArticleText.objects.filter(project=project).count() == 7
    assert search_index.index_now(project=project) == 0
