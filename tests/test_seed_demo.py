"""The demo that `make run` seeds: two annotators' labels on the seed, queue state consistent."""

from io import StringIO

import pytest
from django.core.management import call_command

from labels import queue, reliability
from labels.management.commands.seed_demo import DEMO_LABELS
from labels.models import Annotation, Article, Assignment, Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_has_annie_and_bob_submitted_with_a_few_disagreements():
    output = seed()

    assert "Demo labels: 44 annotation(s) imported" in output
    project = Project.objects.get(slug="demo")
    article = Article.objects.get(project=project)
    assignments = Assignment.objects.filter(article=article).select_related("annotator")
    assert {(a.annotator.username, a.status) for a in assignments} == {
        ("annie", Assignment.Status.SUBMITTED),
        ("bob", Assignment.Status.SUBMITTED),
    }
    assert Annotation.objects.filter(assignment__article=article).count() == 44
    assert article.open_slots == project.overlap - 2
    labels = DEMO_LABELS[article.external_id]
    disagreements = sum(a != b for a, b in zip(labels["annie"], labels["bob"], strict=True))
    assert 0 < disagreements <= 4
    report = reliability.project_agreement(project=project, resamples=100)
    assert report["annotators"] == 2 and report["units"] == 22
    assert 0.6 < report["krippendorff_alpha"] < 0.95
    assert report["articles_with_disagreements"] == 1


def test_seeding_twice_adds_nothing_and_keeps_the_slots():
    seed()
    before = (Annotation.objects.count(), Assignment.objects.count())

    output = seed()

    assert "Demo labels: already there" in output
    assert (Annotation.objects.count(), Assignment.objects.count()) == before
    assert Article.objects.get().open_slots == 1


def test_after_the_demo_labels_a_third_person_can_still_label_the_seed():
    seed()
    project = Project.objects.get(slug="demo")

    assignment = queue.claim_next(user=UserFactory(), project=project)

    assert assignment is not None
    assert Article.objects.get().open_slots == 0
