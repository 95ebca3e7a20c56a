"""Annotators work blind: no page or partial they can reach shows another annotator's labels,
flags, notes, skip reasons, name or progress."""

import pytest
from django.test import Client
from django.urls import reverse

from labels.models import Assignment, Flag
from labels.workflow import annotating
from tests.factories import (
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SECRET_NAME = "zed-the-other-annotator"
SECRET_NOTE = "ZED-PRIVATE-NOTE"
SECRET_REASON = "ZED-SKIP-REASON"


def assert_blind(response) -> None:
    text = response.content.decode()
    assert SECRET_NAME not in text
    assert SECRET_NOTE not in text
    assert SECRET_REASON not in text
    # The other annotator labelled everything "caption"; we never do.
    assert "labelled label-caption" not in text
    assert "label-caption chosen" not in text
    assert "labelled Caption" not in text


def test_no_annotator_page_or_partial_shows_another_annotators_work(project):
    articles = [ArticleFactory(project=project) for _ in range(2)]
    paragraphs = {a.pk: [ParagraphFactory(article=a, index=i) for i in range(4)] for a in articles}
    zed = MembershipFactory(project=project, user=UserFactory(username=SECRET_NAME)).user
    caption = label_of(project, "caption")
    for article in articles:
        theirs = AssignmentFactory(article=article, annotator=zed)
        for paragraph in paragraphs[article.pk]:
            annotating.set_label(assignment=theirs, paragraph=paragraph, label=caption)
        Flag.objects.create(
            assignment=theirs, paragraph=paragraphs[article.pk][1], note=SECRET_NOTE
        )
        annotating.submit_assignment(assignment=theirs, active_seconds=30)
    zed_skip = AssignmentFactory(article=ArticleFactory(project=project), annotator=zed)
    annotating.skip_assignment(assignment=zed_skip, reason=SECRET_REASON)
    type(articles[0]).objects.filter(pk__in=[a.pk for a in articles]).update(open_slots=1)

    me = MembershipFactory(project=project).user
    client = Client()
    client.force_login(me)
    responses = [
        client.get(reverse("labels:project_list")),
        client.get(reverse("labels:project", args=[project.slug])),
    ]
    start = client.post(reverse("labels:start", args=[project.slug]))
    mine = Assignment.objects.get(annotator=me)
    assert mine.article in articles
    assert start["Location"] == reverse("labels:annotate", args=[mine.pk])
    ps = paragraphs[mine.article_id]
    page = client.get(start["Location"])
    assert "0 / 4 labelled" in page.text
    responses.append(page)

    responses += [
        client.post(reverse("labels:set_label", args=[ps[0].pk]), {"label": "body"}, headers=HTMX),
        client.post(
            reverse("labels:label_run", args=[mine.pk]),
            {"paragraph": ps[1].pk, "label": "quote"},
            headers=HTMX,
        ),
        client.post(reverse("labels:undo", args=[mine.pk]), headers=HTMX),
        client.post(
            reverse("labels:flag", args=[mine.pk]),
            {"paragraph": ps[1].pk, "note": "mine"},
            headers=HTMX,
        ),
        client.post(reverse("labels:activity", args=[mine.pk]), {"active_delta": "1"}),
    ]
    # Counts are the annotator's own: zed's four labels never inflate them.
    assert "1 / 4 labelled" in responses[3].text
    assert "4 / 4 labelled" in responses[4].text
    assert "1 / 4 labelled" in responses[5].text
    page = client.get(reverse("labels:annotate", args=[mine.pk]))
    assert "1 / 4 labelled" in page.text
    responses.append(page)
    # Skip moves on to the other article zed labelled, then nothing is left.
    responses.append(client.post(reverse("labels:skip", args=[mine.pk]), follow=True))
    following = Assignment.objects.get(annotator=me, status=Assignment.Status.IN_PROGRESS)
    assert following.article in articles and following.article != mine.article
    for paragraph in paragraphs[following.article_id]:
        response = client.post(reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"})
        assert response.status_code == 302
    # Submit moves on to the article zed skipped; skipping it leaves nothing.
    responses.append(client.post(reverse("labels:submit", args=[following.pk]), follow=True))
    third = Assignment.objects.get(annotator=me, status=Assignment.Status.IN_PROGRESS)
    assert third.article == zed_skip.article
    responses.append(client.post(reverse("labels:skip", args=[third.pk]), follow=True))
    assert "Nothing left to label" in responses[-1].text
    responses.append(client.get(reverse("labels:annotate", args=[following.pk])))
    responses.append(client.get(reverse("labels:annotate", args=[mine.pk])))

    assert all(r.status_code in (200, 204) for r in responses), [r.status_code for r in responses]
    for response in responses:
        assert_blind(response)
