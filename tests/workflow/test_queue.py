"""labels.queue: resume, overlap, order, skip, stale release, counter upkeep."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from labels.models import Annotation, AnnotationEvent, Article, Assignment
from labels.workflow import annotating, queue
from tests.factories import (
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

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


def test_fewest_open_slots_first_then_import_order(member):
    project = ProjectFactory(overlap=3)
    MembershipFactory(project=project, user=member.user)
    fresh, two_left, one_left_a, one_left_b = ArticleFactory.create_batch(4, project=project)
    for article, others in ((two_left, 1), (one_left_a, 2), (one_left_b, 2)):
        for _ in range(others):
            AssignmentFactory(article=article, annotator=MembershipFactory(project=project).user)
        Article.objects.filter(pk=article.pk).update(open_slots=project.overlap - others)

    order = []
    for _ in range(4):
        assignment = queue.claim_next(user=member.user, project=project)
        order.append(assignment.article)
        Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    assert order == [one_left_a, one_left_b, two_left, fresh]


def test_a_user_without_membership_cannot_claim(project):
    ArticleFactory(project=project)
    outsider = UserFactory(is_staff=True)

    with pytest.raises(queue.NotAMember, match=f"'{outsider.username}' is not a member"):
        queue.claim_next(user=outsider, project=project)
    assert not Assignment.objects.exists()


def test_skip_returns_the_slot_and_the_article_is_never_offered_again(project, member):
    article = ArticleFactory(project=project)
    first = queue.claim_next(user=member.user, project=project)

    annotating.skip_assignment(assignment=first, reason="  not in English  ")

    first.refresh_from_db()
    assert first.status == Assignment.Status.SKIPPED
    assert first.skip_reason == "not in English"
    assert Article.objects.get(pk=article.pk).open_slots == project.overlap
    assert queue.claim_next(user=member.user, project=project) is None
    other = MembershipFactory(project=project).user
    assert queue.claim_next(user=other, project=project).article == article


def test_skipping_a_closed_assignment_fails_and_returns_no_slot(project, member):
    article = ArticleFactory(project=project)
    assignment = queue.claim_next(user=member.user, project=project)
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    with pytest.raises(annotating.AssignmentClosed, match="is submitted, not in progress"):
        annotating.skip_assignment(assignment=assignment)

    assert Article.objects.get(pk=article.pk).open_slots == project.overlap - 1


def test_stale_assignment_is_released_with_its_labels_kept(project, member):
    article = ArticleFactory(project=project)
    paragraph = ParagraphFactory(article=article, index=0)
    idle = queue.claim_next(user=member.user, project=project)
    annotating.set_label(assignment=idle, paragraph=paragraph, label=label_of(project, "quote"))
    long_ago = timezone.now() - project.assignment_timeout - timedelta(minutes=1)
    Assignment.objects.filter(pk=idle.pk).update(last_activity_at=long_ago)
    others = [MembershipFactory(project=project).user for _ in range(project.overlap)]

    claims = [queue.claim_next(user=user, project=project) for user in others]

    idle.refresh_from_db()
    assert idle.status == Assignment.Status.RELEASED
    assert [claim.article for claim in claims] == [article] * project.overlap
    assert Annotation.objects.get(assignment=idle).label.value == "quote"
    assert AnnotationEvent.objects.filter(assignment=idle).count() == 1
    assert Article.objects.get(pk=article.pk).open_slots == 0
    # The released annotator resumes nothing and is not offered the article again.
    assert queue.claim_next(user=member.user, project=project) is None
    with pytest.raises(annotating.AssignmentClosed, match="is released"):
        annotating.set_label(assignment=idle, paragraph=paragraph, label=label_of(project, "body"))


def test_recent_activity_keeps_an_assignment(project, member):
    ArticleFactory(project=project)
    assignment = queue.claim_next(user=member.user, project=project)
    almost = timezone.now() - project.assignment_timeout + timedelta(minutes=5)
    Assignment.objects.filter(pk=assignment.pk).update(last_activity_at=almost)

    with transaction.atomic():
        assert queue.release_stale(project=project) == 0
    assert queue.claim_next(user=member.user, project=project) == assignment


def test_release_only_touches_its_own_project(project, member):
    ArticleFactory(project=project)
    elsewhere = AssignmentFactory()
    long_ago = timezone.now() - timedelta(days=30)
    Assignment.objects.filter(pk=elsewhere.pk).update(last_activity_at=long_ago)

    with transaction.atomic():
        assert queue.release_stale(project=project) == 0
    elsewhere.refresh_from_db()
    assert elsewhere.status == Assignment.Status.IN_PROGRESS


def test_a_drifted_open_slot_counter_never_lets_an_article_exceed_overlap(project):
    full = ArticleFactory(project=project)
    for _ in range(project.overlap):
        AssignmentFactory(article=full, annotator=MembershipFactory(project=project).user)
    # The counter claims the full article still has room (as after lowering the overlap).
    Article.objects.filter(pk=full.pk).update(open_slots=2)
    spare = ArticleFactory(project=project)
    late = MembershipFactory(project=project).user

    assignment = queue.claim_next(user=late, project=project)

    assert assignment.article == spare
    assert Assignment.objects.filter(article=full).count() == project.overlap
    assert Article.objects.get(pk=full.pk).open_slots == 0


def test_sync_open_slots_follows_a_changed_overlap(project):
    article = ArticleFactory(project=project)
    AssignmentFactory(article=article, annotator=MembershipFactory(project=project).user)
    AssignmentFactory(
        article=article,
        annotator=MembershipFactory(project=project).user,
        status=Assignment.Status.SKIPPED,
    )
    untouched = ArticleFactory(project=project)
    project.overlap = 3
    project.save()

    queue.sync_open_slots(project=project)

    assert Article.objects.get(pk=article.pk).open_slots == 2
    assert Article.objects.get(pk=untouched.pk).open_slots == 3
    project.overlap = 1
    project.save()
    queue.sync_open_slots(project=project)
    assert Article.objects.get(pk=article.pk).open_slots == 0
    assert Article.objects.get(pk=untouched.pk).open_slots == 1


def test_changing_overlap_in_the_admin_resyncs_open_slots(client, project):
    article = ArticleFactory(project=project)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:labels_project_change", args=[project.pk])
    data = {
        "slug": project.slug,
        "name": project.name,
        "guidelines": "",
        "overlap": 5,
        "assignment_timeout": "1 00:00:00",
        "retrain_every": 200,
        "labels-TOTAL_FORMS": 0,
        "labels-INITIAL_FORMS": 0,
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    assert Article.objects.get(pk=article.pk).open_slots == 5
