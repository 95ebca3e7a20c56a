"""The labelling screen's server side: selections, runs that follow suggestions, submit and
stop, accept-all as a fragment, My work and reopening, structure cues, refusals in words."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from labels.models import Annotation, AnnotationEvent, Assignment, Paragraph
from labels.workflow import annotating
from tests.factories import (
    AnnotationFactory,
    GoldLabelFactory,
    MembershipFactory,
    ParagraphFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def test_a_selection_is_labelled_in_one_request_and_undone_in_one_step(
    annotator_client, member, make_assignment, django_assert_max_num_queries
):
    assignment = make_assignment(member.user, paragraphs=6)
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    AnnotationFactory(
        assignment=assignment,
        paragraph=paragraphs[2],
        label=label_of(assignment.article.project, "quote"),
    )
    chosen = [paragraphs[1].pk, paragraphs[2].pk, paragraphs[3].pk]

    with django_assert_max_num_queries(16):
        response = annotator_client.post(
            reverse("labels:label_selection", args=[assignment.pk]),
            {"paragraph": chosen, "label": "caption"},
            headers=HTMX,
        )

    assert response.status_code == 200
    labels = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label__value")
    )
    assert labels == dict.fromkeys(chosen, "caption")
    assert triggers(response)["annotate:announce"]["message"] == (
        "3 paragraphs changed to Caption. Press u to undo them."
    )
    for pk in chosen:
        assert f'id="p{pk}"' in response.text
    assert f'id="p{paragraphs[0].pk}"' not in response.text

    annotator_client.post(reverse("labels:undo", args=[assignment.pk]), headers=HTMX)

    labels = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label__value")
    )
    assert labels == {paragraphs[2].pk: "quote"}
    assert AnnotationEvent.objects.filter(assignment=assignment).count() == 6


def test_a_selection_reaching_into_another_article_is_refused_and_writes_nothing(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=2)
    stranger = ParagraphFactory()

    response = annotator_client.post(
        reverse("labels:label_selection", args=[assignment.pk]),
        {"paragraph": [assignment.article.paragraphs.first().pk, stranger.pk], "label": "body"},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_a_shift_run_stops_where_the_suggestion_differs_when_suggestions_are_shown(
    annotator_client, project, member, make_assignment
):
    project.show_suggestions = True
    project.save()
    assignment = make_assignment(member.user, paragraphs=6)
    suggested = ["boilerplate", "boilerplate", "boilerplate", "body", "boilerplate", "body"]
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    for paragraph, value in zip(paragraphs, suggested, strict=True):
        Paragraph.objects.filter(pk=paragraph.pk).update(suggested_label=value)

    response = annotator_client.post(
        reverse("labels:label_run", args=[assignment.pk]),
        {"paragraph": paragraphs[0].pk, "label": "boilerplate"},
        headers=HTMX,
    )

    assert response.status_code == 200
    labelled = set(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", flat=True)
    )
    assert labelled == {p.pk for p in paragraphs[:3]}


def test_a_shift_run_ignores_suggestions_the_project_hides(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=4)
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    Paragraph.objects.filter(pk=paragraphs[1].pk).update(suggested_label="body")

    annotator_client.post(
        reverse("labels:label_run", args=[assignment.pk]),
        {"paragraph": paragraphs[0].pk, "label": "boilerplate"},
        headers=HTMX,
    )

    assert Annotation.objects.filter(assignment=assignment).count() == 4


def fully_labelled(assignment) -> None:
    for paragraph in assignment.article.paragraphs.all():
        AnnotationFactory(assignment=assignment, paragraph=paragraph)


def test_submit_and_stop_goes_to_the_project_page_and_claims_nothing(
    annotator_client, project, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=2)
    fully_labelled(assignment)
    make_assignment(UserFactory(), paragraphs=1)  # another open article exists

    response = annotator_client.post(
        reverse("labels:submit", args=[assignment.pk]), {"then": "stop"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("labels:project", args=[project.slug])
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED
    assert not Assignment.objects.filter(
        annotator=member.user, status=Assignment.Status.IN_PROGRESS
    ).exists()


def test_submit_and_next_claims_the_next_article(
    annotator_client, project, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=1)
    fully_labelled(assignment)
    other = make_assignment(UserFactory(), paragraphs=1)

    response = annotator_client.post(
        reverse("labels:submit", args=[assignment.pk]), {"then": "next"}
    )

    following = Assignment.objects.get(annotator=member.user, status=Assignment.Status.IN_PROGRESS)
    assert following.article_id == other.article_id
    assert response["Location"] == reverse("labels:annotate", args=[following.pk])


def test_accept_all_over_htmx_returns_only_the_changed_rows_and_says_how_to_undo(
    annotator_client, project, member, make_assignment
):
    project.show_suggestions = True
    project.save()
    assignment = make_assignment(member.user, paragraphs=3)
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    Paragraph.objects.filter(pk__in=[p.pk for p in paragraphs[:2]]).update(suggested_label="body")

    response = annotator_client.post(
        reverse("labels:accept_all_suggestions", args=[assignment.pk]), headers=HTMX
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="p{paragraphs[0].pk}"' in response.text
    assert f'id="p{paragraphs[2].pk}"' not in response.text
    assert triggers(response)["annotate:announce"]["message"] == (
        "Accepted 2 suggestions. Press u to undo them."
    )
    assert Annotation.objects.filter(assignment=assignment, from_suggestion=True).count() == 2


def submitted(user, make_assignment):
    assignment = make_assignment(user, paragraphs=2)
    fully_labelled(assignment)
    annotating.submit_assignment(assignment=assignment)
    return assignment


def test_my_work_lists_submitted_articles_with_reopen_until_a_reviewer_decided(
    annotator_client, project, member, make_assignment
):
    open_one = submitted(member.user, make_assignment)
    decided = submitted(member.user, make_assignment)
    GoldLabelFactory(paragraph=decided.article.paragraphs.first(), label=label_of(project, "body"))

    response = annotator_client.get(reverse("labels:project", args=[project.slug]))

    assert reverse("labels:reopen", args=[open_one.pk]) in response.text
    assert reverse("labels:reopen", args=[decided.pk]) not in response.text
    assert "reviewed" in response.text


def test_reopen_then_correct_keeps_history_and_gold_follows_the_new_labels(
    annotator_client, project, member, make_assignment
):
    assignment = submitted(member.user, make_assignment)
    paragraph = assignment.article.paragraphs.order_by("index").first()
    Annotation.objects.filter(assignment=assignment).update(label=label_of(project, "quote"))

    response = annotator_client.post(reverse("labels:reopen", args=[assignment.pk]))

    assert response["Location"] == reverse("labels:annotate", args=[assignment.pk])
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.IN_PROGRESS
    annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "caption"}, headers=HTMX
    )
    annotator_client.post(reverse("labels:submit", args=[assignment.pk]), {"then": "stop"})

    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED
    event = AnnotationEvent.objects.filter(paragraph=paragraph).latest("pk")
    assert (event.previous_label.value, event.label.value) == ("quote", "caption")
    out = StringIO()
    call_command(
        "export_gold",
        "--project",
        project.slug,
        "--min-annotations",
        "1",
        stdout=out,
        stderr=StringIO(),
    )
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    first = next(row for row in rows if row["text"] == paragraph.text)
    assert first["label"] == "caption"


def test_reopen_is_refused_in_words_once_a_reviewer_decided(
    annotator_client, project, member, make_assignment
):
    assignment = submitted(member.user, make_assignment)
    GoldLabelFactory(
        paragraph=assignment.article.paragraphs.first(), label=label_of(project, "body")
    )

    response = annotator_client.post(reverse("labels:reopen", args=[assignment.pk]), follow=True)

    assert "Not reopened: a reviewer has already decided some of its paragraphs." in response.text
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED


def test_reopen_is_refused_while_another_article_is_in_progress(
    annotator_client, member, make_assignment
):
    assignment = submitted(member.user, make_assignment)
    make_assignment(member.user, paragraphs=1)

    response = annotator_client.post(reverse("labels:reopen", args=[assignment.pk]), follow=True)

    assert "submit or skip the article you are labelling first" in response.text
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED


def test_reopen_of_someone_elses_assignment_is_404(annotator_client, project, make_assignment):
    other = MembershipFactory(project=project).user
    assignment = submitted(other, make_assignment)

    response = annotator_client.post(reverse("labels:reopen", args=[assignment.pk]))

    assert response.status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED


def test_the_page_shows_structure_cues_from_the_import_meta(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=0)
    metas = [
        {"tag": "h2", "heading_level": 2, "in": []},
        {"tag": "li", "in": ["nav"]},
        {"tag": "figcaption", "in": ["figure"]},
        {"tag": "p", "in": ["footer"]},
        {"tag": "p", "path": "article>blockquote.pull>p", "in": []},
    ]
    for index, meta in enumerate(metas):
        ParagraphFactory(article=assignment.article, index=index, meta=meta)

    response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))

    text = response.text
    assert "s-heading s-h2" in text
    assert "s-li" in text and '<span class="cue">nav</span>' in text
    assert '<span class="cue">caption</span><span class="cue">figure</span>' in text
    assert '<span class="cue">footer</span>' in text
    assert "s-blockquote" in text and '<span class="cue">quote</span>' in text
    assert 'class="text" dir="auto"' in text


def test_favicon_is_served():
    from django.test import Client

    response = Client().get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("labels/favicon.svg")
