"""Writes go only where they should: extra form fields are ignored, labels are always the
requester's, closed assignments answer 409, and gold is never touched by annotator traffic."""

import pytest
from django.urls import reverse

from labels.models import Annotation, Assignment, GoldLabel
from tests.factories import GoldLabelFactory, MembershipFactory, UserFactory, label_of

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_extra_form_fields_are_ignored_and_the_label_is_the_requesters(
    annotator_client, member, make_assignment, project
):
    assignment = make_assignment(member.user, paragraphs=2)
    paragraph = assignment.article.paragraphs.get(index=0)
    someone = MembershipFactory(project=project).user

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]),
        {
            "label": "quote",
            "annotator": someone.pk,
            "assignment": 999_999,
            "status": "submitted",
            "gold": "caption",
            "paragraph": assignment.article.paragraphs.get(index=1).pk,
            "from_suggestion": "true",
            "id": 1,
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert annotation.assignment == assignment
    assert annotation.assignment.annotator == member.user
    assert annotation.paragraph == paragraph
    assert annotation.label.value == "quote"
    assert annotation.from_suggestion is False
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.IN_PROGRESS
    assert not GoldLabel.objects.exists()


@pytest.mark.parametrize(
    "status",
    [Assignment.Status.SUBMITTED, Assignment.Status.RELEASED, Assignment.Status.SKIPPED],
)
def test_a_late_write_to_a_closed_assignment_is_409_and_changes_nothing(
    annotator_client, member, make_assignment, status
):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()
    annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"}, headers=HTMX
    )
    Assignment.objects.filter(pk=assignment.pk).update(status=status)

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "caption"}, headers=HTMX
    )

    assert response.status_code == 409
    assert status in response.text
    assert Annotation.objects.get().label.value == "body"


def test_annotator_traffic_never_changes_a_gold_label(
    annotator_client, member, make_assignment, project
):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()
    reviewer = UserFactory()
    GoldLabelFactory(paragraph=paragraph, label=label_of(project, "caption"), decided_by=reviewer)

    annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"}, headers=HTMX
    )
    annotator_client.post(reverse("labels:submit", args=[assignment.pk]))

    gold = GoldLabel.objects.get()
    assert (gold.label.value, gold.source, gold.decided_by) == ("caption", "adjudicated", reviewer)


def test_the_same_label_posted_twice_is_one_row(annotator_client, member, make_assignment):
    paragraph = make_assignment(member.user, paragraphs=1).article.paragraphs.get()
    url = reverse("labels:set_label", args=[paragraph.pk])

    first = annotator_client.post(url, {"label": "body"}, headers=HTMX)
    second = annotator_client.post(url, {"label": "body"}, headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Annotation.objects.count() == 1
