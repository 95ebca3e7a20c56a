"""Sixteen logged-in annotators press Start labelling at the same moment, once each, over the
whole request stack (session, CSRF-exempt test client, view, queue) on PostgreSQL.

Nobody polls: whoever is told "Nothing left to label" must really have nothing left, so the
number of claims is exactly min(annotators, open slots), every round.
"""

import threading
import traceback
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from labels.models import Article, Assignment, Membership, Paragraph
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANNOTATORS = 16
ROUNDS = 8


def build_round(*, articles: int, overlap: int, users: list) -> object:
    project = ProjectFactory(overlap=overlap)
    rows = Article.objects.bulk_create(
        Article(
            project=project,
            external_id=f"{project.slug}-{n}",
            content_hash=f"{n:064x}",
            open_slots=overlap,
        )
        for n in range(articles)
    )
    Paragraph.objects.bulk_create(
        Paragraph(article=article, index=0, text=f"text of {article.external_id}")
        for article in rows
    )
    Membership.objects.bulk_create(Membership(project=project, user=user) for user in users)
    return project


def press_start_together(project, clients: list[Client]) -> list[str]:
    """Every client posts Start once, released by one barrier; returns what each was told."""
    barrier = threading.Barrier(len(clients))
    outcomes: list[str] = [""] * len(clients)
    url = reverse("labels:start", args=[project.slug])

    def press(n: int, client: Client) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(url)
            if response.status_code == 302 and "/a/" in response["Location"]:
                outcomes[n] = "claimed"
            elif response.status_code == 200 and b'id="nothing-left"' in response.content:
                outcomes[n] = "nothing-left"
            else:
                outcomes[n] = f"unexpected {response.status_code}"
        except Exception:
            outcomes[n] = traceback.format_exc()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press, args=(n, client), daemon=True)
        for n, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return outcomes


def logged_in(users: list) -> list[Client]:
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def assert_queue_invariants(project, overlap: int) -> None:
    per_article = Counter(
        Assignment.objects.filter(article__project=project).values_list("article_id", flat=True)
    )
    assert max(per_article.values(), default=0) <= overlap
    per_user = Counter(
        Assignment.objects.filter(article__project=project).values_list("annotator_id", flat=True)
    )
    assert max(per_user.values(), default=0) <= 1
    for article in Article.objects.filter(project=project):
        assert article.open_slots == overlap - per_article.get(article.pk, 0)


@pytest.mark.parametrize(
    ("articles", "overlap"),
    [(16, 2), (8, 2), (5, 2)],
    ids=["more-slots-than-users", "as-many-slots-as-users", "fewer-slots-than-users"],
)
def test_sixteen_annotators_pressing_start_at_once_are_told_nothing_left_only_when_it_is_true(
    articles, overlap
):
    users = [UserFactory() for _ in range(ANNOTATORS)]
    slots = articles * overlap
    for _ in range(ROUNDS):
        project = build_round(articles=articles, overlap=overlap, users=users)

        outcomes = press_start_together(project, logged_in(users))

        assert Counter(outcomes) == Counter(
            {"claimed": min(ANNOTATORS, slots), "nothing-left": max(0, ANNOTATORS - slots)}
        ), outcomes
        assert_queue_invariants(project, overlap)


def test_three_annotators_racing_for_the_last_article_that_needs_two_leave_one_told_nothing_left():
    users = [UserFactory() for _ in range(3)]
    for _ in range(ROUNDS * 3):
        project = build_round(articles=1, overlap=2, users=users)

        outcomes = press_start_together(project, logged_in(users))

        assert sorted(outcomes) == ["claimed", "claimed", "nothing-left"], outcomes
        assert_queue_invariants(project, 2)
