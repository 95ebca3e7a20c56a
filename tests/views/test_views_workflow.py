"""The labelling page's key endpoints: run, undo, flag, skip, activity; own progress."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from labels.models import Annotation, AnnotationEvent, Article, Assignment, Flag
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def test_run_endpoint_labels_the_run_and_swaps_each_paragraph_out_of_band(
    annotator_client, member, make_assignment, django_assert_max_num_queries
):
    assignment = make_assignment(member.user, paragraphs=40)
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    AnnotationFactory(assignment=assignment, paragraph=paragraphs[31])

    # A fixed budget whatever the run's length: bulk inserts, one render query per kind.
    with django_assert_max_num_queries(17):
        response = annotator_client.post(
            reverse("labels:label_run", args=[assignment.pk]),
            {"paragraph": paragraphs[1].pk, "label": "boilerplate", "active_delta": "3"},
            headers=HTMX,
        )

    assert response.status_code == 200
    labelled = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label__value")
    )
    assert labelled == {
        **{paragraph.pk: "boilerplate" for paragraph in paragraphs[1:31]},
        paragraphs[31].pk: "body",
    }
    for paragraph in paragraphs[1:31]:
        assert f'id="p{paragraph.pk}"' in response.text
    assert f'id="p{paragraphs[0].pk}"' not in response.text
    assert f'id="p{paragraphs[31].pk}"' not in response.text
    assert response.text.count('hx-swap-oob="true"') == 31  # thirty paragraphs + progress
    assert "31 / 40 labelled" in response.text
    message = triggers(response)["annotate:announce"]["message"]
    assert message == "30 paragraphs changed to Boilerplate. Press u to undo them."
    assert Assignment.objects.get(pk=assignment.pk).active_seconds == 3


def test_run_endpoint_refuses_a_paragraph_of_another_article(
    annotator_client, member, make_assignment, other_user
):
    assignment = make_assignment(member.user)
    foreign = make_assignment(other_user).article.paragraphs.first()

    response = annotator_client.post(
        reverse("labels:label_run", args=[assignment.pk]),
        {"paragraph": foreign.pk, "label": "body"},
        headers=HTMX,
    )

    assert response.status_code == 404
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "data", [{"paragraph": "1"}, {"label": "body"}, {"paragraph": "x", "label": "body"}]
)
def test_run_endpoint_with_bad_input_is_400(annotator_client, member, make_assignment, data):
    assignment = make_assignment(member.user)

    response = annotator_client.post(reverse("labels:label_run", args=[assignment.pk]), data)

    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_undo_endpoint_reverts_and_asks_the_page_to_focus_the_paragraph(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=2)
    first = assignment.article.paragraphs.get(index=0)
    url = reverse("labels:set_label", args=[first.pk])
    annotator_client.post(url, {"label": "body"}, headers=HTMX)
    annotator_client.post(url, {"label": "caption"}, headers=HTMX)

    response = annotator_client.post(reverse("labels:undo", args=[assignment.pk]), headers=HTMX)

    assert response.status_code == 200
    assert Annotation.objects.get().label.value == "body"
    assert f'id="p{first.pk}"' in response.text
    assert triggers(response)["annotate:focus"] == {"id": f"p{first.pk}"}


def test_undo_with_nothing_to_undo_says_so(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user)

    response = annotator_client.post(reverse("labels:undo", args=[assignment.pk]), headers=HTMX)

    assert response.status_code == 200
    assert triggers(response)["annotate:announce"] == {"message": "Nothing to undo"}
    assert not AnnotationEvent.objects.exists()


def test_undo_without_htmx_redirects_back_to_the_paragraph(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()
    annotator_client.post(reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"})

    response = annotator_client.post(reverse("labels:undo", args=[assignment.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{paragraph.pk}")
    assert not Annotation.objects.exists()


def test_undo_on_a_submitted_assignment_is_409(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, paragraphs=1, status=Assignment.Status.SUBMITTED)

    response = annotator_client.post(reverse("labels:undo", args=[assignment.pk]), headers=HTMX)

    assert response.status_code == 409
    assert response.text == (
        "Not saved: this article was submitted (in another tab or window). "
        "Your earlier labels are kept."
    )


def test_flag_endpoint_flags_with_a_note_and_shows_it_only_on_that_paragraph(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=2)
    paragraph = assignment.article.paragraphs.get(index=1)

    response = annotator_client.post(
        reverse("labels:flag", args=[assignment.pk]),
        {"paragraph": paragraph.pk, "note": "<b>quote?</b>"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Flag.objects.get().note == "<b>quote?</b>"
    assert "&lt;b&gt;quote?&lt;/b&gt;" in response.text
    assert 'data-flagged="1"' in response.text
    page = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))
    assert page.text.count('data-flagged="1"') == 1


def test_flag_endpoint_removes_the_flag(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()
    Flag.objects.create(assignment=assignment, paragraph=paragraph, note="unsure")

    response = annotator_client.post(
        reverse("labels:flag", args=[assignment.pk]),
        {"paragraph": paragraph.pk, "remove": "on"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert not Flag.objects.exists()
    assert triggers(response)["annotate:announce"] == {"message": "Flag removed"}


def test_flag_note_longer_than_the_field_is_400(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()

    response = annotator_client.post(
        reverse("labels:flag", args=[assignment.pk]),
        {"paragraph": paragraph.pk, "note": "x" * 1001},
    )

    assert response.status_code == 400
    assert "note" in response.text
    assert not Flag.objects.exists()


def test_skip_endpoint_skips_with_reason_and_moves_on(
    annotator_client, member, make_assignment, project
):
    assignment = make_assignment(member.user, paragraphs=1)
    following = ArticleFactory(project=project)
    ParagraphFactory(article=following, index=0)

    response = annotator_client.post(
        reverse("labels:skip", args=[assignment.pk]),
        {"reason": "paywalled", "active_delta": "7"},
    )

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SKIPPED
    assert assignment.skip_reason == "paywalled"
    assert assignment.active_seconds == 7
    assert Article.objects.get(pk=assignment.article_id).open_slots == project.overlap
    nxt = Assignment.objects.get(annotator=member.user, article=following)
    assert response["Location"] == reverse("labels:annotate", args=[nxt.pk])


def test_skip_reason_longer_than_500_is_400_and_skips_nothing(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user)

    response = annotator_client.post(
        reverse("labels:skip", args=[assignment.pk]), {"reason": "x" * 501}
    )

    assert response.status_code == 400
    assert "reason" in response.text
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS


def test_skip_of_the_last_article_says_nothing_is_left(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user)

    response = annotator_client.post(reverse("labels:skip", args=[assignment.pk]))

    assert response.status_code == 200
    assert "Nothing left to label" in response.text


def test_activity_beacon_adds_seconds_and_is_204(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user)

    response = annotator_client.post(
        reverse("labels:activity", args=[assignment.pk]), {"active_delta": "42"}
    )

    assert response.status_code == 204
    assert Assignment.objects.get(pk=assignment.pk).active_seconds == 42


@pytest.mark.parametrize("value", ["-1", "nan", "1e9", "lots"])
def test_activity_beacon_ignores_bad_values(annotator_client, member, make_assignment, value):
    assignment = make_assignment(member.user)

    annotator_client.post(reverse("labels:activity", args=[assignment.pk]), {"active_delta": value})

    assert Assignment.objects.get(pk=assignment.pk).active_seconds == 0


def test_the_page_shows_own_progress_today_and_total_and_time_on_the_article(
    annotator_client, member, make_assignment, project
):
    current = make_assignment(member.user, paragraphs=1, active_seconds=125)
    yesterday = timezone.now() - timezone.timedelta(days=1)
    for submitted_at in (timezone.now(), yesterday, yesterday):
        AssignmentFactory(
            article=ArticleFactory(project=project),
            annotator=member.user,
            submitted=True,
            submitted_at=submitted_at,
        )

    response = annotator_client.get(reverse("labels:annotate", args=[current.pk]))

    assert '<strong id="my-today">1</strong>' in response.text
    assert '<strong id="my-total">3</strong>' in response.text
    assert 'data-seconds="125"' in response.text
    assert ">2:05</time>" in response.text


def test_the_page_explains_a_released_assignment(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, status=Assignment.Status.RELEASED)

    response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))

    assert "released to other annotators" in response.text
    assert "Your labels are kept" in response.text
    assert 'data-open="0"' in response.text


def test_the_page_renders_guidelines_safely(annotator_client, member, make_assignment, project):
    project.guidelines = (
        "## Quotes\n\n**Pull quotes** are *quote*. [Style guide](https://example.org/g) "
        "[bad](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>"
    )
    project.save()
    assignment = make_assignment(member.user)

    response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))

    assert "<h2>Quotes</h2>" in response.text
    assert "<strong>Pull quotes</strong>" in response.text
    assert 'href="https://example.org/g"' in response.text
    assert 'href="javascript:' not in response.text
    assert "[bad](javascript:alert(1))" in response.text  # a refused link stays plain text
    assert "<script>alert(2)" not in response.text
    assert "<img src=x" not in response.text


def test_the_page_has_no_inline_scripts_or_handlers(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user)
    label = label_of(assignment.article.project, "body")
    AnnotationFactory(
        assignment=assignment, paragraph=assignment.article.paragraphs.first(), label=label
    )

    response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))

    scripts = response.text.count("<script")
    assert scripts == response.text.count("<script src=")
    for handler in (" onclick=", " onkeydown=", " onload=", " onsubmit=", "hx-on"):
        assert handler not in response.text
