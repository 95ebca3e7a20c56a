"""Control items: marked by a reviewer, handed out by the queue at the project's rate, scored
against gold, never changing gold and left out of agreement."""

import pytest

from labels.models import GoldLabel
from labels.review import controls, reliability
from labels.workflow import annotating, queue, work_control
from tests.factories import MembershipFactory, ProjectFactory, UserFactory, label_of
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


def decided_control(project, reviewer, values):
    article = make_article(project, len(values), open_slots=0)
    label(article, UserFactory(), values)
    label(article, UserFactory(), values)
    for paragraph, value in zip(article.paragraphs.order_by("index"), values, strict=True):
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, value))
    work_control.set_control(reviewer=reviewer, article=article, control=True)
    return article


def test_only_a_fully_decided_article_becomes_a_control():
    project = ProjectFactory()
    article = make_article(project, 2)

    with pytest.raises(work_control.NotFullyDecided, match="2 paragraph"):
        work_control.set_control(reviewer=UserFactory(), article=article, control=True)


def test_queue_gives_a_control_every_nth_claim_and_scores_it():
    project = ProjectFactory(overlap=1, control_every=2)
    reviewer = MembershipFactory(project=project, reviewer=True).user
    control = decided_control(project, reviewer, ["body", "quote"])
    ordinary = [make_article(project, 2, open_slots=1) for _ in range(2)]
    annie = MembershipFactory(project=project).user

    first = queue.claim_next(user=annie, project=project)
    assert first.article_id == ordinary[0].pk
    label_all(first, ["body", "body"])
    second = queue.claim_next(user=annie, project=project)
    assert second.article_id == control.pk
    label_all(second, ["body", "body"])  # one of two right
    third = queue.claim_next(user=annie, project=project)
    assert third.article_id == ordinary[1].pk

    [score] = controls.control_scores(project=project)
    assert (score.username, score.answered, score.correct) == (annie.username, 2, 1)
    assert score.warn  # 50 % is under the default 80 %
    gold = dict(
        GoldLabel.objects.filter(paragraph__article=control).values_list(
            "paragraph__index", "label__value"
        )
    )
    assert gold == {0: "body", 1: "quote"}


def test_control_items_are_left_out_of_agreement():
    project = ProjectFactory(overlap=2)
    reviewer = UserFactory()
    decided_control(project, reviewer, ["body", "quote"])
    ordinary = make_article(project, 3)
    label(ordinary, UserFactory(), ["body", "body", "quote"])
    label(ordinary, UserFactory(), ["body", "quote", "quote"])

    report = reliability.project_agreement(project=project, resamples=0)

    assert (report["units"], report["annotators"]) == (3, 2)


def label_all(assignment, values):
    labels = {lab.value: lab for lab in assignment.article.project.labels.all()}
    for paragraph, value in zip(
        assignment.article.paragraphs.order_by("index"), values, strict=True
    ):
        annotating.set_label(assignment=assignment, paragraph=paragraph, label=labels[value])
    annotating.submit_assignment(assignment=assignment)
