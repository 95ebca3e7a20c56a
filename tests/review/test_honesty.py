"""Agreement with and without suggestions shown, per-annotator acceptance, rubber-stamping."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labels.models import Assignment, Project, SuggestionVisibility
from labels.review import honesty
from labels.suggestions import visibility
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


def labelled(project: Project, votes: dict[str, list[tuple[str, bool]]]) -> None:
    """One article per call: each user's submitted labels (label, accepted) per paragraph,
    every paragraph suggested "body"."""
    article = ArticleFactory(project=project)
    count = len(next(iter(votes.values())))
    paragraphs = [
        ParagraphFactory(article=article, index=i, suggested_label="body") for i in range(count)
    ]
    for username, labels in votes.items():
        assignment = AssignmentFactory(
            article=article, annotator=UserFactory(username=username), submitted=True
        )
        for paragraph, (value, accepted) in zip(paragraphs, labels, strict=True):
            AnnotationFactory(
                assignment=assignment,
                paragraph=paragraph,
                label=label_of(project, value),
                from_suggestion=accepted,
            )


@pytest.fixture
def switched() -> Project:
    """Two paragraphs labelled with suggestions hidden, then four with them shown."""
    project = ProjectFactory(show_suggestions=False)
    labelled(
        project,
        {"ann": [("body", False), ("body", False)], "bob": [("body", False), ("quote", False)]},
    )
    visibility.set_show_suggestions(project=project, show=True)
    labelled(
        project,
        {
            # ann keeps every suggestion, three times against bob and cy
            "ann": [("body", True), ("body", True), ("body", True), ("body", False)],
            "bob": [("quote", False), ("quote", False), ("caption", False), ("body", True)],
            "cy": [("quote", False), ("quote", False), ("caption", False), ("body", False)],
        },
    )
    return project


def test_agreement_is_reported_separately_with_and_without_a_suggestion_shown(switched):
    report = honesty.honesty_report(project=switched)

    assert report.without_suggestion.paragraphs == 2
    assert report.without_suggestion.unanimous == 0.5
    assert report.without_suggestion.same_as_suggestion == 0.75  # 3 of 4 labels are "body"
    assert report.with_suggestion.paragraphs == 4
    assert report.with_suggestion.unanimous == 0.25
    assert report.with_suggestion.same_as_suggestion == 6 / 12
    assert report.with_suggestion.alpha is not None and report.without_suggestion.alpha is not None
    assert report.mixed == 0


def test_per_annotator_shares_of_kept_and_corrected_suggestions(switched):
    people = {row.username: row for row in honesty.honesty_report(project=switched).annotators}

    assert (people["ann"].shown, people["ann"].kept, people["ann"].accepted) == (4, 4, 3)
    assert people["ann"].kept_share == 1.0 and people["ann"].corrected_share == 0.0
    assert (people["bob"].shown, people["bob"].kept, people["bob"].corrected) == (4, 1, 3)
    assert people["bob"].corrected_share == 0.75
    # Labels given while suggestions were hidden do not count as "with a suggestion shown".
    assert people["ann"].shown + people["bob"].shown + people["cy"].shown == 12


def test_keeping_suggestions_against_the_majority_of_the_others_is_flagged(switched):
    report = honesty.honesty_report(project=switched)

    assert [row.username for row in report.warnings] == ["ann"]
    assert report.annotators[0].against_majority == 3


def test_the_dashboard_and_the_suggestions_page_show_the_figures(client, switched):
    reviewer = UserFactory()
    switched.memberships.create(user=reviewer, role="reviewer")
    client.force_login(reviewer)

    dashboard = client.get(reverse("labels:review", args=[switched.slug]))
    page = client.get(reverse("labels:suggestions", args=[switched.slug]))

    assert (
        'id="rubber-stamping"' in dashboard.text
        and "<strong><bdi>ann</bdi></strong>" in dashboard.text
    )
    row = page.text.split('id="honesty-without"')[1].split("</tr>")[0]
    assert "50.0 %" in row and "75.0 %" in row
    assert 'id="honesty-ann" class="flagged"' in page.text


def test_switching_suggestions_logs_each_change_once():
    project = ProjectFactory(show_suggestions=False)
    visibility.set_show_suggestions(project=project, show=False)
    visibility.set_show_suggestions(project=project, show=True)
    visibility.set_show_suggestions(project=project, show=True)
    project.refresh_from_db()
    assert project.show_suggestions is True
    assert list(SuggestionVisibility.objects.values_list("shown", flat=True)) == [True]
    assert Assignment.objects.count() == 0
