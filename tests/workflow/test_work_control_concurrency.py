"""A reviewer releases an article while its annotator keeps pressing keys, on real
connections: every label acknowledged before the release is kept, every keypress after it is
refused, and the slot comes back exactly once."""

import threading

import pytest
from django.db import connection

from labels.models import Annotation, Assignment
from labels.workflow import annotating, queue, work_control
from tests.factories import ArticleFactory, MembershipFactory, ParagraphFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARAGRAPHS = 60


def test_release_during_labelling_loses_no_acknowledged_label_and_frees_one_slot():
    member = MembershipFactory()
    project = member.project
    article = ArticleFactory(project=project)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(PARAGRAPHS)]
    assignment = queue.claim_next(user=member.user, project=project)
    body = project.labels.get(value="body")
    acknowledged: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    started = threading.Event()

    def annotator() -> None:
        try:
            for paragraph in paragraphs:
                try:
                    annotating.set_label(assignment=assignment, paragraph=paragraph, label=body)
                    acknowledged.append(paragraph.pk)
                except annotating.AssignmentClosed:
                    refused.append(paragraph.pk)
                started.set()
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            started.set()
            connection.close()

    thread = threading.Thread(target=annotator)
    thread.start()
    started.wait(timeout=30)
    work_control.release_assignment(reviewer=UserFactory(), assignment=assignment)
    thread.join(timeout=60)

    assert not errors
    assert len(acknowledged) + len(refused) == PARAGRAPHS
    stored = set(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", flat=True)
    )
    assert stored == set(acknowledged)
    # Once refused, always refused: nothing is saved after the release.
    if refused:
        assert max(paragraph.pk for paragraph in paragraphs if paragraph.pk in stored) < min(
            refused
        )
    article.refresh_from_db()
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.RELEASED
    assert article.open_slots == project.overlap
