"""The learned suggester: trained on a project's decisions, judged against the rules on
held-out articles, stored as versions in the database, and used for new suggestions."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from labels.ingest import importing
from labels.models import Article, GoldLabel, Job, Paragraph, Project, SuggestionModel
from labels.suggestions import classifier, learning, preannotation, suggest
from tests.background import run_queued_jobs
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

SENTENCES = [
    "The council approved the new harbour budget on Tuesday after a long debate.",
    "Fishermen said the repairs to the northern pier had been delayed for years.",
    "A spokesperson for the port authority declined to comment on the figures.",
    "Residents will be able to read the full report at the town hall next month.",
    "The mayor said the plan would protect jobs along the whole of the coast.",
    "Critics argued that the money should have gone to schools and the hospital.",
    "Officials expect the first ships to use the new berth by the end of summer.",
    "Water quality tests showed higher levels of pollution than last year.",
]


def site_article(project: Project, n: int) -> Article:
    """A page of a site whose template fools the rules: trafilatura misses the story text
    (extracted False) and keeps the app promotion (extracted True)."""
    article = ArticleFactory(project=project, external_id=f"page-{n}", title=f"Harbour news {n}")
    rows = [("Harbour Gazette", "nav>ul>li", False, "boilerplate")]
    for i in range(4):
        text = f"{SENTENCES[(n + i) % len(SENTENCES)]} Story {n} goes on with detail {i}."
        rows.append((text, "div.story-text>p", False, "body"))
    rows.append(
        ("The harbour at dawn, seen from the lighthouse.", "div.pic-text>p", False, "caption")
    )
    rows.append(
        (
            "Read the latest news from the harbour in our app, every single day of the week.",
            "div.promo>p",
            True,
            "boilerplate",
        )
    )
    for index, (text, path, extracted, label) in enumerate(rows):
        paragraph = ParagraphFactory(
            article=article,
            index=index,
            text=text,
            meta={
                "tag": path.rsplit(">", 1)[-1],
                "path": path,
                "extracted": extracted,
                "link_density": 0.0,
                "in": [],
            },
        )
        paragraph.truth = label
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, label))
    return article


def test_training_on_a_labelled_site_beats_the_rules_on_held_out_articles():
    project = ProjectFactory()
    for n in range(12):
        site_article(project, n)

    training = learning.train_project(project=project)

    metrics = training.model.metrics
    assert metrics["held_out_articles"] == 3 and metrics["train_articles"] == 9
    assert metrics["model"]["accuracy"] > metrics["rules"]["accuracy"]
    assert metrics["model"]["accuracy"] >= 0.95
    assert metrics["rules"]["accuracy"] < 0.5  # the template fools them, by construction
    assert metrics["model"]["body_vs_rest"] > metrics["rules"]["body_vs_rest"]
    assert training.model.active and training.model.version == 1
    assert bytes(training.model.blob)  # the fitted model lives in the database


def test_new_suggestions_record_the_model_version_and_a_calibrated_confidence():
    project = ProjectFactory()
    for n in range(12):
        site_article(project, n)
    learning.train_project(project=project)
    fresh = site_article(project, 99)
    GoldLabel.objects.filter(paragraph__article=fresh).delete()

    preannotation.store_suggestions(project=project, paragraphs=fresh.paragraphs.all())

    stored = list(fresh.paragraphs.order_by("index"))
    story = stored[1:5]  # new text: the model decides (the recurring lines are site memory's)
    assert {p.suggestion_version for p in story} == {"model-1"}
    assert all(p.suggestion_source.startswith("model:") for p in story)
    assert all(0.0 < p.suggestion_confidence <= 1.0 for p in story)
    assert [p.suggested_label for p in story] == ["body"] * 4
    assert {p.suggestion_source for p in stored[5:]} == {"site_memory:gold"}


def test_a_model_that_does_not_beat_the_rules_is_stored_but_the_rules_keep_suggesting():
    project = ProjectFactory()
    # Plain prose, all body: the rules already get it right, so the model cannot beat them.
    for n in range(8):
        article = ArticleFactory(project=project, external_id=f"plain-{n}")
        for index in range(4):
            paragraph = ParagraphFactory(
                article=article, index=index, text=f"{SENTENCES[(n + index) % 8]} Part {index}."
            )
            GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, "body"))
        paragraph = ParagraphFactory(article=article, index=4, text="Share")
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, "boilerplate"))
        paragraph = ParagraphFactory(article=article, index=5, text="Subscribe to our newsletter")
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, "boilerplate"))
        paragraph = ParagraphFactory(article=article, index=6, text="Follow us on Facebook")
        GoldLabel.objects.create(paragraph=paragraph, label=label_of(project, "boilerplate"))

    training = learning.train_project(project=project)

    assert not training.model.active
    assert training.model.metrics["rules"]["accuracy"] == 1.0
    fresh = ArticleFactory(project=project)
    ParagraphFactory(article=fresh, index=0, text=SENTENCES[0])
    preannotation.store_suggestions(project=project, paragraphs=fresh.paragraphs.all())
    assert fresh.paragraphs.get().suggestion_version == suggest.VERSION


def test_decisions_are_gold_first_then_the_submitted_strict_majority():
    project = ProjectFactory()
    article = ArticleFactory(project=project)
    gold_wins, majority, tie, single = (
        ParagraphFactory(article=article, index=i) for i in range(4)
    )
    GoldLabel.objects.create(paragraph=gold_wins, label=label_of(project, "quote"))
    votes = {
        gold_wins: ["body", "body", "body"],
        majority: ["caption", "caption", "body"],
        tie: ["body", "boilerplate"],
        single: ["boilerplate"],
    }
    assignments = [
        AssignmentFactory(article=article, annotator=UserFactory(), submitted=True)
        for _ in range(3)
    ]
    for paragraph, labels in votes.items():
        for assignment, value in zip(assignments, labels, strict=False):
            AnnotationFactory(
                assignment=assignment, paragraph=paragraph, label=label_of(project, value)
            )

    decided = learning.decided_labels(project=project)

    assert decided == {gold_wins.pk: "quote", majority.pk: "caption", single.pk: "boilerplate"}


def test_training_needs_enough_decided_articles_and_says_so():
    project = ProjectFactory(slug="tiny")
    site_article(project, 1)

    with pytest.raises(learning.NotEnoughDecisions, match="1 article.*at least 4"):
        learning.train_project(project=project)
    with pytest.raises(CommandError, match="'tiny': 1 article"):
        call_command("train_suggestions", "--project", "tiny")
    assert not SuggestionModel.objects.exists()


def test_retrain_if_due_trains_after_n_new_decisions_only():
    project = ProjectFactory(retrain_every=20)
    for n in range(6):
        site_article(project, n)  # 42 gold decisions

    first = learning.retrain_if_due(project=project)
    again = learning.retrain_if_due(project=project)

    assert first is not None and first.model.decisions == 42
    assert again is None  # no new decision since
    project.retrain_every = 0
    for n in range(6, 10):
        site_article(project, n)
    assert learning.retrain_if_due(project=project) is None  # 0: on demand only


def test_an_import_batch_retrains_when_due_and_new_articles_get_model_suggestions(tmp_path):
    project = ProjectFactory(retrain_every=10)
    for n in range(12):
        site_article(project, n)
    page = tmp_path / "more.jsonl"
    page.write_text(json.dumps({"id": "more-1", "paragraphs": [SENTENCES[0], "Share"]}) + "\n")

    importing.import_paths(project=project, paths=[page])
    assert Job.objects.filter(project=project, kind=Job.Kind.RETRAIN).count() == 1
    assert not SuggestionModel.objects.exists()  # the worker trains, not the import
    run_queued_jobs()

    assert SuggestionModel.objects.filter(project=project, active=True).count() == 1
    # The batch's own articles were suggested before the training, by the rules; unstarted
    # articles are re-suggested by the new model right after it.
    assert set(
        Paragraph.objects.filter(article__external_id="more-1").values_list(
            "suggestion_version", flat=True
        )
    ) == {"model-1"}


def test_train_suggestions_prints_the_model_against_the_rules_as_json():
    project = ProjectFactory(slug="harbour")
    for n in range(12):
        site_article(project, n)
    out = StringIO()

    call_command("train_suggestions", "--project", "harbour", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["version"] == 1 and report["active"] is True
    assert report["kind"] in classifier.KINDS
    for side in ("model", "rules"):
        assert set(report[side]) >= {"accuracy", "body_vs_rest", "per_label"}
        assert set(report[side]["per_label"]) >= {"body", "boilerplate", "caption"}
    text = StringIO()
    call_command("train_suggestions", "--project", "harbour", stdout=text)
    assert "model-2" in text.getvalue() and "four-way" in text.getvalue()


def test_a_model_from_another_library_version_falls_back_to_the_rules():
    with pytest.raises(classifier.ModelUnavailable, match="scikit-learn 0.1"):
        classifier.loads(b"", library="0.1")


def test_an_accept_majority_batch_retrains_when_due():
    from labels.review import adjudication

    project = ProjectFactory(retrain_every=30)
    for n in range(6):
        site_article(project, n)  # 42 gold decisions: due
    reviewer = UserFactory()

    adjudication.accept_majority(
        reviewer=reviewer, project=project, filters=adjudication.QueueFilter()
    )
    adjudication.accept_majority(  # a second batch while the first job waits queues no other
        reviewer=reviewer, project=project, filters=adjudication.QueueFilter()
    )
    assert Job.objects.filter(project=project, kind=Job.Kind.RETRAIN).count() == 1
    run_queued_jobs()

    assert SuggestionModel.objects.filter(project=project).count() == 1
    assert Job.objects.get(kind=Job.Kind.RETRAIN).status == Job.Status.SUCCEEDED
