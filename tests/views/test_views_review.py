"""Reviewer screens: permissions, dashboard, disagreement queue, adjudication, bulk majority."""

import json
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from labels.models import Flag, GoldLabel, Membership
from labels.review import adjudication
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, label_of
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(project):
    return MembershipFactory(project=project, reviewer=True).user


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def divided(project):
    """Article 'divided': ann and bob disagree on paragraphs 1 and 2; cy adds a third view on 2."""
    ann, bob, cy = (UserFactory(username=name) for name in ("ann", "bob", "cy"))
    article = make_article(project, 4, title="Divided", external_id="divided")
    label(article, ann, ["body", "quote", "caption", "body"])
    label(article, bob, ["body", "body", "boilerplate", "body"])
    label(article, cy, ["body", "quote", "body", "body"])
    return article


def paragraph(article, index):
    return article.paragraphs.get(index=index)


def review_urls(project, article) -> list[tuple[str, str]]:
    target = paragraph(article, 1).pk
    return [
        ("get", reverse("labels:review", args=[project.slug])),
        ("get", reverse("labels:disagreements", args=[project.slug])),
        ("get", reverse("labels:next_disagreement", args=[project.slug])),
        ("get", reverse("labels:adjudicate", args=[project.slug, target])),
        ("post", reverse("labels:adjudicate", args=[project.slug, target])),
        ("post", reverse("labels:accept_majority", args=[project.slug])),
    ]


def test_annotators_and_strangers_get_404_and_change_nothing(
    annotator_client, project, divided, other_user
):
    stranger = Client()
    stranger.force_login(other_user)

    for client in (annotator_client, stranger):
        for method, url in review_urls(project, divided):
            response = getattr(client, method)(url, {"label": "body"})
            assert response.status_code == 404, (method, url)
    assert not GoldLabel.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, project, divided):
    for method, url in review_urls(project, divided):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_staff_review_any_project(client, divided, project):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("labels:review", args=[project.slug])).status_code == 200


def test_the_project_page_links_to_review_for_reviewers_only(
    reviewer_client, annotator_client, project
):
    url = reverse("labels:project", args=[project.slug])
    dashboard = reverse("labels:review", args=[project.slug])

    assert dashboard in reviewer_client.get(url).text
    assert dashboard not in annotator_client.get(url).text


def test_dashboard_shows_figures_heatmaps_and_links_cells_to_the_queue(
    reviewer_client, project, divided
):
    response = reviewer_client.get(reverse("labels:review", args=[project.slug]))

    assert response.status_code == 200
    html = response.text
    assert 'id="alpha-value"' in html and "95% confidence interval" in html
    assert "kappa paradox" in html
    assert '<dd id="annotators">3</dd>' in html
    queue = reverse("labels:disagreements", args=[project.slug])
    assert f'href="{queue}?a=body&amp;b=quote"' in html
    assert 'data-pair="quote-body"' in html
    assert 'data-pair="body-body"' not in html  # agreement cells are not links
    for name in ("ann", "bob", "cy"):
        assert f'<th scope="col"><bdi>{name}</bdi></th>' in html
    assert "<script>" not in html and "style=" not in html


def test_dashboard_runs_the_same_number_of_queries_whatever_the_size(
    reviewer_client, project, django_assert_num_queries
):
    users = [UserFactory() for _ in range(3)]
    url = reverse("labels:review", args=[project.slug])

    def grow(articles: int) -> None:
        for n in range(articles):
            article = make_article(project, 3, source=f"site{n % 3}.example")
            for user, values in zip(
                users,
                [["body", "quote", "body"], ["body", "body", "caption"], ["quote"] * 3],
                strict=True,
            ):
                label(article, user, values)

    grow(1)
    reviewer_client.get(url)  # the session's first request may touch extra rows
    with django_assert_num_queries(18) as small:  # 2 of them: the honesty figures
        reviewer_client.get(url)
    grow(12)
    GoldLabel.objects.create(
        paragraph=project.articles.first().paragraphs.first(), label=label_of(project, "body")
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = reviewer_client.get(url)
    assert "Annotators against gold" in response.text


def queue_ids(response) -> list[int]:
    return [row["paragraph"].pk for row in response.context["rows"]]


def test_queue_lists_disagreements_most_divided_first(reviewer_client, project, divided):
    response = reviewer_client.get(reverse("labels:disagreements", args=[project.slug]))

    # Paragraph 2: three different labels; paragraph 1: two against one. 0 and 3 agree.
    assert queue_ids(response) == [paragraph(divided, 2).pk, paragraph(divided, 1).pk]
    assert response.context["total"] == 2
    assert (
        "<bdi>ann</bdi>: Caption" in response.text
        and "<bdi>bob</bdi>: Boilerplate" in response.text
    )


def test_queue_filters_by_label_pair_annotator_and_article(reviewer_client, project, divided):
    url = reverse("labels:disagreements", args=[project.slug])
    other = make_article(project, 1)
    label(other, UserFactory(username="dee"), ["quote"])
    label(other, UserFactory(username="eve"), ["caption"])

    by_pair = reviewer_client.get(url, {"a": "body", "b": "boilerplate"})
    by_reverse_pair = reviewer_client.get(url, {"a": "boilerplate", "b": "body"})
    by_annotator = reviewer_client.get(url, {"annotator": "dee"})
    by_article = reviewer_client.get(url, {"article": divided.pk})

    assert queue_ids(by_pair) == queue_ids(by_reverse_pair) == [paragraph(divided, 2).pk]
    assert queue_ids(by_annotator) == [paragraph(other, 0).pk]
    assert len(queue_ids(by_article)) == 2


def test_flagged_paragraphs_join_the_queue_and_decided_ones_leave_it(
    reviewer_client, reviewer, project, divided
):
    agreed = paragraph(divided, 0)
    Flag.objects.create(
        assignment=divided.assignments.first(), paragraph=agreed, note="is this the headline?"
    )
    adjudication.adjudicate(
        reviewer=reviewer, paragraph=paragraph(divided, 2), label=label_of(project, "caption")
    )
    url = reverse("labels:disagreements", args=[project.slug])

    open_queue = reviewer_client.get(url)
    everything = reviewer_client.get(url, {"show": "all"})

    assert queue_ids(open_queue) == [paragraph(divided, 1).pk, agreed.pk]
    assert "is this the headline?" in open_queue.text
    assert paragraph(divided, 2).pk in queue_ids(everything)
    assert "Gold: <strong>Caption</strong>" in everything.text


def test_queue_pages_and_keeps_filters_in_the_links(reviewer_client, project):
    ann, bob = UserFactory(), UserFactory()
    article = make_article(project, adjudication.PAGE_SIZE + 5)
    size = adjudication.PAGE_SIZE + 5
    label(article, ann, ["body"] * size)
    label(article, bob, ["quote"] * size)
    url = reverse("labels:disagreements", args=[project.slug])

    first = reviewer_client.get(url, {"a": "body", "b": "quote"})
    second = reviewer_client.get(url, {"a": "body", "b": "quote", "page": 2})

    assert len(queue_ids(first)) == adjudication.PAGE_SIZE and len(queue_ids(second)) == 5
    assert not set(queue_ids(first)) & set(queue_ids(second))
    assert first.context["next_query"] == "a=body&b=quote&page=2"


def test_queue_pages_run_a_constant_number_of_queries(
    reviewer_client, project, django_assert_num_queries
):
    users = [UserFactory() for _ in range(2)]
    url = reverse("labels:disagreements", args=[project.slug])
    article = make_article(project, 2)
    label(article, users[0], ["body", "quote"])
    label(article, users[1], ["quote", "body"])
    reviewer_client.get(url)
    with django_assert_num_queries(15) as small:
        reviewer_client.get(url)
    for _ in range(6):
        article = make_article(project, 4)
        label(article, users[0], ["body", "quote", "caption", "body"])
        label(article, users[1], ["quote", "body", "body", "caption"])
    with django_assert_num_queries(len(small.captured_queries)):
        response = reviewer_client.get(url)
    assert response.context["total"] == 26


def test_bad_filters_are_refused(reviewer_client, project, divided):
    url = reverse("labels:disagreements", args=[project.slug])

    assert reviewer_client.get(url, {"a": "headline", "b": "body"}).status_code == 400
    assert reviewer_client.get(url, {"a": "body"}).status_code == 400
    assert reviewer_client.get(url, {"annotator": "nobody"}).status_code == 400
    other_article = make_article(ProjectFactory(), 1)
    assert reviewer_client.get(url, {"article": other_article.pk}).status_code == 400


def test_adjudication_page_shows_the_paragraph_in_context_with_names(
    reviewer_client, project, divided
):
    target = paragraph(divided, 2)

    response = reviewer_client.get(
        reverse("labels:adjudicate", args=[project.slug, target.pk]), {"pos": 0}
    )

    html = response.text
    assert response.status_code == 200
    assert html.count('aria-current="true"') == 1
    assert len(response.context["context_paragraphs"]) == 4
    assert [
        (a.assignment.annotator.username, a.label.value) for a in response.context["annotations"]
    ] == [("ann", "caption"), ("bob", "boilerplate"), ("cy", "body")]
    assert 'data-key="1"' in html and "labels/adjudicate.js" in html


def test_adjudicating_writes_gold_with_who_and_when_then_opens_the_next(
    reviewer_client, reviewer, project, divided
):
    first, second = paragraph(divided, 2), paragraph(divided, 1)

    response = reviewer_client.post(
        reverse("labels:adjudicate", args=[project.slug, first.pk]) + "?pos=0",
        {"label": "caption", "note": "photo line"},
    )

    gold = GoldLabel.objects.get(paragraph=first)
    assert (gold.label.value, gold.source, gold.decided_by, gold.note) == (
        "caption",
        GoldLabel.Source.ADJUDICATED,
        reviewer,
        "photo line",
    )
    assert gold.decided_at is not None
    following = reviewer_client.get(response["Location"])
    assert following.status_code == 302
    target = urlsplit(following["Location"])
    assert target.path == reverse("labels:adjudicate", args=[project.slug, second.pk])
    assert parse_qs(target.query) == {"pos": ["0"]}


def test_after_the_last_decision_the_queue_says_so(reviewer_client, project, divided):
    for index, value in ((2, "caption"), (1, "quote")):
        response = reviewer_client.post(
            reverse("labels:adjudicate", args=[project.slug, paragraph(divided, index).pk])
            + "?pos=0",
            {"label": value},
        )
    final = reviewer_client.get(response["Location"], follow=True)

    assert final.redirect_chain[-1][0].startswith(
        reverse("labels:disagreements", args=[project.slug])
    )
    assert "No more paragraphs to decide here." in final.text
    assert 'id="queue-empty"' in final.text


def test_adjudication_changes_the_gold_export(reviewer_client, project, divided):
    def exported() -> dict[int, tuple[str, str]]:
        out = StringIO()
        call_command("export_gold", "--project", project.slug, stdout=out, stderr=StringIO())
        return {
            row["index"]: (row["label"], row["gold_source"])
            for row in map(json.loads, out.getvalue().splitlines())
        }

    assert exported().get(1, (None, None))[1] != "adjudicated"

    reviewer_client.post(
        reverse("labels:adjudicate", args=[project.slug, paragraph(divided, 1).pk]),
        {"label": "caption"},
    )

    assert exported()[1] == ("caption", "adjudicated")


def test_a_label_outside_the_project_is_refused(reviewer_client, project, divided):
    url = reverse("labels:adjudicate", args=[project.slug, paragraph(divided, 1).pk])

    assert reviewer_client.post(url, {"label": "headline"}).status_code == 400
    assert not GoldLabel.objects.exists()
    with pytest.raises(adjudication.WrongProject):
        adjudication.adjudicate(
            reviewer=UserFactory(),
            paragraph=paragraph(divided, 1),
            label=label_of(ProjectFactory(), "body"),
        )


def test_a_paragraph_of_another_project_is_404(reviewer_client, project):
    elsewhere = make_article(ProjectFactory(), 1)

    response = reviewer_client.get(
        reverse("labels:adjudicate", args=[project.slug, paragraph(elsewhere, 0).pk])
    )

    assert response.status_code == 404


def test_accept_majority_decides_strict_majorities_of_the_filtered_set_only(
    reviewer_client, reviewer, project, divided
):
    tied = make_article(project, 1)
    label(tied, UserFactory(), ["body"])
    label(tied, UserFactory(), ["quote"])
    decided = make_article(project, 1)
    for user in (UserFactory(), UserFactory()):
        label(decided, user, ["quote"])
    label(decided, UserFactory(), ["body"])
    adjudication.adjudicate(
        reviewer=UserFactory(), paragraph=paragraph(decided, 0), label=label_of(project, "body")
    )
    elsewhere = make_article(project, 1)
    for user in (UserFactory(), UserFactory()):
        label(elsewhere, user, ["caption"])
    label(elsewhere, UserFactory(), ["boilerplate"])

    response = reviewer_client.post(
        reverse("labels:accept_majority", args=[project.slug]) + "?a=body&b=quote"
    )

    assert response.status_code == 302
    majority = GoldLabel.objects.filter(source=GoldLabel.Source.MAJORITY)
    # divided#1 is quote 2:1; divided#2 has no majority; the tie has none; 'decided' keeps
    # its adjudication; 'elsewhere' is outside the body × quote filter.
    assert [(g.paragraph_id, g.label.value, g.decided_by) for g in majority] == [
        (paragraph(divided, 1).pk, "quote", reviewer)
    ]
    assert GoldLabel.objects.get(paragraph=paragraph(decided, 0)).source == "adjudicated"
    assert "for 1 paragraph(s)" in reviewer_client.get(response["Location"]).text


def test_members_role_check_uses_the_membership(client, project, divided):
    user = UserFactory()
    Membership.objects.create(project=project, user=user, role=Membership.Role.REVIEWER)
    client.force_login(user)

    assert client.get(reverse("labels:disagreements", args=[project.slug])).status_code == 200
