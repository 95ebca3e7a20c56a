"""The database refuses labels from another project's set, whatever code writes them."""

import pytest
from django.db import IntegrityError, connection, transaction

from labels.models import Annotation, GoldLabel
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def test_an_annotation_with_another_projects_label_is_refused(project):
    paragraph = ParagraphFactory(article=ArticleFactory(project=project))
    assignment = AssignmentFactory(article=paragraph.article)
    foreign = label_of(ProjectFactory(), "body")

    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(paragraph=paragraph, assignment=assignment, label=foreign)
    assert not Annotation.objects.exists()


def test_changing_an_annotations_label_to_another_projects_is_refused(project):
    annotation = AnnotationFactory(
        assignment=AssignmentFactory(article=ArticleFactory(project=project))
    )
    foreign = label_of(ProjectFactory(), "quote")

    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(label=foreign)
    assert Annotation.objects.get().label.project == project


def test_an_annotation_on_a_paragraph_outside_its_assignments_article_is_refused(project):
    assignment = AssignmentFactory(article=ArticleFactory(project=project))
    elsewhere = ParagraphFactory(article=ArticleFactory(project=project))

    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            paragraph=elsewhere, assignment=assignment, label=label_of(project, "body")
        )


def test_a_gold_label_from_another_projects_set_is_refused_even_in_raw_sql(project):
    paragraph = ParagraphFactory(article=ArticleFactory(project=project))
    foreign = label_of(ProjectFactory(), "caption")

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO labels_goldlabel (paragraph_id, label_id, source, decided_at, note)"
            " VALUES (%s, %s, 'adjudicated', now(), '')",
            [paragraph.pk, foreign.pk],
        )
    assert not GoldLabel.objects.exists()


def test_labels_of_the_right_project_are_accepted(project):
    annotation = AnnotationFactory(
        assignment=AssignmentFactory(article=ArticleFactory(project=project))
    )

    GoldLabel.objects.create(paragraph=annotation.paragraph, label=label_of(project, "quote"))

    assert GoldLabel.objects.get().label.value == "quote"
