"""The labelling screens: project list, start, annotate page, label endpoint, submit."""

import pytest
from django.test import Client
from django.urls import reverse

from labels.models import Annotation, AnnotationEvent, Assignment
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def test_every_page_requires_login(client, project, make_assignment, other_user):
    assignment = make_assignment(other_user)
    paragraph = assignment.article.paragraphs.first()
    urls = [
        reverse("labels:project_list"),
        reverse("labels:project", args=[project.slug]),
        reverse("labels:annotate", args=[assignment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"})
    assert response.status_code == 302
    assert not Annotation.objects.exists()


def test_project_list_shows_only_the_members_projects(annotator_client, project):
    ProjectFactory(name="Hidden Project")

    response = annotator_client.get(reverse("labels:project_list"))

    assert project.name in response.text
    assert "Hidden Project" not in response.text


def test_non_member_gets_404_on_the_project(client, project, other_user):
    client.force_login(other_user)

    assert client.get(reverse("labels:project", args=[project.slug])).status_code == 404
    assert client.post(reverse("labels:start", args=[project.slug])).status_code == 404


def test_start_labelling_claims_an_article_and_redirects_to_it(annotator_client, project, member):
    article = ArticleFactory(project=project)
    ParagraphFactory(article=article, index=0)

    response = annotator_client.post(reverse("labels:start", args=[project.slug]))

    assignment = Assignment.objects.get(annotator=member.user)
    assert response.status_code == 302
    assert response["Location"] == reverse("labels:annotate", args=[assignment.pk])
    assert assignment.article == article


def test_start_labelling_with_nothing_left_says_so(annotator_client, project):
    response = annotator_client.post(reverse("labels:start", args=[project.slug]))

    assert response.status_code == 200
    assert "Nothing left to label" in response.text


def test_annotate_page_runs_a_constant_number_of_queries(
    annotator_client, member, make_assignment, django_assert_max_num_queries
):
    small = make_assignment(member.user, paragraphs=2)
    big = make_assignment(member.user, paragraphs=200)
    AnnotationFactory(assignment=big, paragraph=big.article.paragraphs.first())

    for assignment in (small, big):
        # session, user, assignment, labels, paragraphs, annotations, flags, own counts
        with django_assert_max_num_queries(8):
            response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))
        assert response.status_code == 200
    assert response.text.count('<li id="p') == 200
    assert "1 / 200 labelled" in response.text


def test_annotate_page_escapes_article_text_and_drops_unsafe_links(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=0)
    article = assignment.article
    article.title = "<img src=x onerror=alert(1)>"
    article.url = "javascript:alert(1)"
    article.save()
    ParagraphFactory(article=article, index=0, text="<script>alert('p')</script>")

    response = annotator_client.get(reverse("labels:annotate", args=[assignment.pk]))

    assert "<script>alert('p')</script>" not in response.text
    assert "&lt;script&gt;alert(&#x27;p&#x27;)&lt;/script&gt;" in response.text
    assert "<img src=x" not in response.text
    assert 'href="javascript:' not in response.text


def test_someone_elses_assignment_is_404(client, member, make_assignment, other_user):
    assignment = make_assignment(other_user)
    client.force_login(member.user)

    assert client.get(reverse("labels:annotate", args=[assignment.pk])).status_code == 404


def test_set_label_saves_and_returns_only_the_fragment(
    annotator_client, member, make_assignment, django_assert_num_queries
):
    assignment = make_assignment(member.user, paragraphs=2)
    paragraph = assignment.article.paragraphs.get(index=0)

    # session, user, the paragraph with assignment, labels and flag, the assignment lock, the
    # upsert with history and progress; plus the savepoint pair of set_label's transaction
    # (BEGIN and COMMIT outside a test).
    with django_assert_num_queries(7):
        response = annotator_client.post(
            reverse("labels:set_label", args=[paragraph.pk]),
            {"label": "quote"},
            headers={"HX-Request": "true"},
        )

    assert response.status_code == 200
    annotation = Annotation.objects.get(assignment=assignment, paragraph=paragraph)
    assert annotation.label.value == "quote"
    assert f'id="p{paragraph.pk}"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "1 / 2 labelled" in response.text
    assert "<html" not in response.text


def test_relabelling_updates_in_place_and_keeps_history(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()
    url = reverse("labels:set_label", args=[paragraph.pk])

    annotator_client.post(url, {"label": "body"}, headers={"HX-Request": "true"})
    annotator_client.post(url, {"label": "caption"}, headers={"HX-Request": "true"})

    assert Annotation.objects.get().label.value == "caption"
    events = list(AnnotationEvent.objects.values_list("label__value", "previous_label__value"))
    assert events == [("body", None), ("caption", "body")]


def test_set_label_without_htmx_redirects_back_to_the_page(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=1)
    paragraph = assignment.article.paragraphs.get()

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{paragraph.pk}")
    assert Annotation.objects.count() == 1


def test_set_label_on_someone_elses_paragraph_is_404_and_writes_nothing(
    annotator_client, make_assignment, other_user
):
    paragraph = make_assignment(other_user).article.paragraphs.first()

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "quote"}
    )

    assert response.status_code == 404
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("value", ["Body", "body ", "", "unknown", "x" * 10_000])
def test_unknown_label_is_400_and_writes_nothing(annotator_client, member, make_assignment, value):
    paragraph = make_assignment(member.user).article.paragraphs.first()

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": value}
    )

    assert response.status_code == 400
    assert not Annotation.objects.exists()


def test_label_endpoint_enforces_csrf(member, make_assignment):
    paragraph = make_assignment(member.user).article.paragraphs.first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    response = client.post(reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"})

    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_label_endpoint_refuses_get(annotator_client, member, make_assignment):
    paragraph = make_assignment(member.user).article.paragraphs.first()

    response = annotator_client.get(
        reverse("labels:set_label", args=[paragraph.pk]), {"label": "body"}
    )

    assert response.status_code == 405
    assert not Annotation.objects.exists()


def test_label_on_a_submitted_assignment_is_409_and_changes_nothing(
    annotator_client, member, make_assignment
):
    assignment = make_assignment(member.user, paragraphs=1, status=Assignment.Status.SUBMITTED)
    paragraph = assignment.article.paragraphs.get()
    AnnotationFactory(assignment=assignment, paragraph=paragraph)

    response = annotator_client.post(
        reverse("labels:set_label", args=[paragraph.pk]),
        {"label": "quote"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    assert Annotation.objects.get().label.value == "body"


def test_submit_refuses_an_incomplete_article(annotator_client, member, make_assignment):
    assignment = make_assignment(member.user, paragraphs=2)
    AnnotationFactory(assignment=assignment, paragraph=assignment.article.paragraphs.get(index=0))

    response = annotator_client.post(reverse("labels:submit", args=[assignment.pk]), follow=True)

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.IN_PROGRESS
    assert "1 paragraph(s) still have no label" in response.text


def test_submit_completes_and_moves_to_the_next_article(
    annotator_client, member, make_assignment, project
):
    assignment = make_assignment(member.user, paragraphs=1)
    AnnotationFactory(assignment=assignment, paragraph=assignment.article.paragraphs.get())
    following = ArticleFactory(project=project)
    ParagraphFactory(article=following, index=0)

    response = annotator_client.post(
        reverse("labels:submit", args=[assignment.pk]), {"active_seconds": "12.5"}
    )

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    assert assignment.submitted_at is not None
    assert assignment.active_seconds == 12.5
    nxt = Assignment.objects.get(annotator=member.user, article=following)
    assert response["Location"] == reverse("labels:annotate", args=[nxt.pk])


def test_annotator_never_sees_another_annotators_label(client, project, member):
    article = ArticleFactory(project=project)
    paragraph = ParagraphFactory(article=article, index=0)
    theirs = AssignmentFactory(article=article, annotator=MembershipFactory(project=project).user)
    AnnotationFactory(assignment=theirs, paragraph=paragraph, label=label_of(project, "caption"))
    mine = AssignmentFactory(article=article, annotator=member.user)
    client.force_login(member.user)

    response = client.get(reverse("labels:annotate", args=[mine.pk]))

    assert "0 / 1 labelled" in response.text
    assert "chosen" not in response.text
    assert theirs.annotator.username not in response.text
