"""Uncertainty first: the queue offers the articles the suggestions are least sure of first."""

from __future__ import annotations

import pytest

from labels.models import Article
from labels.suggestions import preannotation
from labels.workflow import queue
from tests.factories import ArticleFactory, MembershipFactory, ParagraphFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def claims(project, count):
    member = MembershipFactory(project=project)
    found = []
    for _ in range(count):
        assignment = queue.claim_next(user=member.user, project=project)
        found.append(assignment.article.external_id)
        assignment.status = "submitted"
        assignment.save(update_fields=["status"])
    return found


@pytest.mark.parametrize("uncertainty_first", [True, False])
def test_the_least_certain_article_comes_first_only_when_the_project_asks(uncertainty_first):
    project = ProjectFactory(uncertainty_first=uncertainty_first, overlap=1)
    for name, certainty in (("sure", 0.9), ("unsure", 0.5), ("unknown", None)):
        ArticleFactory(project=project, external_id=name, suggestion_certainty=certainty)

    order = claims(project, 3)

    if uncertainty_first:
        assert order == ["unsure", "sure", "unknown"]
    else:
        assert order == ["sure", "unsure", "unknown"]  # import order


def test_started_articles_still_come_before_less_certain_fresh_ones():
    project = ProjectFactory(uncertainty_first=True, overlap=2)
    started = ArticleFactory(project=project, external_id="started", suggestion_certainty=0.99)
    ArticleFactory(project=project, external_id="fresh", suggestion_certainty=0.1)
    Article.objects.filter(pk=started.pk).update(open_slots=1)

    assert claims(project, 1) == ["started"]


def test_storing_suggestions_records_the_articles_mean_confidence():
    project = ProjectFactory()
    article = ArticleFactory(project=project)
    ParagraphFactory(article=article, index=0, text="Share")
    ParagraphFactory(
        article=article,
        index=1,
        text="A long paragraph of prose that reads as body text in the article.",
    )

    preannotation.store_suggestions(project=project, paragraphs=article.paragraphs.all())

    article.refresh_from_db()
    confidences = list(article.paragraphs.values_list("suggestion_confidence", flat=True))
    assert article.suggestion_certainty == pytest.approx(round(sum(confidences) / 2, 2))
