"""Suggested labels in the database: computed at import and on demand, accepted by annotators,
measured against gold.

When the project has an active learned model (``labels.suggestions.versions``) it suggests in
place of the rules, stored as ``model:<kind>`` / ``model-<version>``; otherwise the rules
are pure (labels.suggestions.suggest); this module feeds them the stored paragraphs, lets site
memory (labels.suggestions.site_memory) override them when the same text on the same site already has a
decided label, and stores the result on the paragraph with its source and version:
``rules:<rule-name>`` / ``suggest.VERSION``, or ``site_memory:gold|agreed`` /
``site_memory.VERSION``.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet

from labels.models import (
    Annotation,
    AnnotationEvent,
    Article,
    Assignment,
    GoldLabel,
    Label,
    Paragraph,
    Project,
)
from labels.suggestions import classifier, features, site_memory, suggest, versions
from labels.workflow.annotating import (
    SavedLabel,
    add_annotations,
    add_events,
    lock_open_assignment,
    set_label,
)

RULES_SOURCE = "rules"
ARTICLES_PER_BATCH = 200
UPDATE_BATCH = 5000  # ids per UPDATE: under PostgreSQL's and SQLite's bound-parameter limits


class NoSuggestion(Exception):
    """The paragraph has no suggestion in the project's label set."""

    def __init__(self, paragraph: Paragraph) -> None:
        self.paragraph = paragraph
        super().__init__(f"paragraph {paragraph.pk} has no suggestion to accept")


def suggest_imported(*, project: Project, hashes: Iterable[str]) -> Counter:
    """Suggest labels for the just-imported articles with these content hashes.

    Only paragraphs without a suggestion are touched, so a duplicate keeps what it has. Call
    inside the import's transaction.
    """
    hashes = list(hashes)
    totals: Counter = Counter()
    for start in range(0, len(hashes), ARTICLES_PER_BATCH):
        paragraphs = Paragraph.objects.filter(
            article__project=project,
            article__content_hash__in=hashes[start : start + ARTICLES_PER_BATCH],
            suggestion_version="",
        )
        totals += store_suggestions(project=project, paragraphs=paragraphs)
    return totals


def resuggest_project(*, project: Project) -> Counter:
    """Recompute every paragraph's suggestion, ARTICLES_PER_BATCH articles per transaction."""
    totals: Counter = Counter()
    article_ids = list(
        Article.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(article_ids), ARTICLES_PER_BATCH):
        batch = article_ids[start : start + ARTICLES_PER_BATCH]
        with transaction.atomic():
            totals += store_suggestions(
                project=project, paragraphs=Paragraph.objects.filter(article_id__in=batch)
            )
    return totals


def store_suggestions(*, project: Project, paragraphs: QuerySet[Paragraph]) -> Counter:
    """Compute and save the suggestion of each paragraph; returns counts by (label, source)."""
    rows = list(paragraphs.select_related("article").order_by("article_id", "index"))
    if not rows:
        return Counter()
    label_values = set(project.labels.values_list("value", flat=True))
    decisions = site_memory.decisions_for(
        project=project, keys=[(p.article.source, p.text_hash) for p in rows]
    )
    model = versions.active_model(project=project)
    repeats = (
        versions.repeat_counts(
            project=project, keys=[(p.article.source, p.text_hash) for p in rows]
        )
        if model is not None
        else {}
    )
    counts: Counter = Counter()
    # Paragraphs that get the same suggestion are written by one UPDATE: a rule always gives
    # the same label and confidence, so a batch holds a few dozen distinct suggestions at
    # most, where bulk_update would build a CASE over every row (ten times slower).
    same: dict[tuple[str, float | None, str, str], list[int]] = defaultdict(list)
    certainty: dict[float, list[int]] = defaultdict(list)  # rounded mean -> article ids
    for _, group in groupby(rows, key=lambda p: p.article_id):
        article_rows = list(group)
        article = article_rows[0].article
        if model is not None:
            inputs = versions.article_inputs(article_rows, source=article.source, repeats=repeats)
            predicted = classifier.predict(
                model.trained, features.article_features(inputs, title=article.title)
            )
            ruled = [
                suggest.Suggestion(label=label, confidence=round(confidence, 2), rule=model.source)
                for label, confidence in predicted
            ]
        else:
            ruled = suggest.suggest_article(
                [(p.text, p.meta) for p in article_rows], title=article.title
            )
        confidences: list[float] = []
        for paragraph, suggestion in zip(article_rows, ruled, strict=True):
            remembered = site_memory.remembered_label(
                decisions.get((article.source, paragraph.text_hash), []), article_id=article.pk
            )
            if remembered is not None:
                label = remembered.label
                confidence = site_memory.CONFIDENCE[remembered.origin]
                source = f"{site_memory.SOURCE}:{remembered.origin}"
                version = site_memory.VERSION
            elif model is not None:
                label, confidence = suggestion.label, suggestion.confidence
                source, version = model.source, model.version
            else:
                label, confidence = suggestion.label, suggestion.confidence
                source, version = f"{RULES_SOURCE}:{suggestion.rule}", suggest.VERSION
            if label not in label_values:
                # The project labels differently: no suggestion rather than a foreign label,
                # but the version is kept so the paragraph counts as done.
                label, confidence, source = "", None, ""
            same[label, confidence, source, version].append(paragraph.pk)
            counts[label or "(none)", source.split(":")[0] or "(none)"] += 1
            confidences.append(confidence or 0.0)
        # Rounded like the suggestions, so a batch writes a few UPDATEs, not one per article.
        certainty[round(sum(confidences) / len(confidences), 2)].append(article.pk)
    for mean, article_ids in certainty.items():
        Article.objects.filter(pk__in=article_ids).update(suggestion_certainty=mean)
    for (label, confidence, source, version), ids in same.items():
        for start in range(0, len(ids), UPDATE_BATCH):
            Paragraph.objects.filter(pk__in=ids[start : start + UPDATE_BATCH]).update(
                suggested_label=label,
                suggestion_confidence=confidence,
                suggestion_source=source,
                suggestion_version=version,
            )
    return counts


def suggested_label(paragraph: Paragraph, labels: Sequence[Label]) -> Label | None:
    """The project label the paragraph's suggestion names, if any."""
    if not paragraph.suggested_label:
        return None
    return next((label for label in labels if label.value == paragraph.suggested_label), None)


def accept_suggestion(
    *,
    assignment: Assignment,
    paragraph: Paragraph,
    labels: Sequence[Label],
    active_seconds: float = 0.0,
) -> SavedLabel:
    """Label the paragraph with its suggestion, recorded as accepted (from_suggestion)."""
    label = suggested_label(paragraph, labels)
    if label is None:
        raise NoSuggestion(paragraph)
    return set_label(
        assignment=assignment,
        paragraph=paragraph,
        label=label,
        from_suggestion=True,
        active_seconds=active_seconds,
    )


@transaction.atomic
def accept_remaining_suggestions(
    *, assignment: Assignment, labels: Sequence[Label], active_seconds: float = 0.0
) -> int:
    """Accept the suggestion of every paragraph of the article the annotator has not labelled.

    One transaction: all of them or none. Paragraphs the annotator already labelled keep
    their label; paragraphs without a suggestion stay unlabelled. The history rows share a
    batch, so one undo reverts the whole accept-all, as for a Shift-run. Returns how many
    were set.
    """
    # The same lock as every label write, so a label posted from another tab waits for us
    # (or we for it) and nothing is written twice.
    lock_open_assignment(assignment, active_seconds=active_seconds)
    by_value = {label.value: label for label in labels}
    labelled = Annotation.objects.filter(assignment=assignment).values("paragraph_id")
    pending = [
        (paragraph_id, by_value[value])
        for paragraph_id, value in Paragraph.objects.filter(article_id=assignment.article_id)
        .exclude(pk__in=labelled)
        .exclude(suggested_label="")
        .order_by("index")
        .values_list("pk", "suggested_label")
        if value in by_value
    ]
    add_annotations(
        assignment=assignment,
        paragraph_ids=[pk for pk, _ in pending],
        label_ids=[label.pk for _, label in pending],
        from_suggestion=True,
    )
    add_events(
        assignment=assignment,
        action=AnnotationEvent.Action.ACCEPT_SUGGESTION,
        batch=uuid.uuid4() if len(pending) > 1 else None,
        paragraph_ids=[pk for pk, _ in pending],
        label_ids=[label.pk for _, label in pending],
        previous_label_ids=[None] * len(pending),
    )
    return len(pending)


@dataclass
class LabelAccuracy:
    """How one label's suggestions fared: against gold, and with the annotators."""

    label: Label
    gold: int = 0  # paragraphs with a suggestion whose gold is this label
    suggested: int = 0  # paragraphs with a gold label that were suggested this label
    correct: int = 0  # suggested this label and gold is this label
    accepted: int = 0  # annotations that accepted this suggestion (a / Shift+A)
    same_by_hand: int = 0  # annotations that chose this label by hand when it was suggested
    corrected: int = 0  # annotations that chose another label when this one was suggested

    @property
    def precision(self) -> float | None:
        return self.correct / self.suggested if self.suggested else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.gold if self.gold else None


@dataclass
class SuggestionReport:
    rows: list[LabelAccuracy]
    by_source: list[tuple[str, int, int]]  # (rules | site_memory, compared, correct)
    compared: int  # paragraphs with both a suggestion and a gold label
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.compared if self.compared else None


def suggestion_report(*, project: Project) -> SuggestionReport:
    """Suggestion accuracy per label against gold, and what annotators did with suggestions.

    Gold is the reviewer's (or site memory's) gold label, else the label every submitted
    annotation of the paragraph agrees on (the export's unanimous rule). Compared are the
    suggestions as stored now. Three queries however large the project.
    """
    labels = list(project.labels.all())
    rows = {label.value: LabelAccuracy(label=label) for label in labels}
    pairs: Counter = Counter()  # (suggested, gold, source kind) -> paragraphs
    for suggested, gold, source, n in (
        GoldLabel.objects.filter(paragraph__article__project=project)
        .exclude(paragraph__suggested_label="")
        .values("paragraph__suggested_label", "label__value", "paragraph__suggestion_source")
        .annotate(n=Count("pk"))
        .values_list(
            "paragraph__suggested_label", "label__value", "paragraph__suggestion_source", "n"
        )
    ):
        pairs[suggested, gold, source.split(":")[0]] += n
    for row in _unanimous_without_gold(project).iterator(chunk_size=5000):
        kind = row["paragraph__suggestion_source"].split(":")[0]
        pairs[row["paragraph__suggested_label"], row["label"], kind] += 1
    by_source: Counter = Counter()
    for (suggested, gold, kind), n in pairs.items():
        by_source[kind, suggested == gold] += n
        if gold in rows:
            rows[gold].gold += n
        if suggested in rows:
            rows[suggested].suggested += n
            if suggested == gold:
                rows[suggested].correct += n
    for row in (
        Annotation.objects.filter(paragraph__article__project=project)
        .exclude(paragraph__suggested_label="")
        .values("paragraph__suggested_label")
        .annotate(
            accepted=Count("pk", filter=Q(from_suggestion=True)),
            same_by_hand=Count(
                "pk",
                filter=Q(from_suggestion=False, label__value=F("paragraph__suggested_label")),
            ),
            corrected=Count("pk", filter=~Q(label__value=F("paragraph__suggested_label"))),
        )
    ):
        target = rows.get(row["paragraph__suggested_label"])
        if target is not None:
            target.accepted = row["accepted"]
            target.same_by_hand = row["same_by_hand"]
            target.corrected = row["corrected"]
    kinds = sorted({kind for kind, _ in by_source})
    return SuggestionReport(
        rows=[rows[label.value] for label in labels],
        by_source=[
            (kind, by_source[kind, True] + by_source[kind, False], by_source[kind, True])
            for kind in kinds
        ],
        compared=sum(pairs.values()),
        correct=sum(n for (suggested, gold, _), n in pairs.items() if suggested == gold),
    )


def _unanimous_without_gold(project: Project) -> QuerySet[Annotation, dict]:
    """Per paragraph without gold whose submitted annotations all agree: suggestion and label."""
    return (
        Annotation.objects.filter(
            assignment__status=Assignment.Status.SUBMITTED,
            paragraph__article__project=project,
            paragraph__gold__isnull=True,
        )
        .exclude(paragraph__suggested_label="")
        .values("paragraph_id", "paragraph__suggested_label", "paragraph__suggestion_source")
        .annotate(kinds=Count("label_id", distinct=True), label=Min("label__value"))
        .filter(kinds=1)
    )
