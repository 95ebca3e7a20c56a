"""The data manager's summaries on real connections: a change stamped before a refresh but
committed after it is picked up by the next refresh, however long its transaction ran, and a
refresh does not recompute what an earlier one already saw."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from labels.models import Article, ArticleSummary, Assignment, GoldLabel
from labels.review import article_summary
from tests.factories import ProjectFactory, UserFactory, label_of
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_transaction_that_commits_after_a_refresh_is_seen_by_the_next_one():
    project = ProjectFactory(overlap=1)
    article = make_article(project, 2)
    label(article, UserFactory(), ["body", "quote"])
    article_summary.refresh_changed(project=project)
    assert ArticleSummary.objects.get(article=article).status == ArticleSummary.Status.COMPLETE
    stamped, refreshed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def decide_slowly() -> None:
        # Stamps gold decisions, then holds its transaction open across the reviewer's refresh.
        try:
            with transaction.atomic():
                GoldLabel.objects.bulk_create(
                    GoldLabel(
                        paragraph=paragraph,
                        label=label_of(project, "body"),
                        source=GoldLabel.Source.ADJUDICATED,
                        decided_at=timezone.now(),
                    )
                    for paragraph in article.paragraphs.all()
                )
                stamped.set()
                refreshed.wait(timeout=30)
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            stamped.set()
            connection.close()

    thread = threading.Thread(target=decide_slowly)
    thread.start()
    stamped.wait(timeout=30)
    # The decisions are older than any fixed clock-skew allowance when the refresh runs.
    time.sleep(article_summary.CLOCK_SKEW.total_seconds() + 1)
    project.refresh_from_db()
    article_summary.refresh_changed(project=project)
    assert ArticleSummary.objects.get(article=article).status == ArticleSummary.Status.COMPLETE
    refreshed.set()
    thread.join(timeout=30)
    assert not errors

    project.refresh_from_db()
    article_summary.refresh_changed(project=project)

    assert ArticleSummary.objects.get(article=article).status == ArticleSummary.Status.DECIDED


def test_a_quiet_refresh_recomputes_nothing_it_has_already_seen():
    project = ProjectFactory(overlap=1)
    article = make_article(project, 2)
    work = label(article, UserFactory(), ["body", "quote"], Assignment.Status.IN_PROGRESS)
    # Well before this refresh, but within the fixed 30 s window a refresh once re-read.
    long_ago = timezone.now() - timedelta(seconds=10)
    Assignment.objects.filter(pk=work.pk).update(last_activity_at=long_ago)
    Article.objects.filter(pk=article.pk).update(imported_at=long_ago)
    assert article_summary.refresh_changed(project=project) == 1  # the first build

    project.refresh_from_db()
    assert article_summary.refresh_changed(project=project) == 0

    Assignment.objects.filter(pk=work.pk).update(last_activity_at=timezone.now())
    project.refresh_from_db()
    assert article_summary.refresh_changed(project=project) == 1
