"""The reviewers' control room: data manager, one article with every voice, whole-article
decisions and work control, seen from the reviewer's and the annotator's side."""

import pytest
from django.urls import reverse

from labels.models import (
    Annotation,
    Article,
    Assignment,
    Flag,
    GoldLabel,
    ProjectEvent,
    Webhook,
    WebhookDelivery,
)
from labels.workflow import queue
from tests.factories import (
    ArticleFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(overlap=2)


@pytest.fixture
def reviewer(project):
    return MembershipFactory(project=project, reviewer=True).user


@pytest.fixture
def annotator(project):
    return MembershipFactory(project=project).user


def test_data_manager_lists_articles_in_a_constant_number_of_queries(
    client, project, reviewer, django_assert_max_num_queries
):
    for n in range(30):
        article = make_article(project, 3, title=f"Story {n}")
        if n % 2:
            label(article, UserFactory(), ["body", "quote", "body"])
            label(article, UserFactory(), ["body", "body", "body"])
    client.force_login(reviewer)
    url = reverse("labels:articles", args=[project.slug])
    client.get(url)  # the first page builds every summary

    # Session, user, access (2), summaries (counts, changes, refresh, mark), count, page, sources.
    with django_assert_max_num_queries(14):
        response = client.get(url, {"sort": "agreement", "desc": "on", "open": "on"})

    assert response.status_code == 200
    assert response.text.count('<tr id="article-') == 15
    assert "0.67" in response.text


def test_data_manager_search_answers_htmx_with_the_table_only(client, project, reviewer):
    make_article(project, 1, title="Harbour news")
    make_article(project, 1, title="Elsewhere")
    client.force_login(reviewer)

    response = client.get(
        reverse("labels:articles", args=[project.slug]),
        {"q": "harbour"},
        headers={"HX-Request": "true"},
    )

    assert "<html" not in response.text
    assert "Harbour news" in response.text
    assert "Elsewhere" not in response.text
    assert "1 article" in response.text


def test_data_manager_refuses_an_unknown_sort_column(client, project, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("labels:articles", args=[project.slug]), {"sort": "password"})

    assert response.status_code == 400
    assert "sort" in response.text


def test_article_view_shows_every_voice_and_marks_disagreement(
    client, project, reviewer, django_assert_max_num_queries
):
    article = make_article(project, 3)
    ann, bea = UserFactory(username="ann"), UserFactory(username="bea")
    label(article, ann, ["body", "quote", "caption"])
    skipped = label(article, bea, ["body", "body", None], Assignment.Status.SKIPPED)
    skipped.skip_reason = "not news"
    skipped.save()
    client.force_login(reviewer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("labels:article", args=[project.slug, article.pk]))

    assert response.status_code == 200
    assert response.text.count('class="para') == 3
    assert "not news" in response.text
    assert "Take <bdi>ann</bdi>" in response.text


def test_decide_by_htmx_writes_gold_with_note_and_returns_the_row(client, project, reviewer):
    article = make_article(project, 2)
    label(article, UserFactory(), ["body", "body"])
    label(article, UserFactory(), ["quote", "body"])
    paragraph = article.paragraphs.get(index=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("labels:decide_paragraph", args=[project.slug, article.pk]),
        {"paragraph": paragraph.pk, "label": "quote", "note": "a pull quote"},
        headers={"HX-Request": "true"},
    )

    gold = GoldLabel.objects.get(paragraph=paragraph)
    assert (gold.label.value, gold.note, gold.decided_by) == ("quote", "a pull quote", reviewer)
    assert f'id="row-{paragraph.pk}"' in response.text
    assert "<html" not in response.text


def test_decide_refuses_a_paragraph_of_another_article(client, project, reviewer):
    article = make_article(project, 1)
    elsewhere = make_article(project, 1)
    client.force_login(reviewer)

    response = client.post(
        reverse("labels:decide_paragraph", args=[project.slug, article.pk]),
        {"paragraph": elsewhere.paragraphs.get().pk, "label": "quote"},
    )

    assert response.status_code == 404
    assert not GoldLabel.objects.exists()


def test_take_labels_fills_only_undecided_paragraphs(client, project, reviewer):
    article = make_article(project, 3)
    ann = label(article, UserFactory(), ["body", "quote", "caption"])
    label(article, UserFactory(), ["body", "body", "body"])
    first = article.paragraphs.get(index=0)
    GoldLabel.objects.create(paragraph=first, label=label_of(project, "boilerplate"))
    client.force_login(reviewer)

    client.post(
        reverse("labels:take_labels", args=[project.slug, article.pk]), {"assignment": ann.pk}
    )

    gold = dict(
        GoldLabel.objects.filter(paragraph__article=article).values_list(
            "paragraph__index", "label__value"
        )
    )
    assert gold == {0: "boilerplate", 1: "quote", 2: "caption"}
    assert ProjectEvent.objects.filter(project=project, action="decided").exists()


def test_taking_an_annotators_labels_sends_one_gold_decided_webhook(client, project, reviewer):
    article = make_article(project, 2)
    ann = label(article, UserFactory(), ["body", "quote"])
    Webhook.objects.create(
        project=project, url="https://hooks.example.org/", events=["gold.decided"], secret="s"
    )
    client.force_login(reviewer)

    client.post(
        reverse("labels:take_labels", args=[project.slug, article.pk]), {"assignment": ann.pk}
    )

    [delivery] = WebhookDelivery.objects.filter(event="gold.decided")
    assert delivery.payload["data"]["paragraphs"] == 2
    assert delivery.payload["data"]["by"] == "annotator"


def test_accept_agreed_rows_takes_unanimous_and_majority_but_not_ties(client, project, reviewer):
    article = make_article(project, 3)
    label(article, UserFactory(), ["body", "quote", "body"])
    label(article, UserFactory(), ["body", "quote", "quote"])
    label(article, UserFactory(), ["body", "caption", "caption"])
    client.force_login(reviewer)

    client.post(reverse("labels:accept_agreed", args=[project.slug, article.pk]))

    gold = dict(
        GoldLabel.objects.filter(paragraph__article=article).values_list(
            "paragraph__index", "label__value"
        )
    )
    assert gold == {0: "body", 1: "quote"}


def test_released_annotator_gets_409_in_words_and_the_slot_returns(
    client, project, reviewer, annotator
):
    article = make_article(project, 2, open_slots=2)
    assignment = queue.claim_next(user=annotator, project=project)
    assert assignment.article == article
    client.force_login(reviewer)

    client.post(reverse("labels:release_assignment", args=[project.slug, assignment.pk]))

    article.refresh_from_db()
    assignment.refresh_from_db()
    assert (assignment.status, assignment.released_by) == (Assignment.Status.RELEASED, reviewer)
    assert article.open_slots == 2
    client.force_login(annotator)
    response = client.post(
        reverse("labels:set_label", args=[article.paragraphs.get(index=0).pk]),
        {"label": "body"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "A reviewer took this article back from you" in response.text
    assert not Annotation.objects.exists()


def test_release_of_a_submitted_assignment_is_409_and_changes_nothing(client, project, reviewer):
    article = make_article(project, 1)
    submitted = label(article, UserFactory(), ["body"])
    client.force_login(reviewer)

    response = client.post(reverse("labels:release_assignment", args=[project.slug, submitted.pk]))

    submitted.refresh_from_db()
    assert response.status_code == 409
    assert submitted.status == Assignment.Status.SUBMITTED


def test_returned_article_comes_first_with_the_note(client, project, reviewer, annotator):
    done = make_article(project, 1)
    returned = label(done, annotator, ["body"])
    ArticleFactory(project=project)  # a newer article the queue would offer otherwise
    current = queue.claim_next(user=annotator, project=project)
    assert current.article_id != done.pk
    client.force_login(reviewer)

    client.post(
        reverse("labels:return_assignment", args=[project.slug, returned.pk]),
        {"note": "Paragraph 1 is a caption"},
    )

    assert queue.claim_next(user=annotator, project=project).pk == returned.pk
    client.force_login(annotator)
    page = client.get(reverse("labels:annotate", args=[returned.pk]))
    assert "Returned to you for correction" in page.text
    assert "Paragraph 1 is a caption" in page.text


def test_return_needs_a_note(client, project, reviewer):
    submitted = label(make_article(project, 1), UserFactory(), ["body"])
    client.force_login(reviewer)

    response = client.post(
        reverse("labels:return_assignment", args=[project.slug, submitted.pk]), {"note": ""}
    )

    submitted.refresh_from_db()
    assert response.status_code == 400
    assert submitted.status == Assignment.Status.SUBMITTED


def test_queue_offers_the_highest_priority_first(client, project, reviewer, annotator):
    make_article(project, 1)
    urgent = make_article(project, 1)
    client.force_login(reviewer)

    client.post(reverse("labels:set_priority", args=[project.slug, urgent.pk]), {"priority": 5})

    assert queue.claim_next(user=annotator, project=project).article_id == urgent.pk


def test_paused_project_hands_out_nothing_new_but_work_in_progress_stays(
    client, project, reviewer, annotator
):
    make_article(project, 1)
    make_article(project, 1)
    other = MembershipFactory(project=project).user
    mine = queue.claim_next(user=annotator, project=project)
    client.force_login(reviewer)

    client.post(reverse("labels:set_paused", args=[project.slug]), {"paused": "on"})

    project.refresh_from_db()
    assert project.paused
    assert queue.claim_next(user=annotator, project=project).pk == mine.pk
    assert queue.claim_next(user=other, project=project) is None
    client.force_login(other)
    page = client.post(reverse("labels:start", args=[project.slug]))
    assert "The project is paused" in page.text


def test_flag_answer_and_resolve_updates_the_article_figures(client, project, reviewer):
    article = make_article(project, 1)
    assignment = label(article, UserFactory(), ["body"])
    flag = Flag.objects.create(assignment=assignment, paragraph=article.paragraphs.get())
    client.force_login(reviewer)
    client.get(reverse("labels:articles", args=[project.slug]))

    client.post(
        reverse("labels:answer_flag", args=[project.slug, flag.pk]),
        {"reply": "It is body text", "resolve": "on"},
    )

    flag.refresh_from_db()
    assert flag.reply == "It is body text" and flag.resolved_at is not None
    listing = client.get(reverse("labels:articles", args=[project.slug]), {"flags": "on"})
    assert "0 articles" in listing.text


def test_activity_log_lists_work_control_for_reviewers(client, project, reviewer):
    client.force_login(reviewer)
    client.post(reverse("labels:set_paused", args=[project.slug]), {"paused": "on"})

    page = client.get(reverse("labels:activity_log", args=[project.slug]))

    assert "paused" in page.text
    assert reviewer.username in page.text


def test_article_of_another_project_is_404(client, project, reviewer):
    elsewhere = ArticleFactory(project=ProjectFactory())
    ParagraphFactory(article=elsewhere)
    client.force_login(reviewer)

    response = client.get(reverse("labels:article", args=[project.slug, elsewhere.pk]))

    assert response.status_code == 404
    assert Article.objects.count() == 1


def test_suspicious_submissions_list_names_each_reason(client, project, reviewer):
    careful = label(
        make_article(project, 3), UserFactory(username="careful"), ["body", "quote", "body"]
    )
    careful.active_seconds = 60
    careful.save()
    same = label(make_article(project, 3), UserFactory(username="presser"), ["body"] * 3)
    same.active_seconds = 60
    same.save()
    quick = label(
        make_article(project, 3), UserFactory(username="quick"), ["body", "quote", "caption"]
    )
    accepted = label(make_article(project, 2), UserFactory(username="accepter"), ["body", "quote"])
    accepted.active_seconds = 60
    accepted.save()
    Annotation.objects.filter(assignment=accepted).update(from_suggestion=True)
    client.force_login(reviewer)

    page = client.get(reverse("labels:suspicious", args=[project.slug]))

    assert f'id="suspicious-{careful.pk}"' not in page.text
    assert "one label on every paragraph" in page.text
    assert f'id="suspicious-{quick.pk}"' in page.text and "under 1 s" in page.text
    assert "every suggestion accepted unchanged" in page.text
    assert f'id="suspicious-{same.pk}"' in page.text
