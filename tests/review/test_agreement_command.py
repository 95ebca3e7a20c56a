"""The agreement command: the JSON contract and the readable report."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(project):
    """Two annotators on six paragraphs of one site; they disagree on one."""
    article = ArticleFactory(project=project, source="news.example")
    answers = {
        "ann": ["body", "body", "quote", "boilerplate", "caption", "body"],
        "bob": ["body", "body", "quote", "boilerplate", "caption", "quote"],
    }
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(6)]
    for name, values in answers.items():
        assignment = AssignmentFactory(
            article=article, annotator=UserFactory(username=name), submitted=True
        )
        for paragraph, value in zip(paragraphs, values, strict=True):
            AnnotationFactory(
                assignment=assignment, paragraph=paragraph, label=label_of(project, value)
            )
    return project


def run(*args: str) -> str:
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_agreed_shape(labelled):
    report = json.loads(run("--project", labelled.slug, "--json", "--resamples", "200"))

    assert {
        "units",
        "annotations",
        "annotators",
        "krippendorff_alpha",
        "alpha_ci95",
        "fleiss_kappa",
        "fleiss_units",
        "percent_agreement",
        "gwet_ac1",
        "pairwise_cohen_kappa",
        "per_label",
        "per_source",
        "coincidence",
    } <= set(report)
    assert (report["units"], report["annotations"], report["annotators"]) == (6, 12, 2)
    assert report["fleiss_units"] == 6
    assert report["percent_agreement"] == pytest.approx(5 / 6)
    low, high = report["alpha_ci95"]
    assert low <= report["krippendorff_alpha"] <= high
    (pair,) = report["pairwise_cohen_kappa"]
    assert (pair["a"], pair["b"], pair["n"]) == ("ann", "bob", 6)
    assert set(report["per_label"]["quote"]) >= {"alpha", "ac1", "count"}
    assert report["per_label"]["quote"]["count"] == 3
    assert report["per_source"][0]["source"] == "news.example"
    assert set(report["per_source"][0]) >= {"source", "units", "alpha"}
    assert report["coincidence"]["labels"] == ["body", "boilerplate", "quote", "caption"]
    assert report["coincidence"]["matrix"][0][2] == 1.0


def test_the_same_seed_gives_the_same_interval(labelled):
    first = json.loads(run("--project", labelled.slug, "--json", "--seed", "7"))
    second = json.loads(run("--project", labelled.slug, "--json", "--seed", "7"))

    assert first["alpha_ci95"] == second["alpha_ci95"]


def test_the_readable_report_reads_top_to_bottom(labelled):
    text = run("--project", labelled.slug, "--resamples", "100")

    assert "Paragraphs with labels: 6 (6 with two or more); annotations: 12; annotators: 2" in text
    assert "Krippendorff's alpha (nominal): 0." in text and "95% CI [" in text
    assert "Fleiss' kappa: " in text and "(over the 6 paragraphs with 2 annotators each)" in text
    assert "Observed agreement: 83.3 %" in text
    assert "kappa paradox" in text
    assert "ann × bob: " in text and "over 6 shared paragraph(s)" in text
    assert "news.example: alpha " in text


def test_an_empty_project_says_why_nothing_is_computable(project):
    text = run("--project", project.slug, "--resamples", "0")

    assert "Krippendorff's alpha (nominal): n/a (no annotations yet)" in text
    report = json.loads(run("--project", project.slug, "--json"))
    assert report["krippendorff_alpha"] is None and report["alpha_ci95"] is None


def test_unknown_project_and_negative_resamples_are_errors(project):
    with pytest.raises(CommandError, match="no project 'nope'"):
        run("--project", "nope")
    with pytest.raises(CommandError, match="--resamples"):
        run("--project", project.slug, "--resamples", "-1")
