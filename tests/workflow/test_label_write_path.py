"""The label POST's hand-written PostgreSQL statements and their ORM twins give the same
results: access.paragraph_for_annotator and annotating.set_label, each run both ways."""

from datetime import timedelta

import pytest
from django.db.models import Model
from django.http import Http404

from labels.models import Annotation, AnnotationEvent, Assignment, Flag, Membership
from labels.workflow import access, annotating
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    label_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["postgresql", "orm"])
def path(request, monkeypatch) -> str:
    """Run the test through the PostgreSQL statements, then again through the ORM twins."""
    if request.param == "orm":
        monkeypatch.setattr(access, "_own_paragraph_postgresql", access._own_paragraph_orm)
        monkeypatch.setattr(annotating, "_set_label_postgresql", annotating._set_label_orm)
    return request.param


def fields(instance: Model) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def own():
    """An annotator's assignment on an article whose rows carry every kind of value."""
    project = ProjectFactory(
        assignment_timeout=timedelta(days=2, hours=3, minutes=4, seconds=5, microseconds=6),
        guidelines="Label «quotes» as quote.\n\nNever guess.",
        show_suggestions=True,
    )
    article = ArticleFactory(project=project, meta={"section": "world", "tags": ["a", "ü"]})
    paragraph = ParagraphFactory(
        article=article,
        index=0,
        text='He said: "Ça va?"\nThen left.',
        meta={"xpath": "/html/body/p[1]"},
        suggested_label="quote",
        suggestion_confidence=0.8125,
        suggestion_source="rules",
    )
    ParagraphFactory(article=article, index=1)
    user = MembershipFactory(project=project).user
    assignment = AssignmentFactory(article=article, annotator=user, active_seconds=12.5)
    return user, assignment, paragraph


def test_paragraph_for_annotator_loads_every_field_as_the_orm_does(own, path):
    user, assignment, paragraph = own
    flag = Flag.objects.create(assignment=assignment, paragraph=paragraph, note="unsure ⚑")

    loaded = access.paragraph_for_annotator(user, paragraph.pk)

    assert fields(loaded.paragraph) == fields(paragraph)
    assert fields(loaded.assignment) == fields(Assignment.objects.get(pk=assignment.pk))
    assert fields(loaded.assignment.article) == fields(paragraph.article)
    assert fields(loaded.assignment.article.project) == fields(paragraph.article.project)
    assert loaded.paragraph.article is loaded.assignment.article
    assert fields(loaded.flag) == fields(flag)
    assert [fields(label) for label in loaded.labels] == [
        fields(label) for label in paragraph.article.project.labels.order_by("order", "pk")
    ]
    assert [label.key for label in loaded.labels] == ["1", "2", "3", "4"]


def test_paragraph_for_annotator_without_a_flag_says_none(own, path):
    user, _, paragraph = own

    assert access.paragraph_for_annotator(user, paragraph.pk).flag is None


def test_paragraph_for_annotator_sees_only_the_users_own_flag(own, path):
    user, _, paragraph = own
    other = MembershipFactory(project=paragraph.article.project).user
    theirs = AssignmentFactory(article=paragraph.article, annotator=other)
    Flag.objects.create(assignment=theirs, paragraph=paragraph, note="theirs")

    assert access.paragraph_for_annotator(user, paragraph.pk).flag is None
    assert access.paragraph_for_annotator(other, paragraph.pk).flag.note == "theirs"


def test_paragraph_for_annotator_is_404_for_anyone_but_a_member_with_an_assignment(own, path):
    user, assignment, paragraph = own
    project = paragraph.article.project
    member_without_assignment = MembershipFactory(project=project).user
    assigned_elsewhere = MembershipFactory(project=ProjectFactory()).user
    AssignmentFactory(article=ArticleFactory(), annotator=assigned_elsewhere)

    for stranger in (member_without_assignment, assigned_elsewhere):
        with pytest.raises(Http404):
            access.paragraph_for_annotator(stranger, paragraph.pk)
    with pytest.raises(Http404):
        access.paragraph_for_annotator(user, paragraph.pk + 10_000)

    Membership.objects.filter(user=user).delete()
    with pytest.raises(Http404):
        access.paragraph_for_annotator(user, paragraph.pk)


def test_paragraph_for_annotator_keeps_closed_assignments_readable(own, path):
    # 409, not 404, is the answer for a closed assignment: the write decides, not the lookup.
    user, assignment, paragraph = own
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    loaded = access.paragraph_for_annotator(user, paragraph.pk)

    assert loaded.assignment.status == Assignment.Status.SUBMITTED


def test_set_label_creates_the_annotation_and_its_history_and_counts_progress(own, path):
    _, assignment, paragraph = own
    quote = label_of(paragraph.article.project, "quote")

    saved = annotating.set_label(
        assignment=assignment, paragraph=paragraph, label=quote, active_seconds=4.5
    )

    stored = Annotation.objects.get()
    assert fields(saved.annotation) == fields(stored)
    assert saved.annotation.label == quote
    assert (saved.labelled, saved.total) == (1, 2)
    assert list(
        AnnotationEvent.objects.values_list("action", "label__value", "previous_label_id")
    ) == [("set", "quote", None)]
    assignment.refresh_from_db()
    assert assignment.active_seconds == 17.0


def test_relabelling_updates_in_place_and_records_the_previous_label(own, path):
    _, assignment, paragraph = own
    project = paragraph.article.project
    first = annotating.set_label(
        assignment=assignment, paragraph=paragraph, label=label_of(project, "quote")
    ).annotation

    saved = annotating.set_label(
        assignment=assignment, paragraph=paragraph, label=label_of(project, "caption")
    )

    stored = Annotation.objects.get()
    assert stored.pk == first.pk == saved.annotation.pk
    assert stored.label.value == "caption"
    assert stored.created_at == first.created_at < stored.updated_at
    assert fields(saved.annotation) == fields(stored)
    assert (saved.labelled, saved.total) == (1, 2)
    assert list(
        AnnotationEvent.objects.order_by("pk").values_list("label__value", "previous_label__value")
    ) == [("quote", None), ("caption", "quote")]


def test_the_same_label_again_leaves_the_row_alone_but_is_kept_in_the_history(own, path):
    _, assignment, paragraph = own
    quote = label_of(paragraph.article.project, "quote")
    annotating.set_label(assignment=assignment, paragraph=paragraph, label=quote)
    before = Annotation.objects.get()

    saved = annotating.set_label(assignment=assignment, paragraph=paragraph, label=quote)

    assert fields(Annotation.objects.get()) == fields(before) == fields(saved.annotation)
    assert AnnotationEvent.objects.count() == 2


def test_accepting_a_suggestion_is_recorded_and_a_keypress_after_it_clears_the_mark(own, path):
    _, assignment, paragraph = own
    quote = label_of(paragraph.article.project, "quote")

    accepted = annotating.set_label(
        assignment=assignment, paragraph=paragraph, label=quote, from_suggestion=True
    )
    typed = annotating.set_label(assignment=assignment, paragraph=paragraph, label=quote)

    assert accepted.annotation.from_suggestion is True
    assert typed.annotation.from_suggestion is False
    assert Annotation.objects.get().from_suggestion is False
    assert list(AnnotationEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "accept",
        "set",
    ]


def test_progress_counts_only_the_annotators_own_labels(own, path):
    _, assignment, paragraph = own
    other = AssignmentFactory(article=paragraph.article)
    for p in paragraph.article.paragraphs.all():
        AnnotationFactory(assignment=other, paragraph=p)

    saved = annotating.set_label(
        assignment=assignment,
        paragraph=paragraph,
        label=label_of(paragraph.article.project, "body"),
    )

    assert (saved.labelled, saved.total) == (1, 2)


@pytest.mark.parametrize("status", ["submitted", "skipped", "released"])
def test_a_closed_assignment_refuses_the_label_and_changes_nothing(own, path, status):
    _, assignment, paragraph = own
    AnnotationFactory(assignment=assignment, paragraph=paragraph)
    Assignment.objects.filter(pk=assignment.pk).update(status=status)
    before = Assignment.objects.values("last_activity_at", "active_seconds").get()

    with pytest.raises(annotating.AssignmentClosed, match=f"is {status}, not in progress"):
        annotating.set_label(
            assignment=assignment,
            paragraph=paragraph,
            label=label_of(paragraph.article.project, "quote"),
            active_seconds=30,
        )

    assert Annotation.objects.get().label.value == "body"
    assert not AnnotationEvent.objects.exists()
    assert Assignment.objects.values("last_activity_at", "active_seconds").get() == before


def test_a_paragraph_of_another_article_is_refused(own, path):
    _, assignment, paragraph = own
    elsewhere = ParagraphFactory(article=ArticleFactory(project=paragraph.article.project))

    with pytest.raises(ValueError, match="not part of the assignment's article"):
        annotating.set_label(
            assignment=assignment,
            paragraph=elsewhere,
            label=label_of(paragraph.article.project, "quote"),
        )
    assert not Annotation.objects.exists()
