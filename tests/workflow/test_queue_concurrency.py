"""The queue under real concurrency: 16 threads, each with its own PostgreSQL connection,
racing claim_next, set_label, skip and submit on one project until the queue is empty."""

import random
import threading
import time
import traceback
from collections import Counter, defaultdict

import pytest
from django.db import connection

from labels.models import Article, Assignment, Label, Paragraph
from labels.workflow import annotating, queue
from tests.factories import MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
ARTICLES = 40
PARAGRAPHS = 3
SKIP_RATE = 0.1
DEADLINE_SECONDS = 240


class Race:
    """Shared bookkeeping: errors, and how many claimed assignments are still being worked on.

    A thread that finds the queue empty keeps polling while others still hold work, because a
    skip gives a slot back; it stops only when nothing is in flight and nothing is open to it.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.errors: list[str] = []
        self.closed_conflicts = 0
        self.claims: Counter[int] = Counter()
        self.barrier = threading.Barrier(THREADS)
        self.deadline = time.monotonic() + DEADLINE_SECONDS

    def change(self, delta: int) -> None:
        with self.lock:
            self.in_flight += delta

    def idle(self) -> bool:
        with self.lock:
            return self.in_flight == 0


def build_project(overlap: int = 2):
    project = ProjectFactory(overlap=overlap)
    articles = Article.objects.bulk_create(
        Article(
            project=project,
            external_id=f"race-{n}",
            content_hash=f"{n:064x}",
            open_slots=overlap,
        )
        for n in range(ARTICLES)
    )
    Paragraph.objects.bulk_create(
        Paragraph(article=article, index=i, text=f"paragraph {i} of {article.external_id}")
        for article in articles
        for i in range(PARAGRAPHS)
    )
    return project


def annotate_until_empty(race: Race, user, project, labels: list[Label], seed: int) -> None:
    rng = random.Random(seed)
    try:
        race.barrier.wait(timeout=60)
        while time.monotonic() < race.deadline:
            assignment = queue.claim_next(user=user, project=project)
            if assignment is None:
                if race.idle():
                    return
                time.sleep(0.02)
                continue
            race.change(+1)
            try:
                with race.lock:
                    race.claims[assignment.pk] += 1
                if rng.random() < SKIP_RATE:
                    annotating.skip_assignment(assignment=assignment, reason="race")
                    continue
                paragraphs = Paragraph.objects.filter(article_id=assignment.article_id)
                for paragraph in paragraphs:
                    annotating.set_label(
                        assignment=assignment, paragraph=paragraph, label=rng.choice(labels)
                    )
                annotating.submit_assignment(assignment=assignment, active_seconds=1)
            except annotating.AssignmentClosed:
                # The other tab of the same user finished this assignment first.
                with race.lock:
                    race.closed_conflicts += 1
            finally:
                race.change(-1)
        race.errors.append(f"{user}: deadline passed")
    except Exception:
        race.errors.append(traceback.format_exc())
    finally:
        connection.close()


def run_race(project, users) -> Race:
    race = Race()
    labels = list(project.labels.all())
    threads = [
        threading.Thread(
            target=annotate_until_empty, args=(race, user, project, labels, seed), daemon=True
        )
        for seed, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS + 30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return race


def assert_every_article_is_complete(project) -> None:
    submitted: dict[int, list[int]] = defaultdict(list)
    for article_id, annotator_id in Assignment.objects.filter(
        article__project=project, status=Assignment.Status.SUBMITTED
    ).values_list("article_id", "annotator_id"):
        submitted[article_id].append(annotator_id)
    articles = list(Article.objects.filter(project=project))
    assert len(articles) == ARTICLES
    for article in articles:
        annotators = submitted[article.pk]
        assert len(annotators) == project.overlap, (article.external_id, annotators)
        assert len(set(annotators)) == project.overlap
        assert article.open_slots == 0
    assert not Assignment.objects.filter(status=Assignment.Status.IN_PROGRESS).exists()
    # Every submitted article is fully labelled, each paragraph exactly once per assignment.
    for assignment in Assignment.objects.filter(status=Assignment.Status.SUBMITTED):
        assert assignment.annotations.count() == PARAGRAPHS


def test_sixteen_annotators_race_until_the_queue_is_empty():
    project = build_project(overlap=2)
    users = [MembershipFactory(project=project).user for _ in range(THREADS)]

    race = run_race(project, users)

    assert race.errors == []
    assert race.closed_conflicts == 0
    assert_every_article_is_complete(project)
    skipped = Assignment.objects.filter(status=Assignment.Status.SKIPPED).count()
    assert skipped > 0, "the race should exercise skips (slot returns) too"
    assert all(count == 1 for count in race.claims.values())


def test_two_tabs_per_annotator_never_hold_two_articles_or_lose_a_label():
    project = build_project(overlap=3)
    people = [MembershipFactory(project=project).user for _ in range(THREADS // 2)]

    race = run_race(project, people + people)

    assert race.errors == []
    assert_every_article_is_complete(project)
    # One assignment per person and article (the unique constraint), and the tabs shared them.
    pairs = Counter(Assignment.objects.values_list("article_id", "annotator_id"))
    assert max(pairs.values()) == 1
    assert any(count > 1 for count in race.claims.values()), "tabs should resume each other's"
