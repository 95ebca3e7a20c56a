"""The extractor leaderboard page: reviewers only, a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labels.models import ExtractorRun
from tests.factories import ArticleFactory, ParagraphFactory

pytestmark = pytest.mark.django_db


def test_without_a_run_the_page_says_how_to_score(reviewer_client, project):
    response = reviewer_client.get(reverse("labels:extractor_scores", args=[project.slug]))
    assert response.status_code == 200
    assert 'id="no-scores"' in response.text
    assert f"score_extractors --project {project.slug}" in response.text


def test_leaderboard_table_chart_and_worst_articles_link_to_review(
    reviewer_client, project, django_assert_max_num_queries
):
    article = ArticleFactory(project=project, external_id="hard<page>")
    first = ParagraphFactory(article=article, index=0)
    worst = [
        {
            "article_id": article.pk,
            "external_id": article.external_id,
            "precision": 0.2,
            "recall": 0.1,
            "f1": 0.1333,
        }
    ]
    ExtractorRun.objects.create(
        project=project,
        results={
            name: {
                "precision": p,
                "recall": p,
                "f1": p,
                "f1_std": 0.02,
                "accuracy": 0.1,
                "articles": 3,
                "worst": worst,
            }
            for name, p in (("justext", 0.8), ("trafilatura", 0.95))
        },
    )

    with django_assert_max_num_queries(10):
        response = reviewer_client.get(reverse("labels:extractor_scores", args=[project.slug]))

    text = response.text
    assert text.index('id="extractor-trafilatura"') < text.index('id="extractor-justext"')
    assert '<svg class="leaderboard-chart"' in text and 'width="285.0"' in text
    assert reverse("labels:adjudicate", args=[project.slug, first.pk]) in text
    assert "hard&lt;page&gt;" in text and "hard<page>" not in text
