"""Suggestions on the labelling page (only when the project shows them) and the reviewer pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from labels.models import (
    Annotation,
    AnnotationEvent,
    Assignment,
    GoldLabel,
    Project,
    ProjectEvent,
)
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

SUGGESTION_TRACES = (
    "suggest.js",
    "accept-suggestion",
    "data-accept-suggestion",
    "Suggested:",
    "accept-all",
    "Accept all remaining suggestions",
    "/accept",
)


@pytest.fixture
def suggested(project: Project, member):
    """An in-progress assignment of the member on three paragraphs with suggestions."""
    article = ArticleFactory(project=project, open_slots=project.overlap - 1)
    for index, (label, confidence) in enumerate(
        [("body", 0.6), ("boilerplate", 0.9), ("caption", 0.8)]
    ):
        ParagraphFactory(
            article=article,
            index=index,
            suggested_label=label,
            suggestion_confidence=confidence,
            suggestion_source="rules:test",
            suggestion_version="rules-1",
        )
    return AssignmentFactory(article=article, annotator=member.user)


def show(project: Project, on: bool = True) -> None:
    Project.objects.filter(pk=project.pk).update(show_suggestions=on)


def test_with_suggestions_off_nothing_of_them_appears(annotator_client, project, suggested):
    response = annotator_client.get(reverse("labels:annotate", args=[suggested.pk]))

    assert response.status_code == 200
    for trace in SUGGESTION_TRACES:
        assert trace not in response.text


def test_with_suggestions_off_the_accept_endpoints_are_404(annotator_client, project, suggested):
    paragraph = suggested.article.paragraphs.first()

    one = annotator_client.post(reverse("labels:accept_suggestion", args=[paragraph.pk]))
    every = annotator_client.post(reverse("labels:accept_all_suggestions", args=[suggested.pk]))

    assert (one.status_code, every.status_code) == (404, 404)
    assert not Annotation.objects.exists()


def test_with_suggestions_on_each_unlabelled_paragraph_shows_its_suggestion(
    annotator_client, project, suggested
):
    show(project)
    first = suggested.article.paragraphs.get(index=0)
    AnnotationFactory(assignment=suggested, paragraph=first, label=label_of(project, "quote"))

    response = annotator_client.get(reverse("labels:annotate", args=[suggested.pk]))

    text = response.text
    assert "labels/suggest.js" in text
    assert 'id="accept-all-suggestions"' in text
    assert text.count("data-accept-suggestion=") == 2  # the labelled paragraph shows none
    assert 'data-accept-suggestion="boilerplate"' in text
    assert 'Suggested: <strong>Boilerplate</strong> <span class="muted">(90%)</span>' in text
    assert 'data-accept-suggestion="caption"' in text
    assert 'data-accept-suggestion="body"' not in text


def test_the_annotate_page_with_suggestions_runs_a_constant_number_of_queries(
    annotator_client, project, member, make_assignment, django_assert_max_num_queries
):
    show(project)
    small = make_assignment(member.user, paragraphs=2)
    big = make_assignment(member.user, paragraphs=200)
    big.article.paragraphs.update(suggested_label="body", suggestion_confidence=0.6)

    for assignment in (small, big):
        with django_assert_max_num_queries(10):
            response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))
        assert response.status_code == 200
    assert response.text.count("data-accept-suggestion=") == 200


def test_accepting_one_suggestion_returns_the_labelled_fragment(
    annotator_client, project, suggested, django_assert_max_num_queries
):
    show(project)
    paragraph = suggested.article.paragraphs.get(index=1)

    with django_assert_max_num_queries(14):
        response = annotator_client.post(
            reverse("labels:accept_suggestion", args=[paragraph.pk]),
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert (annotation.label.value, annotation.from_suggestion) == ("boilerplate", True)
    assert AnnotationEvent.objects.get().action == AnnotationEvent.Action.ACCEPT_SUGGESTION
    assert f'id="p{paragraph.pk}"' in response.text
    assert "label-boilerplate" in response.text
    assert "data-accept-suggestion" not in response.text
    assert "1 / 3 labelled" in response.text
    assert "<html" not in response.text


def test_accepting_without_htmx_redirects_back_to_the_paragraph(
    annotator_client, project, suggested
):
    show(project)
    paragraph = suggested.article.paragraphs.get(index=2)

    response = annotator_client.post(reverse("labels:accept_suggestion", args=[paragraph.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith(f"/a/{suggested.pk}/#p{paragraph.pk}")
    assert Annotation.objects.get().label.value == "caption"


def test_accepting_someone_elses_paragraph_is_404(project, suggested):
    show(project)
    stranger = MembershipFactory(project=project).user
    client = Client()
    client.force_login(stranger)
    paragraph = suggested.article.paragraphs.first()

    assert client.post(reverse("labels:accept_suggestion", args=[paragraph.pk])).status_code == 404
    response = client.post(reverse("labels:accept_all_suggestions", args=[suggested.pk]))
    assert response.status_code == 404
    assert not Annotation.objects.exists()


def test_accepting_a_paragraph_without_suggestion_is_a_bad_request(
    annotator_client, project, suggested
):
    show(project)
    paragraph = suggested.article.paragraphs.first()
    paragraph.suggested_label = ""
    paragraph.save()

    response = annotator_client.post(reverse("labels:accept_suggestion", args=[paragraph.pk]))

    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_accept_all_sets_every_remaining_paragraph_in_one_post(
    annotator_client, project, suggested, django_assert_max_num_queries
):
    show(project)
    first = suggested.article.paragraphs.get(index=0)
    AnnotationFactory(assignment=suggested, paragraph=first, label=label_of(project, "quote"))

    with django_assert_max_num_queries(14):
        response = annotator_client.post(
            reverse("labels:accept_all_suggestions", args=[suggested.pk])
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("labels:annotate", args=[suggested.pk])
    labels = dict(
        Annotation.objects.values_list("paragraph__index", "label__value").order_by("paragraph")
    )
    assert labels == {0: "quote", 1: "boilerplate", 2: "caption"}
    assert Annotation.objects.filter(from_suggestion=True).count() == 2
    page = annotator_client.get(response["Location"])
    assert "Accepted 2 suggestions." in page.text
    assert "3 / 3 labelled" in page.text


def test_accept_all_on_a_submitted_assignment_is_a_conflict(annotator_client, project, suggested):
    show(project)
    Assignment.objects.filter(pk=suggested.pk).update(status=Assignment.Status.SUBMITTED)

    response = annotator_client.post(reverse("labels:accept_all_suggestions", args=[suggested.pk]))

    assert response.status_code == 409
    assert not Annotation.objects.exists()


def test_accept_endpoints_refuse_get(annotator_client, project, suggested):
    show(project)
    paragraph = suggested.article.paragraphs.first()

    assert (
        annotator_client.get(reverse("labels:accept_suggestion", args=[paragraph.pk])).status_code
        == 405
    )


# Reviewer pages


def reviewer_pages(project: Project) -> list[str]:
    return [
        reverse("labels:suggestions", args=[project.slug]),
        reverse("labels:site_memory", args=[project.slug]),
    ]


def test_reviewer_pages_are_404_for_annotators_and_strangers(annotator_client, project):
    stranger = Client()
    stranger.force_login(UserFactory())
    label = label_of(project, "boilerplate")
    posts = [
        (reverse("labels:set_show_suggestions", args=[project.slug]), {"show_suggestions": "on"}),
        (
            reverse("labels:apply_site_memory", args=[project.slug]),
            {"source": "s", "text_hash": "0" * 64, "label": label.value},
        ),
    ]

    for client in (annotator_client, stranger):
        for url in reviewer_pages(project):
            assert client.get(url).status_code == 404
        for url, data in posts:
            assert client.post(url, data).status_code == 404
    project.refresh_from_db()
    assert project.show_suggestions is False
    assert not GoldLabel.objects.exists()


def test_the_reviewer_toggles_suggestions_for_annotators(reviewer_client, project):
    url = reverse("labels:set_show_suggestions", args=[project.slug])

    reviewer_client.post(url, {"show_suggestions": "on"})
    project.refresh_from_db()
    assert project.show_suggestions is True
    page = reviewer_client.get(reverse("labels:suggestions", args=[project.slug]))
    assert "Hide suggestions from annotators" in page.text

    reviewer_client.post(url, {"show_suggestions": ""})
    project.refresh_from_db()
    assert project.show_suggestions is False
    logged = ProjectEvent.objects.filter(project=project, action="settings changed")
    assert list(logged.order_by("pk").values_list("detail", flat=True)) == [
        "show_suggestions on",
        "show_suggestions off",
    ]


def test_the_accuracy_page_shows_per_label_numbers(
    reviewer_client, project, suggested, django_assert_max_num_queries
):
    rows = list(suggested.article.paragraphs.order_by("index"))
    GoldLabel.objects.create(paragraph=rows[0], label=label_of(project, "body"))
    GoldLabel.objects.create(paragraph=rows[1], label=label_of(project, "quote"))

    # 10 for the accuracy report, 3 for the model versions and the honesty figures.
    with django_assert_max_num_queries(13):
        response = reviewer_client.get(reverse("labels:suggestions", args=[project.slug]))

    assert response.status_code == 200
    assert "1 of 2 paragraphs with a gold label were suggested it" in response.text
    assert "rules: 1 of 2" in response.text
    body_row = response.text.split('id="accuracy-body"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in body_row.split('class="num">')[1:]][:5] == [
        "1",
        "1",
        "1",
        "1.00",
        "1.00",
    ]


def test_the_site_memory_page_lists_recurring_texts_and_applies_a_label_to_all(
    reviewer_client, project
):
    footer = "Sign up for the Harbour Gazette <b>morning</b> briefing"
    occurrences = []
    for n in range(3):
        article = ArticleFactory(project=project, source="gazette.example")
        occurrences.append(ParagraphFactory(article=article, index=0, text=footer))
        ParagraphFactory(article=article, index=1, text=f"Story {n}")

    page = reviewer_client.get(reverse("labels:site_memory", args=[project.slug]))

    assert page.status_code == 200
    assert "Sign up for the Harbour Gazette &lt;b&gt;morning&lt;/b&gt; briefing" in page.text
    assert "Apply to all 3" in page.text
    response = reviewer_client.post(
        reverse("labels:apply_site_memory", args=[project.slug]),
        {
            "source": "gazette.example",
            "text_hash": occurrences[0].text_hash,
            "label": "boilerplate",
        },
        follow=True,
    )
    assert (
        "Boilerplate is now the gold label of 3 more occurrences on \u2068gazette.example\u2069."
        in response.text
    )
    gold = GoldLabel.objects.filter(source=GoldLabel.Source.SITE_MEMORY)
    assert sorted(gold.values_list("paragraph_id", flat=True)) == sorted(p.pk for p in occurrences)
    decided = ProjectEvent.objects.get(project=project, action="decided")
    assert decided.detail == "site memory: Boilerplate for 3 occurrence(s) on gazette.example"


def test_applying_site_memory_with_a_bad_label_or_hash_is_a_bad_request(reviewer_client, project):
    url = reverse("labels:apply_site_memory", args=[project.slug])

    bad_label = reviewer_client.post(url, {"source": "s", "text_hash": "a" * 64, "label": "x"})
    bad_hash = reviewer_client.post(url, {"source": "s", "text_hash": "xyz", "label": "body"})

    assert (bad_label.status_code, bad_hash.status_code) == (400, 400)
    assert not GoldLabel.objects.exists()
