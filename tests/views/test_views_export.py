"""The reviewer's download of gold exports and their cards: permissions, streaming, options."""

import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from labels.models import Article, Assignment
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold_project(project):
    """Two articles labelled by two annotators: art-0 agrees fully, art-1 once disagrees."""
    users = [get_user_model().objects.create(username=name) for name in ("ann", "bob")]
    plan = {
        "art-0": [["body", "body"], ["quote", "quote"], ["caption", "caption"]],
        "art-1": [["body", "body"], ["body", "quote"]],
    }
    for external_id, paragraphs in plan.items():
        article = ArticleFactory(project=project, external_id=external_id)
        rows = [
            ParagraphFactory(article=article, index=i, text=f"{external_id} text {i}")
            for i in range(len(paragraphs))
        ]
        for n, user in enumerate(users):
            assignment = AssignmentFactory(
                article=article, annotator=user, status=Assignment.Status.SUBMITTED
            )
            for paragraph, labels in zip(rows, paragraphs, strict=True):
                AnnotationFactory(
                    assignment=assignment, paragraph=paragraph, label=label_of(project, labels[n])
                )
    return project


def download(client: Client, project, **params):
    return client.get(reverse("labels:export_gold", args=[project.slug]), params)


def body_of(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def test_reviewer_downloads_a_streaming_paragraph_export(
    reviewer_client, gold_project, django_assert_max_num_queries
):
    # 15: the export (snapshot, counts, rows), the activity log row and the webhook lookup.
    with django_assert_max_num_queries(15):
        response = download(reviewer_client, gold_project)
        body = body_of(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{gold_project.slug}-gold-paragraphs.jsonl"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert [(r["id"], r["label"]) for r in rows] == [
        ("art-0#0", "body"),
        ("art-0#1", "quote"),
        ("art-0#2", "caption"),
        ("art-1#0", "body"),
    ]


def test_the_download_takes_the_commands_options(reviewer_client, gold_project):
    articles = body_of(download(reviewer_client, gold_project, unit="article"))
    unresolved = body_of(download(reviewer_client, gold_project, include_unresolved="on"))
    anonymous = body_of(download(reviewer_client, gold_project, anonymize="on"))
    benchmark = body_of(download(reviewer_client, gold_project, format="articlebody"))
    loose = body_of(download(reviewer_client, gold_project, min_agreement="0.5", split="100"))

    assert [json.loads(x)["article_id"] for x in articles.splitlines()] == ["art-0", "art-1"]
    assert json.loads(unresolved.splitlines()[-1])["label"] is None
    assert b'"ann"' not in anonymous
    assert b'"annotator":"annotator-' in anonymous
    assert json.loads(benchmark) == {
        "art-0": {
            "articleBody": "art-0 text 0\n\nart-0 text 1",
            "url": Article.objects.get(external_id="art-0").url,
        }
    }
    assert {json.loads(x)["split"] for x in loose.splitlines()} == {"train"}
    assert len(loose.splitlines()) == 4  # a 1-1 tie is still no majority at 0.5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_annotations": "0"}, "min_annotations"),
        ({"min_agreement": "0"}, "min_agreement"),
        ({"split": "50/20"}, "add up to 100"),
        ({"unit": "sentence"}, "unit"),
        (
            {"format": "articlebody", "unit": "article"},
            "applies to the jsonl and parquet formats only",
        ),
    ],
)
def test_bad_options_are_400_with_the_field_named(reviewer_client, gold_project, params, message):
    response = download(reviewer_client, gold_project, **params)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("name", ["export_gold", "export_card"])
def test_annotators_and_strangers_get_404(client, gold_project, name):
    annotator = MembershipFactory(project=gold_project).user
    stranger_reviewer = MembershipFactory(project=ProjectFactory(), reviewer=True).user
    url = reverse(f"labels:{name}", args=[gold_project.slug])

    for user in (annotator, stranger_reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["export_gold", "export_card"])
def test_anonymous_users_are_sent_to_log_in(client, gold_project, name):
    response = client.get(reverse(f"labels:{name}", args=[gold_project.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_may_download_and_post_is_refused(client, gold_project):
    client.force_login(UserFactory(is_staff=True))

    assert download(client, gold_project).status_code == 200
    url = reverse("labels:export_gold", args=[gold_project.slug])
    assert client.post(url).status_code == 405


def test_the_card_describes_the_download_with_the_same_options(reviewer_client, gold_project):
    params = {"unit": "article", "anonymize": "on"}
    body = body_of(download(reviewer_client, gold_project, **params))

    response = reviewer_client.get(reverse("labels:export_card", args=[gold_project.slug]), params)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{gold_project.slug}-gold-articles.card.json"'
    )
    card = response.json()
    assert card["file"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert card["file"]["lines"] == len(body.splitlines()) == 2
    assert card["counts"]["labels"] == {"body": 2, "quote": 1, "caption": 1, "null": 1}
    assert card["annotators"]["anonymized"] is True
    assert "ann" not in card["annotators"]["annotations_in_file"]


def test_the_card_comes_as_markdown_too(reviewer_client, gold_project):
    response = reviewer_client.get(
        reverse("labels:export_card", args=[gold_project.slug]), {"card": "md"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode().startswith(f"# Gold dataset: {gold_project.name}")


def test_the_project_page_offers_the_downloads_to_reviewers_only(
    reviewer_client, annotator_client, gold_project
):
    url = reverse("labels:project", args=[gold_project.slug])
    export_url = reverse("labels:export_gold", args=[gold_project.slug])

    as_reviewer = reviewer_client.get(url).content.decode()
    as_annotator = annotator_client.get(url).content.decode()

    assert f'action="{export_url}"' in as_reviewer
    assert 'id="download-card"' in as_reviewer
    assert 'name="min_annotations"' in as_reviewer
    assert export_url not in as_annotator
