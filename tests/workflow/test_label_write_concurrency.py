"""Two tabs of one annotator labelling the same paragraph at once, on real connections:
the history stays a chain (each event's previous label is the label before it) and the
annotation ends as the last event says. This is what the assignment lock is for."""

import random
import threading

import pytest
from django.db import connection

from labels.models import Annotation, AnnotationEvent
from labels.workflow import annotating
from tests.factories import AssignmentFactory, MembershipFactory, ParagraphFactory

pytestmark = pytest.mark.django_db(transaction=True)

TABS = 4
KEYPRESSES = 40


def test_concurrent_keypresses_on_one_paragraph_keep_the_history_a_chain():
    member = MembershipFactory()
    assignment = AssignmentFactory(annotator=member.user, article__project=member.project)
    paragraphs = [ParagraphFactory(article=assignment.article, index=i) for i in range(2)]
    labels = list(member.project.labels.all())
    barrier = threading.Barrier(TABS)
    errors: list[BaseException] = []

    def tab(seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait(timeout=30)
            for _ in range(KEYPRESSES):
                annotating.set_label(
                    assignment=assignment,
                    paragraph=rng.choice(paragraphs),
                    label=rng.choice(labels),
                )
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(seed,)) for seed in range(TABS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    for paragraph in paragraphs:
        events = list(
            AnnotationEvent.objects.filter(paragraph=paragraph)
            .order_by("pk")
            .values_list("label_id", "previous_label_id")
        )
        previous = [None] + [label for label, _ in events[:-1]]
        assert [before for _, before in events] == previous
        if events:
            assert Annotation.objects.get(paragraph=paragraph).label_id == events[-1][0]
    assert AnnotationEvent.objects.count() == TABS * KEYPRESSES
