"""One article, every voice: each annotator's labels beside the text, with the suggestion,
the gold decision and the flags, and the whole-article decisions a reviewer makes from there.

Reads take a fixed number of queries however long the article (the view asserts it; the
bench measures 1,000 paragraphs x 5 annotators). Single decisions go through
``adjudication.adjudicate``; the whole-article ones (take one annotator's labels, accept
unanimous and majority rows) write only undecided paragraphs, so a reviewer's earlier
decision is never overwritten by a bulk action.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from labels.models import (
    Annotation,
    AnnotationEvent,
    Article,
    Assignment,
    Flag,
    GoldLabel,
    Label,
    Paragraph,
)


@dataclass
class Voice:
    """One annotator's turn at the article, as a column of the table."""

    assignment: Assignment  # with annotator loaded


@dataclass
class Row:
    paragraph: Paragraph  # with gold (and its label) loaded when decided
    cells: list[Label | None]  # one per voice, in the order of ``ArticleVoices.voices``
    flags: list[Flag] = field(default_factory=list)
    suggestion: Label | None = None
    majority: Label | None = None  # strict majority of submitted labels (at least two)
    disagreement: bool = False  # two or more different submitted labels

    @property
    def gold(self) -> GoldLabel | None:
        return getattr(self.paragraph, "gold", None)

    @property
    def open(self) -> bool:
        return self.gold is None


@dataclass
class ArticleVoices:
    article: Article
    labels: list[Label]
    voices: list[Voice]
    rows: list[Row]

    @property
    def undecided(self) -> int:
        return sum(1 for row in self.rows if row.open)

    @property
    def disagreeing(self) -> int:
        return sum(1 for row in self.rows if row.disagreement and row.open)


def article_voices(
    *, article: Article, labels: list[Label], paragraph_id: int | None = None
) -> ArticleVoices:
    """Every paragraph of the article (or just ``paragraph_id``) with every annotator's label
    (submitted, in progress, skipped or released: all kept), suggestion, gold and flags.
    Four queries."""
    one = {"pk": paragraph_id} if paragraph_id is not None else {}
    of_one = {"paragraph_id": paragraph_id} if paragraph_id is not None else {}
    by_pk = {label.pk: label for label in labels}
    by_value = {label.value: label for label in labels}
    assignments = list(
        Assignment.objects.filter(article=article)
        .select_related("annotator", "released_by")
        .order_by("annotator__username")
    )
    paragraphs = list(
        Paragraph.objects.filter(article=article, **one)
        .select_related("gold__label", "gold__decided_by")
        .order_by("index")
    )
    column = {assignment.pk: n for n, assignment in enumerate(assignments)}
    submitted = {a.pk for a in assignments if a.status == Assignment.Status.SUBMITTED}
    cells: dict[int, list[Label | None]] = {p.pk: [None] * len(assignments) for p in paragraphs}
    given: dict[int, Counter[int]] = {p.pk: Counter() for p in paragraphs}
    for labelled_id, assignment_id, label_id in Annotation.objects.filter(
        assignment__article=article, **of_one
    ).values_list("paragraph_id", "assignment_id", "label_id"):
        if labelled_id in cells:
            cells[labelled_id][column[assignment_id]] = by_pk.get(label_id)
            if assignment_id in submitted:
                given[labelled_id][label_id] += 1
    flags: dict[int, list[Flag]] = {}
    for flag in (
        Flag.objects.filter(paragraph__article=article, **of_one)
        .select_related("assignment__annotator", "replied_by")
        .order_by("pk")
    ):
        flags.setdefault(flag.paragraph_id, []).append(flag)
    rows = []
    for paragraph in paragraphs:
        counts = given[paragraph.pk]
        total = sum(counts.values())
        top = counts.most_common(1)
        majority = None
        if top and total >= 2 and top[0][1] * 2 > total:
            majority = by_pk.get(top[0][0])
        rows.append(
            Row(
                paragraph=paragraph,
                cells=cells[paragraph.pk],
                flags=flags.get(paragraph.pk, []),
                suggestion=by_value.get(paragraph.suggested_label),
                majority=majority,
                disagreement=len(counts) > 1,
            )
        )
    return ArticleVoices(
        article=article,
        labels=labels,
        voices=[Voice(assignment=a) for a in assignments],
        rows=rows,
    )


def _write_undecided(*, reviewer: AbstractBaseUser, decisions: dict[int, int], source: str) -> int:
    """Gold for each paragraph id -> label id that has none yet; returns how many were written.

    Paragraphs decided meanwhile keep their decision (the one-to-one constraint and
    ignore_conflicts), as in ``adjudication.accept_majority``.
    """
    if not decisions:
        return 0
    before = GoldLabel.objects.filter(paragraph_id__in=decisions).count()
    GoldLabel.objects.bulk_create(
        (
            GoldLabel(
                paragraph_id=paragraph_id, label_id=label_id, source=source, decided_by=reviewer
            )
            for paragraph_id, label_id in decisions.items()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    return GoldLabel.objects.filter(paragraph_id__in=decisions).count() - before


@transaction.atomic
def take_labels_of(*, reviewer: AbstractBaseUser, assignment: Assignment) -> int:
    """Make this annotator's label gold for every undecided paragraph of their article that
    they labelled; returns how many paragraphs were decided."""
    decisions = dict(
        Annotation.objects.filter(assignment=assignment, paragraph__gold__isnull=True).values_list(
            "paragraph_id", "label_id"
        )
    )
    return _write_undecided(
        reviewer=reviewer, decisions=decisions, source=GoldLabel.Source.ADJUDICATED
    )


@transaction.atomic
def accept_agreed_rows(*, reviewer: AbstractBaseUser, article: Article) -> int:
    """Make gold of every undecided paragraph whose submitted labels (at least two) are
    unanimous or have a strict majority; returns how many were decided."""
    counts: dict[int, Counter[int]] = {}
    for paragraph_id, label_id in Annotation.objects.filter(
        assignment__article=article,
        assignment__status=Assignment.Status.SUBMITTED,
        paragraph__gold__isnull=True,
    ).values_list("paragraph_id", "label_id"):
        counts.setdefault(paragraph_id, Counter())[label_id] += 1
    decisions = {}
    for paragraph_id, given in counts.items():
        label_id, n = given.most_common(1)[0]
        total = sum(given.values())
        if total >= 2 and n * 2 > total:
            decisions[paragraph_id] = label_id
    return _write_undecided(
        reviewer=reviewer, decisions=decisions, source=GoldLabel.Source.MAJORITY
    )


@dataclass(frozen=True)
class HistoryLine:
    when: object
    who: str
    what: str
    paragraph_index: int | None


def article_history(*, article: Article, limit: int = 500) -> list[HistoryLine]:
    """The article's label changes (newest first) and its gold decisions; two queries."""
    lines = [
        HistoryLine(
            when=event.created_at,
            who=event.assignment.annotator.get_username(),
            what=f"{event.get_action_display()}: "
            f"{event.previous_label.name if event.previous_label else '—'} → "
            f"{event.label.name if event.label else '—'}",
            paragraph_index=event.paragraph.index,
        )
        for event in AnnotationEvent.objects.filter(assignment__article=article)
        .select_related("assignment__annotator", "label", "previous_label", "paragraph")
        .order_by("-pk")[:limit]
    ]
    lines += [
        HistoryLine(
            when=gold.decided_at,
            who=gold.decided_by.get_username() if gold.decided_by else "—",
            what=f"Gold ({gold.get_source_display().lower()}): {gold.label.name}"
            + (f" — {gold.note}" if gold.note else ""),
            paragraph_index=gold.paragraph.index,
        )
        for gold in GoldLabel.objects.filter(paragraph__article=article).select_related(
            "label", "decided_by", "paragraph"
        )
    ]
    return sorted(lines, key=lambda line: line.when, reverse=True)
