"""The second annotator of an article can finish it: progress counts each paragraph once."""

import pytest

from labels.models import Assignment
from labels.workflow import annotating
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def test_the_second_annotator_submits_after_the_first_labelled_everything(project):
    article = ArticleFactory(project=project)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(3)]
    first, second = (AssignmentFactory(article=article) for _ in range(2))
    for assignment in (first, second):
        for paragraph in paragraphs:
            AnnotationFactory(
                assignment=assignment, paragraph=paragraph, label=label_of(project, "body")
            )

    assert annotating.progress(second) == {"total": 3, "labelled": 3}
    annotating.submit_assignment(assignment=first)
    annotating.submit_assignment(assignment=second)

    assert second.status == Assignment.Status.SUBMITTED


def test_progress_ignores_other_annotators_labels(project):
    article = ArticleFactory(project=project)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(2)]
    other, mine = AssignmentFactory(article=article), AssignmentFactory(article=article)
    for paragraph in paragraphs:
        AnnotationFactory(assignment=other, paragraph=paragraph)
    AnnotationFactory(assignment=mine, paragraph=paragraphs[0])

    assert annotating.progress(mine) == {"total": 2, "labelled": 1}
    with pytest.raises(annotating.AssignmentIncomplete, match="1 paragraph"):
        annotating.submit_assignment(assignment=mine)
