"""The dataset card: the label-count matrix behind its agreement figures, and its Markdown."""

import numpy as np
import pytest
from django.contrib.auth import get_user_model

from labels import card, export
from labels.models import Assignment
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def test_label_count_matrix_counts_submitted_annotations_per_paragraph_and_label(project):
    article = ArticleFactory(project=project)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(3)]
    plan = {
        ("ann", Assignment.Status.SUBMITTED): ["body", "quote", None],
        ("bob", Assignment.Status.SUBMITTED): ["body", "caption", None],
        ("cy", Assignment.Status.SUBMITTED): ["quote", "caption", None],
        ("wip", Assignment.Status.IN_PROGRESS): ["caption", "caption", "caption"],
    }
    for (name, status), labels in plan.items():
        user = get_user_model().objects.create(username=name)
        assignment = AssignmentFactory(article=article, annotator=user, status=status)
        for paragraph, value in zip(paragraphs, labels, strict=True):
            if value:
                AnnotationFactory(
                    assignment=assignment, paragraph=paragraph, label=label_of(project, value)
                )
    ArticleFactory(project=ProjectFactory())  # another project's data stays out

    counts, labels = card.label_count_matrix(project=project)

    assert labels == ["body", "boilerplate", "quote", "caption"]
    assert counts.tolist() == [[2, 0, 1, 0], [0, 0, 1, 2]]  # paragraph 3: only work in progress
    assert counts.dtype == np.int64


def test_label_count_matrix_of_an_unlabelled_project_is_empty(project):
    counts, labels = card.label_count_matrix(project=project)

    assert counts.shape == (0, 4)


def test_the_card_carries_agreement_figures_or_says_why_not(project):
    figures, note = card.agreement_figures(project=project)

    assert (figures is None) == bool(note)


def test_the_markdown_card_escapes_table_cells(project):
    project.name = "Pipes | and\nnewlines"
    stats = export.ExportStats()
    list(export.export_bytes(project=project, options=export.ExportOptions(), stats=stats))

    document = card.build_card(
        project=project, options=export.ExportOptions(), stats=stats, file_name="a|b.jsonl"
    )
    markdown = card.card_markdown(document)

    assert markdown.startswith("# Gold dataset: Pipes \\| and newlines\n")
    assert "`a\\|b.jsonl`" in markdown


def test_a_card_needs_the_whole_export_read(project):
    with pytest.raises(ValueError, match="has not been read to the end"):
        card.build_card(
            project=project,
            options=export.ExportOptions(),
            stats=export.ExportStats(),
            file_name="x.jsonl",
        )
