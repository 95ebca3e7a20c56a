"""Stored suggestions, site memory and the accept paths, against the real database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from labels.ingest import importing
from labels.models import Annotation, AnnotationEvent, Assignment, GoldLabel, Paragraph, Project
from labels.suggestions import preannotation, site_memory
from labels.workflow import annotating
from tests.background import run_queued_jobs
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    GoldLabelFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

FOOTER = "Sign up for the Harbour Gazette morning briefing"


def jsonl(*articles: tuple[str, list[str]], source: str = "gazette.example") -> bytes:
    import json

    return "\n".join(
        json.dumps({"id": article_id, "source": source, "paragraphs": paragraphs})
        for article_id, paragraphs in articles
    ).encode()


def import_jsonl(project: Project, data: bytes, name: str = "batch.jsonl") -> None:
    [outcome] = importing.import_source(project=project, data=data, name=name)
    assert outcome.error is None
    run_queued_jobs()  # the suggestion job that follows every import


def paragraph(external_id: str, text: str) -> Paragraph:
    return Paragraph.objects.get(article__external_id=external_id, text=text)


def test_the_suggester_version_and_rule_are_stored_with_each_suggestion(project):
    import_jsonl(project, jsonl(("a1", ["Harbour reopens", FOOTER])))

    footer = paragraph("a1", FOOTER)
    assert footer.suggested_label == "boilerplate"
    assert footer.suggestion_source == "rules:subscription-pitch"
    assert footer.suggestion_version == "rules-1"
    assert footer.suggestion_confidence == 0.9


def test_gold_on_one_occurrence_is_remembered_for_later_articles_of_the_same_site(project):
    # The rules alone call this footer boilerplate; a reviewer decided it is a caption.
    import_jsonl(project, jsonl(("a1", ["Story one is here.", FOOTER])), name="one.jsonl")
    GoldLabelFactory(paragraph=paragraph("a1", FOOTER), label=label_of(project, "caption"))

    import_jsonl(project, jsonl(("a2", ["Story two is here.", FOOTER])), name="two.jsonl")
    import_jsonl(
        project,
        jsonl(("a3", ["Story three.", FOOTER]), source="other-site.example"),
        name="three.jsonl",
    )

    later = paragraph("a2", FOOTER)
    assert (later.suggested_label, later.suggestion_source) == ("caption", "site_memory:gold")
    assert later.suggestion_confidence == site_memory.CONFIDENCE["gold"]
    assert later.suggestion_version == site_memory.VERSION
    # Another site does not share the memory.
    assert paragraph("a3", FOOTER).suggestion_source == "rules:subscription-pitch"


def test_whitespace_and_case_do_not_hide_a_recurring_text(project):
    import_jsonl(project, jsonl(("a1", ["Story one.", FOOTER])), name="one.jsonl")
    GoldLabelFactory(paragraph=paragraph("a1", FOOTER), label=label_of(project, "caption"))
    variant = "  SIGN UP for the Harbour   Gazette\nmorning briefing "

    import_jsonl(project, jsonl(("a2", ["Story two.", variant])), name="two.jsonl")

    assert Paragraph.objects.get(article__external_id="a2", index=1).suggested_label == "caption"


def agree(article_external_id: str, text: str, label: str, annotators: int = 2) -> None:
    target = paragraph(article_external_id, text)
    for _ in range(annotators):
        assignment = AssignmentFactory(article=target.article, submitted=True)
        AnnotationFactory(
            assignment=assignment,
            paragraph=target,
            label=label_of(target.article.project, label),
        )


def test_two_agreeing_submitted_annotations_are_remembered_one_is_not(project):
    import_jsonl(project, jsonl(("a1", ["Story one.", FOOTER])), name="one.jsonl")
    agree("a1", FOOTER, "quote", annotators=1)
    import_jsonl(project, jsonl(("a2", ["Story two.", FOOTER])), name="two.jsonl")
    assert paragraph("a2", FOOTER).suggestion_source == "rules:subscription-pitch"

    agree("a1", FOOTER, "quote", annotators=1)  # now two agree
    import_jsonl(project, jsonl(("a3", ["Story three.", FOOTER])), name="three.jsonl")

    third = paragraph("a3", FOOTER)
    assert (third.suggested_label, third.suggestion_source) == ("quote", "site_memory:agreed")


def test_disagreeing_decisions_make_the_memory_silent(project):
    import_jsonl(
        project, jsonl(("a1", ["One.", FOOTER]), ("a2", ["Two.", FOOTER])), name="one.jsonl"
    )
    GoldLabelFactory(paragraph=paragraph("a1", FOOTER), label=label_of(project, "caption"))
    GoldLabelFactory(paragraph=paragraph("a2", FOOTER), label=label_of(project, "quote"))

    import_jsonl(project, jsonl(("a3", ["Three.", FOOTER])), name="two.jsonl")

    assert paragraph("a3", FOOTER).suggestion_source == "rules:subscription-pitch"


def test_resuggesting_never_suggests_a_paragraph_its_own_gold(project):
    import_jsonl(project, jsonl(("a1", ["Story one.", FOOTER])))
    GoldLabelFactory(paragraph=paragraph("a1", FOOTER), label=label_of(project, "caption"))

    preannotation.resuggest_project(project=project)

    assert paragraph("a1", FOOTER).suggestion_source == "rules:subscription-pitch"


def test_resuggest_project_updates_every_paragraph_and_counts_them(project):
    import_jsonl(
        project,
        jsonl(("a1", ["One.", FOOTER]), ("a2", ["Two.", FOOTER])),
        name="one.jsonl",
    )
    GoldLabelFactory(paragraph=paragraph("a1", FOOTER), label=label_of(project, "caption"))

    counts = preannotation.resuggest_project(project=project)

    assert sum(counts.values()) == 4
    assert counts["caption", "site_memory"] == 1  # a2's footer, from a1's gold
    assert paragraph("a2", FOOTER).suggestion_source == "site_memory:gold"


def test_a_label_outside_the_project_label_set_is_not_suggested():
    project = ProjectFactory()
    project.labels.filter(value="caption").delete()
    [outcome] = importing.import_source(
        project=project,
        data=jsonl(("a1", ["A photo. (Photo: Jane Roe)", "Story text goes on here."])),
        name="a.jsonl",
    )
    assert outcome.error is None
    run_queued_jobs()

    caption = paragraph("a1", "A photo. (Photo: Jane Roe)")
    assert (caption.suggested_label, caption.suggestion_source) == ("", "")
    assert caption.suggestion_version == "rules-1"


def test_apply_to_occurrences_creates_site_memory_gold_and_keeps_existing_gold(project):
    import_jsonl(
        project,
        jsonl(("a1", ["One.", FOOTER]), ("a2", ["Two.", FOOTER]), ("a3", ["Three.", FOOTER])),
    )
    adjudicated = GoldLabelFactory(
        paragraph=paragraph("a1", FOOTER), label=label_of(project, "quote")
    )
    reviewer = UserFactory()

    created = site_memory.apply_to_occurrences(
        project=project,
        source="gazette.example",
        text_hash=paragraph("a1", FOOTER).text_hash,
        label=label_of(project, "boilerplate"),
        reviewer=reviewer,
    )

    assert created == 2
    adjudicated.refresh_from_db()
    assert (adjudicated.label.value, adjudicated.source) == ("quote", "adjudicated")
    applied = GoldLabel.objects.filter(source=GoldLabel.Source.SITE_MEMORY)
    assert sorted(applied.values_list("paragraph__article__external_id", flat=True)) == [
        "a2",
        "a3",
    ]
    assert {g.decided_by for g in applied} == {reviewer}
    assert {g.label.value for g in applied} == {"boilerplate"}
    assert paragraph("a3", FOOTER).suggestion_source == "site_memory:gold"


def test_recurring_texts_lists_site_texts_in_two_articles_with_the_known_label(project):
    import_jsonl(
        project,
        jsonl(("a1", ["One.", FOOTER]), ("a2", ["Two.", FOOTER, FOOTER]), ("a3", ["One."])),
    )
    GoldLabelFactory(paragraph=paragraph("a3", "One."), label=label_of(project, "body"))

    recurring = {item.text: item for item in site_memory.recurring_texts(project=project)}

    assert set(recurring) == {FOOTER, "One."}
    assert (recurring[FOOTER].occurrences, recurring[FOOTER].articles) == (3, 2)
    assert recurring[FOOTER].known_label is None
    assert (recurring["One."].known_label, recurring["One."].known_origin) == ("body", "gold")
    assert recurring["One."].with_gold == 1


# Accepting suggestions


def suggested_article(project: Project, user) -> Assignment:
    import_jsonl(project, jsonl(("a1", ["Story text goes on here.", FOOTER, "Netanyahu Putin"])))
    article = project.articles.get()
    return AssignmentFactory(article=article, annotator=user)


def test_accept_suggestion_records_from_suggestion_and_an_accept_event(project):
    assignment = suggested_article(project, UserFactory())
    footer = paragraph("a1", FOOTER)

    saved = preannotation.accept_suggestion(
        assignment=assignment, paragraph=footer, labels=list(project.labels.all())
    )

    assert (saved.annotation.label.value, saved.annotation.from_suggestion) == ("boilerplate", True)
    event = AnnotationEvent.objects.get()
    assert event.action == AnnotationEvent.Action.ACCEPT_SUGGESTION


def test_accept_suggestion_without_one_raises(project):
    assignment = suggested_article(project, UserFactory())
    footer = paragraph("a1", FOOTER)
    Paragraph.objects.filter(pk=footer.pk).update(suggested_label="")
    footer.refresh_from_db()

    with pytest.raises(preannotation.NoSuggestion):
        preannotation.accept_suggestion(
            assignment=assignment, paragraph=footer, labels=list(project.labels.all())
        )
    assert not Annotation.objects.exists()


def test_accept_remaining_sets_only_unlabelled_paragraphs(project):
    assignment = suggested_article(project, UserFactory())
    first = paragraph("a1", "Story text goes on here.")
    annotating.set_label(assignment=assignment, paragraph=first, label=label_of(project, "quote"))

    accepted = preannotation.accept_remaining_suggestions(
        assignment=assignment, labels=list(project.labels.all())
    )

    assert accepted == 2
    rows = {
        a.paragraph.text: (a.label.value, a.from_suggestion)
        for a in Annotation.objects.select_related("paragraph", "label")
    }
    assert rows == {
        "Story text goes on here.": ("quote", False),
        FOOTER: ("boilerplate", True),
        "Netanyahu Putin": ("boilerplate", True),
    }
    assert AnnotationEvent.objects.filter(action="accept").count() == 2
    assert (
        preannotation.accept_remaining_suggestions(
            assignment=assignment, labels=list(project.labels.all())
        )
        == 0
    )


def test_accept_remaining_on_a_submitted_assignment_writes_nothing(project):
    assignment = suggested_article(project, UserFactory())
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)

    with pytest.raises(annotating.AssignmentClosed):
        preannotation.accept_remaining_suggestions(
            assignment=assignment, labels=list(project.labels.all())
        )
    assert not Annotation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_accept_all_and_a_label_posted_at_once_never_write_twice():
    project = ProjectFactory()
    user = UserFactory()
    article = ArticleFactory(project=project)
    paragraphs = [
        ParagraphFactory(article=article, index=n, suggested_label="body") for n in range(40)
    ]
    assignment = AssignmentFactory(article=article, annotator=user)
    labels = list(project.labels.all())
    quote = label_of(project, "quote")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def accept_all() -> None:
        try:
            barrier.wait()
            preannotation.accept_remaining_suggestions(assignment=assignment, labels=labels)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def label_last() -> None:
        try:
            barrier.wait()
            annotating.set_label(assignment=assignment, paragraph=paragraphs[-1], label=quote)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept_all), threading.Thread(target=label_last)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Annotation.objects.filter(assignment=assignment).count() == 40
    assert Annotation.objects.filter(paragraph=paragraphs[-1]).count() == 1


# Accuracy report


def test_suggestion_report_counts_accuracy_per_label_against_gold_and_unanimous(project):
    article = ArticleFactory(project=project)
    make = [
        ("body", "body"),  # correct, via gold
        ("body", "quote"),  # wrong, via gold
        ("boilerplate", "boilerplate"),  # correct, via unanimous annotations
        ("caption", "boilerplate"),  # wrong, via one annotation (corrected by its annotator)
        ("quote", None),  # no gold, no submitted annotation: not compared
    ]
    rows = []
    for index, (suggested, _) in enumerate(make):
        rows.append(
            ParagraphFactory(
                article=article,
                index=index,
                suggested_label=suggested,
                suggestion_source="rules:prose",
            )
        )
    GoldLabelFactory(paragraph=rows[0], label=label_of(project, "body"))
    GoldLabelFactory(paragraph=rows[1], label=label_of(project, "quote"))
    submitted = AssignmentFactory(article=article, submitted=True)
    AnnotationFactory(
        assignment=submitted,
        paragraph=rows[2],
        label=label_of(project, "boilerplate"),
        from_suggestion=True,
    )
    AnnotationFactory(
        assignment=submitted, paragraph=rows[3], label=label_of(project, "boilerplate")
    )
    AnnotationFactory(assignment=submitted, paragraph=rows[0], label=label_of(project, "body"))

    report = preannotation.suggestion_report(project=project)

    by_label = {row.label.value: row for row in report.rows}
    assert (report.compared, report.correct) == (4, 2)
    assert (by_label["body"].suggested, by_label["body"].correct, by_label["body"].gold) == (
        2,
        1,
        1,
    )
    assert by_label["body"].precision == 0.5
    assert by_label["quote"].gold == 1
    assert by_label["quote"].recall == 0.0
    assert (by_label["quote"].suggested, by_label["quote"].precision) == (0, None)
    assert by_label["boilerplate"].precision == 1.0
    assert by_label["boilerplate"].recall == 0.5
    assert by_label["boilerplate"].accepted == 1
    assert (by_label["caption"].suggested, by_label["caption"].correct) == (1, 0)
    assert by_label["caption"].corrected == 1  # suggested caption, labelled boilerplate
    assert by_label["body"].same_by_hand == 1
    assert report.by_source == [("rules", 4, 2)]


def test_one_undo_reverts_a_whole_accept_all_and_keeps_earlier_labels(project):
    assignment = suggested_article(project, UserFactory())
    first = paragraph("a1", "Story text goes on here.")
    annotating.set_label(assignment=assignment, paragraph=first, label=label_of(project, "quote"))
    accepted = preannotation.accept_remaining_suggestions(
        assignment=assignment, labels=list(project.labels.all())
    )

    undone = annotating.undo_last_change(assignment=assignment)

    assert accepted == 2
    assert len(undone) == 2
    assert [(a.paragraph.text, a.label.value) for a in Annotation.objects.all()] == [
        ("Story text goes on here.", "quote")
    ]
