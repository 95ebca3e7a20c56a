"""The dataset card: the label-count matrix behind its agreement figures, and its Markdown."""

import pytest
from django.contrib.auth import get_user_model

from labels.datasets import card, export
from labels.models import Assignment
from labels.review import agreement
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def test_agreement_figures_summarise_the_submitted_annotations(project):
    article = ArticleFactory(project=project)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(4)]
    plan = {
        ("ann", Assignment.Status.SUBMITTED): ["body", "body", "quote", "body"],
        ("bob", Assignment.Status.SUBMITTED): ["body", "body", "quote", "quote"],
        ("wip", Assignment.Status.IN_PROGRESS): ["caption"] * 4,
    }
    for (name, status), labels in plan.items():
        user = get_user_model().objects.create(username=name)
        assignment = AssignmentFactory(article=article, annotator=user, status=status)
        for paragraph, value in zip(paragraphs, labels, strict=True):
            AnnotationFactory(
                assignment=assignment, paragraph=paragraph, label=label_of(project, value)
            )

    figures, note = card.agreement_figures(project=project)

    expected = [[2, 0, 0, 0], [2, 0, 0, 0], [0, 0, 2, 0], [1, 0, 1, 0]]
    assert note == ""
    assert (figures["units"], figures["annotations"], figures["annotators"]) == (4, 8, 2)
    assert figures["percent_agreement"] == pytest.approx(0.75)
    assert figures["krippendorff_alpha"] == pytest.approx(
        agreement.krippendorff_alpha_nominal(expected).value
    )
    assert figures["coincidence"]["labels"] == ["body", "boilerplate", "quote", "caption"]


def test_agreement_of_a_project_without_annotations_is_null_with_the_reason(project):
    assert card.agreement_figures(project=project) == (None, agreement.NO_ANNOTATIONS)


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
