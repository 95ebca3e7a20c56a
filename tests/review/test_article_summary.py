"""The data manager's per-article figures and the list read from them, on PostgreSQL."""

import pytest

from labels.models import ArticleSummary, Assignment, Flag
from labels.review import adjudication, article_summary, article_table
from labels.review.article_table import ArticleQuery
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, label_of
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


def summary(article) -> ArticleSummary:
    return ArticleSummary.objects.get(article=article)


def test_summary_counts_status_agreement_open_disagreements_and_flags():
    project = ProjectFactory(overlap=2)
    ann, bea = UserFactory(username="ann"), UserFactory(username="bea")
    article = make_article(project, 4)
    label(article, ann, ["body", "body", "quote", "caption"])
    second = label(article, bea, ["body", "boilerplate", "quote", "body"])
    Flag.objects.create(assignment=second, paragraph=article.paragraphs.get(index=1), note="?")
    untouched = make_article(project, 2)

    article_summary.refresh_changed(project=project)

    row = summary(article)
    assert row.status == ArticleSummary.Status.COMPLETE
    assert row.annotators == "ann, bea"
    assert (row.labelled, row.paragraphs) == (4, 4)
    assert row.agreement == pytest.approx(0.5)  # 2 of 4 paragraphs agree
    assert row.open_disagreements == 2
    assert row.flags == 1
    assert summary(untouched).status == ArticleSummary.Status.UNTOUCHED
    assert (summary(untouched).labelled, summary(untouched).paragraphs) == (0, 2)


def test_refresh_changed_picks_up_a_decision_made_after_the_last_refresh():
    project = ProjectFactory(overlap=2)
    article = make_article(project, 1)
    label(article, UserFactory(), ["body"])
    label(article, UserFactory(), ["quote"])
    article_summary.refresh_changed(project=project)
    assert summary(article).open_disagreements == 1

    paragraph = article.paragraphs.get()
    adjudication.adjudicate(
        reviewer=UserFactory(), paragraph=paragraph, label=label_of(project, "quote")
    )
    project.refresh_from_db()
    article_summary.refresh_changed(project=project)

    assert summary(article).open_disagreements == 0
    assert summary(article).status == ArticleSummary.Status.DECIDED


def test_in_progress_work_counts_labelled_paragraphs_and_names_the_annotator():
    project = ProjectFactory(overlap=2)
    article = make_article(project, 3)
    label(article, UserFactory(username="cyd"), ["body", None, None], Assignment.Status.IN_PROGRESS)

    article_summary.refresh_changed(project=project)

    row = summary(article)
    assert row.status == ArticleSummary.Status.IN_PROGRESS
    assert row.annotators == "cyd"
    assert row.labelled == 1


def test_search_finds_paragraph_text_and_titles_and_filters_combine():
    project = ProjectFactory()
    match = make_article(project, 2, title="Harbour news")
    other = make_article(project, 2, title="Elsewhere")
    paragraph = other.paragraphs.get(index=1)
    paragraph.text = "The zeppelin landed at noon."
    paragraph.save()
    MembershipFactory(project=project)
    article_summary.refresh_changed(project=project)

    by_title = article_table.article_page(project=project, query=ArticleQuery(search="harbour"))
    by_text = article_table.article_page(project=project, query=ArticleQuery(search="ZEPPELIN"))
    none = article_table.article_page(
        project=project, query=ArticleQuery(search="zeppelin", has_flags=True)
    )

    assert [row.article_id for row in by_title.rows] == [match.pk]
    assert [row.article_id for row in by_text.rows] == [other.pk]
    assert none.total == 0


def test_sorting_by_agreement_puts_unmeasured_articles_last_either_way():
    project = ProjectFactory(overlap=2)
    agreed, split, empty = (make_article(project, 1) for _ in range(3))
    for article, second in ((agreed, "body"), (split, "quote")):
        label(article, UserFactory(), ["body"])
        label(article, UserFactory(), [second])
    article_summary.refresh_changed(project=project)

    up = article_table.article_page(project=project, query=ArticleQuery(sort="agreement"))
    down = article_table.article_page(
        project=project, query=ArticleQuery(sort="agreement", descending=True)
    )

    assert [row.article_id for row in up.rows] == [split.pk, agreed.pk, empty.pk]
    assert [row.article_id for row in down.rows] == [agreed.pk, split.pk, empty.pk]


def test_a_page_past_the_end_shows_the_last_page():
    project = ProjectFactory()
    for _ in range(3):
        make_article(project, 1)
    article_summary.refresh_changed(project=project)

    page = article_table.article_page(project=project, query=ArticleQuery(page=99))

    assert (page.page, page.pages, len(page.rows)) == (1, 1, 3)


def test_sources_lists_each_source_once_in_order():
    project = ProjectFactory()
    for source in ("b.example", "a.example", "b.example", ""):
        make_article(project, 1, source=source)

    assert article_table.sources(project=project) == ["a.example", "b.example"]
