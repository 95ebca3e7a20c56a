"""Stored original pages and score_extractors, on a real corpus page in the real database."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from labels.datasets import extractor_scores
from labels.ingest import importing, pages
from labels.models import Article, ArticlePage, GoldLabel
from tests.factories import ProjectFactory, label_of

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PAGE_ID = "82b6d780c792"  # hosted.ap.org, a wire story


def corpus_page() -> tuple[Path, str]:
    [line] = [
        line
        for line in (CORPUS / "ground_truth.jsonl").read_text("utf-8").splitlines()
        if line.startswith(f'{{"id": "{PAGE_ID}')
    ]
    page = json.loads(line)
    return CORPUS / "html" / f"{page['id']}.html", page["article_body"]


def gold_from_reference(article: Article, reference: str) -> None:
    """Gold body for the paragraphs inside the reference body, boilerplate for the rest."""
    squeezed = "".join(reference.split())
    for paragraph in article.paragraphs.all():
        inside = len(paragraph.text) > 30 and "".join(paragraph.text.split()) in squeezed
        GoldLabel.objects.create(
            paragraph=paragraph,
            label=label_of(article.project, "body" if inside else "boilerplate"),
        )


@pytest.fixture
def scored_project(tmp_path):
    project = ProjectFactory(slug="wire")
    path, reference = corpus_page()
    copy = tmp_path / "story.html"
    shutil.copy(path, copy)
    summary = importing.import_paths(project=project, paths=[copy])
    assert not summary.errors
    gold_from_reference(Article.objects.get(project=project), reference)
    return project


def test_an_html_import_keeps_its_page_compressed_with_both_sizes(scored_project):
    page = ArticlePage.objects.get(article__project=scored_project)
    path, _ = corpus_page()
    assert page.original_size == path.stat().st_size
    assert page.stored_size == len(bytes(page.compressed)) < page.original_size / 3
    assert pages.page_html(page) == path.read_bytes()
    assert not page.truncated


def test_a_page_over_the_cap_is_cut_and_marked(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_CAP", 1000)
    project = ProjectFactory()
    path, _ = corpus_page()
    copy = tmp_path / "big.html"
    shutil.copy(path, copy)
    importing.import_paths(project=project, paths=[copy])
    page = ArticlePage.objects.get(article__project=project)
    assert page.truncated and len(pages.page_html(page)) == 1000


def test_a_text_import_keeps_no_page(tmp_path):
    project = ProjectFactory()
    text = tmp_path / "story.txt"
    text.write_text("A headline\n\nThe story itself, told in one paragraph.\n")
    importing.import_paths(project=project, paths=[text])
    assert Article.objects.filter(project=project).exists()
    assert not ArticlePage.objects.exists()


def test_score_extractors_prints_the_benchmark_figures_per_extractor_as_json(scored_project):
    out = StringIO()
    call_command(
        "score_extractors",
        "--project",
        "wire",
        "--extractor",
        "trafilatura",
        "--extractor",
        "readability-lxml",
        "--extractor",
        "justext",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert set(report) == {"trafilatura", "readability-lxml", "justext"}
    for figures in report.values():
        assert {"precision", "recall", "f1", "f1_std", "accuracy", "articles"} <= set(figures)
        assert figures["articles"] == 1
        assert 0.0 <= figures["f1"] <= 1.0 and figures["f1_std"] == 0.0  # one article
    # The reference keeps the story; a good extractor finds most of it.
    assert report["trafilatura"]["recall"] > 0.8


def test_every_installed_extractor_runs_when_none_is_named(scored_project):
    out = StringIO()
    call_command("score_extractors", "--project", "wire", stdout=out)
    for name in ("trafilatura", "readability-lxml", "justext", "boilerpy3", "resiliparse"):
        assert name in out.getvalue()
    assert "1 gold article(s)" in out.getvalue()


def test_unknown_extractor_and_missing_gold_pages_are_clear_errors(scored_project):
    with pytest.raises(CommandError, match="--extractor 'goose': unknown"):
        call_command("score_extractors", "--project", "wire", "--extractor", "goose")
    out = StringIO()
    call_command("purge_pages", "--project", "wire", stdout=out)
    assert "Deleted 1 stored page(s)" in out.getvalue()
    assert not ArticlePage.objects.exists()
    assert GoldLabel.objects.filter(paragraph__article__project=scored_project).exists()
    with pytest.raises(
        CommandError, match="no article with a complete gold body and a stored page"
    ):
        call_command("score_extractors", "--project", "wire")


def test_leaderboard_reads_the_latest_run_best_first(scored_project):
    extractor_scores.score_extractors(project=scored_project, names=["justext", "trafilatura"])
    board = extractor_scores.leaderboard(project=scored_project)
    assert [row.f1 for row in board.rows] == sorted((row.f1 for row in board.rows), reverse=True)
    assert board.rows[0].worst[0]["paragraph_id"] is not None
