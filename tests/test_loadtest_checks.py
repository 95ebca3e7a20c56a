"""The load test's verdicts (bench/consistency.py) catch what they claim to catch."""

import pytest

from bench.consistency import (
    incomplete_submissions,
    lost_labels,
    overbooked_articles,
    unconfirmed_submissions,
)
from bench.http_load import ClientResult
from labels.models import Assignment
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


@pytest.fixture
def labelled(project):
    """One annotator's assignment with paragraph 0 labelled body and paragraph 1 unlabelled."""
    article = ArticleFactory(project=project)
    first, second = (ParagraphFactory(article=article, index=i) for i in range(2))
    assignment = AssignmentFactory(article=article, annotator=UserFactory(username="ann"))
    AnnotationFactory(assignment=assignment, paragraph=first)
    return assignment, first, second


def test_labels_stored_as_acknowledged_are_not_lost(labelled):
    _, first, second = labelled
    result = ClientResult("ann", labels={first.pk: "body", second.pk: None})

    assert lost_labels([result]) == (2, [])


def test_a_stored_label_other_than_the_last_acknowledged_one_is_lost(labelled):
    _, first, _ = labelled
    result = ClientResult("ann", labels={first.pk: "quote"})

    assert lost_labels([result]) == (1, [f"ann, paragraph {first.pk}: sent 'quote', stored 'body'"])


def test_a_label_left_after_an_acknowledged_undo_counts_as_lost(labelled):
    _, first, _ = labelled
    result = ClientResult("ann", labels={first.pk: None})

    assert lost_labels([result])[1] == [f"ann, paragraph {first.pk}: sent None, stored 'body'"]


def test_a_missing_acknowledged_label_is_lost(labelled):
    _, _, second = labelled
    result = ClientResult("ann", labels={second.pk: "caption"})

    assert lost_labels([result])[1] == [f"ann, paragraph {second.pk}: sent 'caption', stored None"]


def test_an_acknowledged_submit_that_did_not_happen_is_reported(labelled):
    assignment, _, _ = labelled
    result = ClientResult("ann", submitted=[assignment.pk])

    assert unconfirmed_submissions([result]) == [
        f"assignment {assignment.pk}: submit acknowledged, not submitted"
    ]


def test_a_submitted_assignment_without_every_label_is_reported(labelled, project):
    assignment, _, _ = labelled
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    assert incomplete_submissions(project=project) == [
        f"assignment {assignment.pk}: submitted with 1 of 2 paragraphs labelled"
    ]


def test_a_fully_labelled_submission_passes(labelled, project):
    assignment, _, second = labelled
    AnnotationFactory(assignment=assignment, paragraph=second, label=label_of(project, "quote"))
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    assert incomplete_submissions(project=project) == []


def test_more_live_assignments_than_the_overlap_are_reported(project):
    article = ArticleFactory(project=project)
    for _ in range(project.overlap + 1):
        AssignmentFactory(article=article)
    AssignmentFactory(article=article, status=Assignment.Status.SKIPPED)

    assert overbooked_articles(project=project) == [
        f"article {article.pk}: 3 live assignments, overlap 2"
    ]


def test_live_assignments_up_to_the_overlap_pass(project):
    article = ArticleFactory(project=project)
    for _ in range(project.overlap):
        AssignmentFactory(article=article)
    AssignmentFactory(article=article, status=Assignment.Status.RELEASED)

    assert overbooked_articles(project=project) == []


def test_an_undo_answer_is_read_row_by_row_from_the_rendered_rows(client, project):
    """The client takes what an answer's rows show as acknowledged (a retried write can leave
    the server's undo one step behind the client's own stack); read from a real answer."""
    from django.urls import reverse

    from bench.http_load import rows_shown
    from labels.workflow import annotating

    article = ArticleFactory(project=project)
    first, second = (ParagraphFactory(article=article, index=i) for i in range(2))
    assignment = AssignmentFactory(article=article, annotator=UserFactory(username="ann"))
    annotating.set_label(assignment=assignment, paragraph=first, label=label_of(project, "quote"))
    MembershipFactory(project=project, user=assignment.annotator)
    client.force_login(assignment.annotator)

    page = client.get(reverse("labels:annotate", args=[assignment.pk]))
    assert page.status_code == 200
    answer = page.text

    assert rows_shown(answer) == {first.pk: "quote", second.pk: None}
