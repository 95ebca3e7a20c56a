"""A Shift-run, undo or accept-all over a 100,000-paragraph article finishes inside the request
budget and answers with a count, never a re-render of every row.

The budget is a fraction of the worker timeout (gunicorn.conf.py, GUNICORN_TIMEOUT = 60 s):
a request that commits and then spends the rest of the minute rendering is killed by the
arbiter, and the client sees an error for a change that was made.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from labels.models import Annotation, AnnotationEvent, Assignment, Paragraph
from tests.factories import ArticleFactory, AssignmentFactory, MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PARAGRAPHS = 100_000
BUDGET_SECONDS = 30.0  # half the worker timeout, measured on a loaded 2-core test machine
HTMX = {"HX-Request": "true"}


@pytest.fixture
def huge():
    """An annotator's open assignment on an article of PARAGRAPHS paragraphs, all suggested."""
    project = ProjectFactory(show_suggestions=True)
    user = MembershipFactory(project=project).user
    article = ArticleFactory(project=project, open_slots=project.overlap - 1)
    # COPY-speed insert of the paragraphs: the factories would take minutes.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO labels_paragraph
                (article_id, index, text, meta, text_hash, suggested_label,
                 suggestion_source, suggestion_version)
            SELECT %s, i, 'Paragraph ' || i, '{}', md5(i::text), 'body', 'rules:test', '1'
            FROM generate_series(0, %s) AS i
            """,
            [article.pk, PARAGRAPHS - 1],
        )
        # What autovacuum has long done for a real article of this size: the planner must
        # know the table is big, or the label-set trigger's lookups plan as scans.
        cursor.execute("ANALYZE labels_paragraph, labels_article, labels_assignment")
    assignment = AssignmentFactory(article=article, annotator=user)
    client = Client()
    client.force_login(user)
    return client, assignment


def timed_post(client: Client, url: str, data: dict) -> tuple[object, float]:
    started = time.perf_counter()
    response = client.post(url, data, headers=HTMX)
    return response, time.perf_counter() - started


def labelled(assignment: Assignment) -> int:
    return Annotation.objects.filter(assignment=assignment).count()


def test_a_shift_run_and_its_undo_over_100000_paragraphs_answer_a_count_in_time(huge):
    client, assignment = huge
    first = Paragraph.objects.filter(article=assignment.article).order_by("index").first()
    # The key pressed matches the suggestion, so the run covers the whole article (a run
    # stops where the suggested label differs from the key).
    label = assignment.article.project.labels.get(value="body")

    run, seconds = timed_post(
        client,
        reverse("labels:label_run", args=[assignment.pk]),
        {"label": label.value, "paragraph": first.pk},
    )

    assert run.status_code == 200, run.content[:300]
    assert seconds < BUDGET_SECONDS, f"run took {seconds:.1f} s"
    assert labelled(assignment) == PARAGRAPHS
    assert len(run.content) < 20_000  # a count, not 100,000 rows
    assert f"{PARAGRAPHS} paragraph" in run.headers["HX-Trigger"]
    assert run.headers["HX-Refresh"] == "true"

    undo, seconds = timed_post(client, reverse("labels:undo", args=[assignment.pk]), {})

    assert undo.status_code == 200, undo.content[:300]
    assert seconds < BUDGET_SECONDS, f"undo took {seconds:.1f} s"
    assert labelled(assignment) == 0
    assert len(undo.content) < 20_000
    assert f"{PARAGRAPHS} paragraph" in undo.headers["HX-Trigger"]
    # Nothing is lost: the history holds the run and its undo, one row per paragraph each.
    assert AnnotationEvent.objects.filter(assignment=assignment).count() == 2 * PARAGRAPHS


def test_accept_all_over_100000_paragraphs_and_its_undo_finish_in_time(huge):
    client, assignment = huge

    accepted, seconds = timed_post(
        client, reverse("labels:accept_all_suggestions", args=[assignment.pk]), {}
    )

    assert accepted.status_code in (200, 302), accepted.content[:300]
    assert seconds < BUDGET_SECONDS, f"accept-all took {seconds:.1f} s"
    assert labelled(assignment) == PARAGRAPHS
    assert len(accepted.content) < 20_000

    undo, seconds = timed_post(client, reverse("labels:undo", args=[assignment.pk]), {})

    assert undo.status_code == 200
    assert seconds < BUDGET_SECONDS, f"undo took {seconds:.1f} s"
    assert labelled(assignment) == 0
