"""The reviewers' control room under load: the data manager at 100,000 articles and the
article view at 1,000 paragraphs x 5 annotators, timed as whole requests (session, access,
summary refresh, queries, template) through Django's test client.

Part of ``make bench`` (step ``control``); alone:

    .venv/bin/python -m bench.run --only control --scale 0.1 --database-url postgres://…bench…

The data manager project is built with COPY (bench/datasets.py): every article labelled by two
of 40 annotators, then one assignment in 500 put back in progress and a seventh of the
articles decided, so every status and filter has rows. The summaries are built once (timed and
reported), then each timed page first has 20 assignments touched, as a busy team would between
two page loads, so the timing includes the refresh of what changed.
"""

from __future__ import annotations

import random
import time

from bench.latency import ms, percentile

ARTICLES = 100_000
PARAGRAPHS = 10
ANNOTATORS = 40
REQUESTS = 40
TARGET_MS = 200.0
RARE_WORD = "zeppelin"


def _prepare_project(*, articles: int) -> tuple[object, float]:
    """The project, and the seconds its search text took to write."""
    from django.db import connection

    from bench.datasets import build_labelled_project
    from labels.jobs import search_index

    built = build_labelled_project(
        slug="bench-control",
        articles=articles,
        paragraphs=PARAGRAPHS,
        annotators=ANNOTATORS,
        seed=11,
    )
    project = built.project
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE labels_assignment SET status = 'in_progress', submitted_at = NULL "
            "WHERE id %% 500 = 0 AND article_id IN "
            "(SELECT id FROM labels_article WHERE project_id = %s)",
            [project.pk],
        )
        cursor.execute(
            "INSERT INTO labels_goldlabel (paragraph_id, label_id, source, decided_at, note) "
            "SELECT p.id, (SELECT min(id) FROM labels_label WHERE project_id = %s), "
            "'adjudicated', now(), '' FROM labels_paragraph p "
            "JOIN labels_article a ON a.id = p.article_id "
            "WHERE a.project_id = %s AND a.id %% 7 = 0",
            [project.pk, project.pk],
        )
        cursor.execute(
            "UPDATE labels_paragraph SET text = text || ' The zeppelin landed at noon.' "
            "WHERE id = (SELECT min(p.id) FROM labels_paragraph p JOIN labels_article a "
            "ON a.id = p.article_id WHERE a.project_id = %s AND a.id %% 1000 = 500)",
            [project.pk],
        )
    # The search text the background job writes after an import, timed (reported).
    began = time.perf_counter()
    search_index.index_now(project=project)
    search_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        # A table that has run for a while has been vacuumed: its visibility map lets counts
        # read the indexes alone, as they would in production.
        for table in (
            "labels_articletext",
            "labels_article",
            "labels_assignment",
            "labels_goldlabel",
            "labels_paragraph",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return project, search_seconds


def _reviewer(project: object) -> object:
    from django.contrib.auth import get_user_model

    from labels.models import Membership

    user, _ = get_user_model().objects.get_or_create(username=f"{project.slug}-reviewer")
    Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": Membership.Role.REVIEWER}
    )
    return user


def _timed_pages(client: object, url: str, queries: list[dict[str, str]], touch) -> list[float]:
    seconds = []
    for n in range(REQUESTS):
        touch()
        began = time.perf_counter()
        response = client.get(url, queries[n % len(queries)])
        seconds.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(
                f"data manager answered {response.status_code}: {response.content[:300]!r}"
            )
    return seconds


def bench_control_room(*, scale: float) -> list[object]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import Row, n
    from labels.models import Assignment
    from labels.review import article_summary

    articles = max(1000, int(ARTICLES * scale))
    began = time.perf_counter()
    project, search_seconds = _prepare_project(articles=articles)
    built = time.perf_counter() - began
    began = time.perf_counter()
    article_summary.refresh_changed(project=project)
    first_fill = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labels_articlesummary")

    reviewer = _reviewer(project)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reviewer)
    url = reverse("labels:articles", args=[project.slug])
    rng = random.Random(5)
    ids = list(
        Assignment.objects.filter(article__project=project).values_list("pk", flat=True)[:50_000]
    )

    def touch() -> None:
        Assignment.objects.filter(pk__in=rng.sample(ids, 20)).update(
            last_activity_at=timezone.now()
        )

    queries = [
        {},
        {"sort": "agreement"},
        {"sort": "agreement", "desc": "on"},
        {"status": "1"},
        {"open": "on", "sort": "open", "desc": "on"},
        {"annotator": f"{project.slug}-007"},
        {"source": "news.example.org", "sort": "title", "page": "40"},
        {"q": f"{project.slug}-{articles // 3:07d}"},
        {"q": RARE_WORD},
        {"q": "Article 4242"},
    ]
    page_seconds = _timed_pages(client, url, queries, touch)
    page_ms = [seconds * 1000 for seconds in page_seconds]
    p95 = percentile(page_ms, 95)
    rows = [
        Row(
            f"data manager: {n(articles)} articles ({n(articles * PARAGRAPHS)} paragraphs), "
            f"{len(queries)} searches / filters / sorts, 20 assignments changed before each page",
            f"{ms(page_ms)} ({REQUESTS} pages)",
            f"p95 < {TARGET_MS:.0f} ms",
            p95 < TARGET_MS,
        ),
        Row(
            f"data manager: first build of the {n(articles)} article summaries",
            f"{first_fill:.1f} s (project built in {built:.0f} s)",
            "reported",
        ),
        Row(
            f"data manager: search text of {n(articles)} articles, as the background job "
            "after an import writes it",
            f"{search_seconds:.1f} s ({n(articles / search_seconds)} articles/s)",
            "reported",
        ),
    ]
    rows.append(bench_article_view())
    return rows


def bench_article_view(*, paragraphs: int = 1000, annotators: int = 5) -> object:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from bench.run import Row, n
    from labels.models import Annotation, Article, Assignment, Flag, Paragraph
    from labels.workflow import projects

    project = projects.create_project(slug="bench-article-view", overlap=annotators)
    labels = list(project.labels.all())
    article = Article.objects.create(
        project=project, external_id="long-1", title="A very long article", content_hash="x" * 64
    )
    rng = random.Random(9)
    Paragraph.objects.bulk_create(
        Paragraph(
            article=article, index=i, text=f"Paragraph {i} " + "words " * rng.randrange(5, 60)
        )
        for i in range(paragraphs)
    )
    paragraph_ids = list(article.paragraphs.order_by("index").values_list("pk", flat=True))
    users = [
        get_user_model().objects.create(username=f"bench-voice-{k}") for k in range(annotators)
    ]
    assignments = Assignment.objects.bulk_create(
        Assignment(article=article, annotator=user, status=Assignment.Status.SUBMITTED)
        for user in users
    )
    Annotation.objects.bulk_create(
        Annotation(assignment=assignment, paragraph_id=pk, label=rng.choice(labels))
        for assignment in assignments
        for pk in paragraph_ids
    )
    Flag.objects.bulk_create(
        Flag(assignment=assignments[0], paragraph_id=pk, note="unsure")
        for pk in paragraph_ids[::50]
    )
    reviewer = _reviewer(project)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reviewer)
    url = reverse("labels:article", args=[project.slug, article.pk])
    seconds = []
    for _ in range(15):
        began = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"article view answered {response.status_code}")
    view_ms = [value * 1000 for value in seconds]
    return Row(
        f"article view: {n(paragraphs)} paragraphs x {annotators} annotators, every voice, "
        "flags and decision buttons",
        f"{ms(view_ms)} ({len(seconds)} pages)",
        "p95 < 1,000 ms",
        percentile(view_ms, 95) < 1000,
    )
