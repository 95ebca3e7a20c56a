"""The reviewers' progress page, checked against a project built with factories."""

import re

import pytest
from django.urls import reverse

from labels.models import Assignment, Flag
from labels.workflow import progress
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


def article_with(project, paragraphs: int):
    article = ArticleFactory(project=project)
    return article, [ParagraphFactory(article=article, index=i) for i in range(paragraphs)]


def work(article_paragraphs, annotator, *, labelled: int, status: str, seconds: float = 0, **kw):
    article, paragraphs = article_paragraphs
    assignment = AssignmentFactory(
        article=article, annotator=annotator, status=status, active_seconds=seconds, **kw
    )
    for paragraph in paragraphs[:labelled]:
        AnnotationFactory(assignment=assignment, paragraph=paragraph)
    return assignment


@pytest.fixture
def team(project):
    """Five articles in known states worked on by annie, bob and carol; rita reviews."""
    annie = MembershipFactory(project=project, user=UserFactory(username="annie")).user
    bob = MembershipFactory(project=project, user=UserFactory(username="bob")).user
    carol = MembershipFactory(project=project, user=UserFactory(username="carol")).user
    MembershipFactory(project=project, user=UserFactory(username="rita"), reviewer=True)
    done, half, started, skipped, released = (article_with(project, n) for n in (3, 2, 4, 2, 2))
    S = Assignment.Status
    annie_done = work(done, annie, labelled=3, status=S.SUBMITTED, seconds=30)  # 10 s/paragraph
    work(done, bob, labelled=3, status=S.SUBMITTED, seconds=60)  # 20 s/paragraph
    work(half, annie, labelled=2, status=S.SUBMITTED, seconds=8)  # 4 s/paragraph
    work(half, bob, labelled=1, status=S.IN_PROGRESS)
    carol_started = work(started, carol, labelled=0, status=S.IN_PROGRESS)
    work(skipped, bob, labelled=0, status=S.SKIPPED, skip_reason="paywall")
    work(released, carol, labelled=1, status=S.RELEASED)
    Flag.objects.create(assignment=annie_done, paragraph=done[1][0], note="<i>quote?</i>")
    Flag.objects.create(assignment=carol_started, paragraph=started[1][0], note="")
    Flag.objects.create(assignment=carol_started, paragraph=started[1][3], note="ad?")
    return {"annie": annie, "bob": bob, "carol": carol}


def row_cells(html: str, user_id: int) -> list[str]:
    row = re.search(rf'<tr id="annotator-{user_id}">(.*?)</tr>', html, re.S).group(1)
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_progress_numbers_match_the_project(reviewer_client, project, team):
    response = reviewer_client.get(reverse("labels:progress", args=[project.slug]))

    assert response.status_code == 200
    html = response.text
    assert '<strong id="count-complete">1</strong>' in html
    assert '<strong id="count-in-progress">2</strong>' in html
    assert '<strong id="count-untouched">2</strong>' in html
    assert "1 of 5 articles complete (20.0 %)" in html
    # role, submitted, in progress, paragraphs, median s/paragraph, skips, released, flags
    assert row_cells(html, team["annie"].pk) == ["Annotator", "2", "0", "5", "7.0", "0", "0", "1"]
    assert row_cells(html, team["bob"].pk) == ["Annotator", "1", "1", "4", "20.0", "1", "0", "0"]
    assert row_cells(html, team["carol"].pk) == ["Annotator", "0", "1", "1", "–", "0", "1", "2"]
    assert "rita" in html and "Reviewer" in html


def test_progress_bar_widths_add_up_to_the_whole(reviewer_client, project, team):
    html = reviewer_client.get(reverse("labels:progress", args=[project.slug])).text

    widths = [
        float(w)
        for w in re.findall(r'<rect class="[^"]+" x="[^"]+" y="0" height="4" width="([^"]+)"', html)
    ]
    assert widths == [20.0, 40.0, 40.0]
    assert 'aria-label="1 complete, 2 in progress, 2 untouched"' in html


def test_flagged_paragraphs_are_listed_with_notes_escaped(reviewer_client, project, team):
    html = reviewer_client.get(reverse("labels:progress", args=[project.slug])).text

    assert "Flagged paragraphs (3)" in html
    assert "Note: <bdi>&lt;i&gt;quote?&lt;/i&gt;</bdi>" in html
    assert "Note: <bdi>ad?</bdi>" in html
    assert "flagged by <bdi>annie</bdi> (labelled Body)" in html
    assert html.count("flagged by <bdi>carol</bdi>") == 2


def test_article_progress_counts(project, team):
    assert progress.article_progress(project=project) == progress.ArticleProgress(
        total=5, complete=1, in_progress=2, untouched=2
    )


def test_progress_page_runs_a_constant_number_of_queries(
    reviewer_client, project, team, django_assert_max_num_queries
):
    url = reverse("labels:progress", args=[project.slug])
    # session, user, project, reviewer check, article states, members, assignments,
    # flags per annotator, flag list, flag count, control item scores
    with django_assert_max_num_queries(11):
        reviewer_client.get(url)

    body = label_of(project, "body")
    for n in range(15):
        annotator = MembershipFactory(project=project).user
        for _ in range(3):
            article = ArticleFactory(project=project)
            paragraph = ParagraphFactory(article=article, index=0)
            assignment = AssignmentFactory(article=article, annotator=annotator, submitted=True)
            AnnotationFactory(assignment=assignment, paragraph=paragraph, label=body)
            if n % 2:
                Flag.objects.create(assignment=assignment, paragraph=paragraph, note=str(n))

    with django_assert_max_num_queries(11):
        response = reviewer_client.get(url)
    assert response.text.count('<tr id="annotator-') == 4 + 15 + 1  # team, new, reviewer fixture


def test_empty_project_shows_zeroes(reviewer_client, project):
    response = reviewer_client.get(reverse("labels:progress", args=[project.slug]))

    assert "0 of 0 articles complete (0.0 %)" in response.text
    assert "No flagged paragraphs." in response.text
