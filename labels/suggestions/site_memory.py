"""Site memory: the same paragraph text recurring across articles of one site.

Footers, newsletter pitches and "Related" headers repeat word for word on every page of a
site. ``Paragraph.text_hash`` (whitespace-normalised, lower-cased) finds them; once one
occurrence has a decided label, the others are suggested that label, and a reviewer can make it
the gold label of every occurrence at once. A site is ``Article.source`` (the page's host);
articles without a source have no site and no memory.

A decided label is, per occurrence, its gold label or else an agreement: at least
``AGREED_MIN_ANNOTATIONS`` submitted annotations, all the same label. Gold wins over
agreement; occurrences that disagree with each other make the memory unsure, and it stays
silent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Min

from labels.models import Annotation, Assignment, GoldLabel, Label, Paragraph, Project

AGREED_MIN_ANNOTATIONS = 2
GOLD, AGREED = "gold", "agreed"
# Stored as the suggestion's source ("site_memory:gold") and version.
SOURCE = "site_memory"
VERSION = "memory-1"
CONFIDENCE = {GOLD: 0.95, AGREED: 0.9}
HASHES_PER_QUERY = 5000  # keeps each IN list under the databases' bound-parameter limits

SiteText = tuple[str, str]  # (Article.source, Paragraph.text_hash)


@dataclass(frozen=True)
class Decision:
    """One occurrence's decided label."""

    article_id: int
    label: str
    origin: str  # GOLD or AGREED


@dataclass(frozen=True)
class RecurringText:
    source: str
    text_hash: str
    text: str
    occurrences: int
    articles: int
    with_gold: int
    known_label: str | None  # what the memory would suggest for a new occurrence
    known_origin: str | None


def decisions_for(*, project: Project, keys: Iterable[SiteText]) -> dict[SiteText, list[Decision]]:
    """Every decided occurrence of these site texts in the project (two queries per
    HASHES_PER_QUERY distinct texts)."""
    keys = {(source, digest) for source, digest in keys if source and digest}
    hashes = sorted({digest for _, digest in keys})
    found: dict[SiteText, list[Decision]] = defaultdict(list)
    for start in range(0, len(hashes), HASHES_PER_QUERY):
        _collect_decisions(project, keys, hashes[start : start + HASHES_PER_QUERY], found)
    return dict(found)


def _collect_decisions(
    project: Project,
    keys: set[SiteText],
    hashes: list[str],
    found: dict[SiteText, list[Decision]],
) -> None:
    sources = {source for source, _ in keys}
    scope = {
        "paragraph__article__project": project,
        "paragraph__article__source__in": sources,
        "paragraph__text_hash__in": hashes,
    }
    gold_paragraphs: set[int] = set()
    for paragraph_id, article_id, source, digest, label in GoldLabel.objects.filter(
        **scope
    ).values_list(
        "paragraph_id",
        "paragraph__article_id",
        "paragraph__article__source",
        "paragraph__text_hash",
        "label__value",
    ):
        if (source, digest) in keys:
            found[source, digest].append(Decision(article_id, label, GOLD))
            gold_paragraphs.add(paragraph_id)
    agreed = (
        Annotation.objects.filter(assignment__status=Assignment.Status.SUBMITTED, **scope)
        .values(
            "paragraph_id",
            "paragraph__article_id",
            "paragraph__article__source",
            "paragraph__text_hash",
        )
        .annotate(
            given=Count("pk"),
            kinds=Count("label_id", distinct=True),
            label=Min("label__value"),
        )
        .filter(given__gte=AGREED_MIN_ANNOTATIONS, kinds=1)
    )
    for row in agreed:
        key = (row["paragraph__article__source"], row["paragraph__text_hash"])
        if key in keys and row["paragraph_id"] not in gold_paragraphs:
            found[key].append(Decision(row["paragraph__article_id"], row["label"], AGREED))


def remembered_label(decisions: Iterable[Decision], *, article_id: int) -> Decision | None:
    """The label other articles' occurrences decided, if they all agree; gold outranks agreed.

    The occurrence's own article is left out, so a paragraph is never "suggested" the gold
    label it already has (which would make suggestion accuracy look better than it is).
    """
    others = [d for d in decisions if d.article_id != article_id]
    for origin in (GOLD, AGREED):
        labels = {d.label for d in others if d.origin == origin}
        if len(labels) == 1:
            return next(d for d in others if d.origin == origin)
        if labels:
            return None  # occurrences disagree: unsure
    return None


def recurring_texts(*, project: Project, limit: int = 100) -> list[RecurringText]:
    """Texts that occur in at least two articles of one site, most frequent first (4 queries)."""
    rows = list(
        Paragraph.objects.filter(article__project=project)
        .exclude(article__source="")
        .exclude(text_hash="")
        .values("article__source", "text_hash")
        .annotate(
            occurrences=Count("pk"),
            articles=Count("article_id", distinct=True),
            with_gold=Count("gold"),
            sample=Min("pk"),
        )
        .filter(articles__gte=2)
        .order_by("-occurrences", "article__source", "text_hash")[:limit]
    )
    texts = dict(
        Paragraph.objects.filter(pk__in=[row["sample"] for row in rows]).values_list("pk", "text")
    )
    decisions = decisions_for(
        project=project, keys=[(row["article__source"], row["text_hash"]) for row in rows]
    )
    recurring = []
    for row in rows:
        key = (row["article__source"], row["text_hash"])
        # For a future occurrence (article id 0 is none of ours) every decision counts.
        known = remembered_label(decisions.get(key, []), article_id=0)
        recurring.append(
            RecurringText(
                source=row["article__source"],
                text_hash=row["text_hash"],
                text=texts.get(row["sample"], ""),
                occurrences=row["occurrences"],
                articles=row["articles"],
                with_gold=row["with_gold"],
                known_label=known.label if known else None,
                known_origin=known.origin if known else None,
            )
        )
    return recurring


@transaction.atomic
def apply_to_occurrences(
    *, project: Project, source: str, text_hash: str, label: Label, reviewer: AbstractBaseUser
) -> int:
    """Make ``label`` the gold label (source site_memory) of every occurrence without one.

    Gold labels that already exist (adjudicated or applied before) are left alone. The
    occurrences' suggestions become the label too, so annotators see it. Returns how many
    gold labels were created.
    """
    occurrences = Paragraph.objects.filter(
        article__project=project, article__source=source, text_hash=text_hash
    )
    missing = list(occurrences.filter(gold__isnull=True).values_list("pk", flat=True))
    GoldLabel.objects.bulk_create(
        [
            GoldLabel(
                paragraph_id=paragraph_id,
                label=label,
                source=GoldLabel.Source.SITE_MEMORY,
                decided_by=reviewer,
                note="applied to every occurrence of a recurring paragraph",
            )
            for paragraph_id in missing
        ],
        ignore_conflicts=True,  # a concurrent adjudication of one occurrence keeps its label
    )
    occurrences.update(
        suggested_label=label.value,
        suggestion_confidence=CONFIDENCE[GOLD],
        suggestion_source=f"{SOURCE}:{GOLD}",
        suggestion_version=VERSION,
    )
    return GoldLabel.objects.filter(
        paragraph_id__in=missing, source=GoldLabel.Source.SITE_MEMORY, label=label
    ).count()
