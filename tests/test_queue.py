"""labels.queue.claim_next: resume, overlap, import order."""

import pytest

from labels import queue
from labels.models import Article, Assignment
from tests.factories import ArticleFactory, AssignmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_resumes_the_users_own_in_progress_assignment(project, member):
    ArticleFactory.create_batch(2, project=project)
    first = queue.claim_next(user=member.user, project=project)

    again = queue.claim_next(user=member.user, project=project)

    assert again == first
    assert Assignment.objects.count() == 1


def test_claims_in_import_order_and_decrements_open_slots(project, member):
    older, _newer = ArticleFactory.create_batch(2, project=project)

    assignment = queue.claim_next(user=member.user, project=project)

    assert assignment.article == older
    assert Article.objects.get(pk=older.pk).open_slots == project.overlap - 1


def test_prefers_articles_others_already_started(project, member):
    _untouched, started = ArticleFactory.create_batch(2, project=project)
    AssignmentFactory(article=started, annotator=MembershipFactory(project=project).user)
    Article.objects.filter(pk=started.pk).update(open_slots=project.overlap - 1)

    assert queue.claim_next(user=member.user, project=project).article == started


def test_never_more_than_overlap_annotators_per_article(project):
    ArticleFactory(project=project)
    users = [MembershipFactory(project=project).user for _ in range(project.overlap + 1)]

    claims = [queue.claim_next(user=user, project=project) for user in users]

    assert all(claims[: project.overlap])
    assert claims[-1] is None
    assert Article.objects.get().open_slots == 0


def test_never_offers_an_article_the_user_already_submitted(project, member):
    article = ArticleFactory(project=project)
    AssignmentFactory(article=article, annotator=member.user, submitted=True)
    Article.objects.filter(pk=article.pk).update(open_slots=project.overlap - 1)

    assert queue.claim_next(user=member.user, project=project) is None
