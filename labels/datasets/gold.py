"""Gold labels: the one policy that turns a paragraph's annotations into its gold label.

``derive_gold`` is pure (no Django) so every rule and threshold tests in microseconds. The
export, the dataset card and docs/formats.md describe exactly this function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

ADJUDICATED = "adjudicated"
UNANIMOUS = "unanimous"
MAJORITY = "majority"
UNRESOLVED = "unresolved"
SOURCES = (ADJUDICATED, UNANIMOUS, MAJORITY, UNRESOLVED)
# A stored gold label wins like an adjudication; its gold_source says how a reviewer set it
# (GoldLabel.source -> gold_source): picked one by one, accepted a majority in bulk, applied
# a recurring paragraph's label to all its occurrences, or imported it.
STORED_SOURCES = {
    "adjudicated": ADJUDICATED,
    "majority": "accepted_majority",
    "site_memory": "site_memory",
    "imported": "imported",
}


class InvalidPolicy(ValueError):
    """A threshold outside its range; ``field`` names it, ``str()`` reads 'field reason'."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field} {reason}")


@dataclass(frozen=True)
class GoldPolicy:
    """The thresholds of the two derived rules (the adjudicated rule has none)."""

    min_annotations: int = 2
    min_agreement: float = 0.66

    def __post_init__(self) -> None:
        if isinstance(self.min_annotations, bool) or not isinstance(self.min_annotations, int):
            raise InvalidPolicy("min_annotations", "must be a whole number")
        if self.min_annotations < 1:
            raise InvalidPolicy("min_annotations", "must be at least 1")
        if not 0 < self.min_agreement <= 1:
            raise InvalidPolicy("min_agreement", "must be greater than 0 and at most 1")

    def describe(self) -> list[str]:
        """The rules in the order they apply, in words (for the dataset card)."""
        return [
            f"{ADJUDICATED}: a label a reviewer stored for the paragraph wins",
            f"{UNANIMOUS}: else every submitted annotation agrees and there are at least "
            f"{self.min_annotations}",
            f"{MAJORITY}: else, with at least {self.min_annotations} submitted annotations, "
            f"one label is strictly most frequent and its share is at least {self.min_agreement}",
            f"{UNRESOLVED}: else no gold label (label null)",
        ]


class GoldDecision(NamedTuple):
    """A tuple, not a dataclass: an export makes one per paragraph, a million at a time."""

    label: str | None  # None: unresolved
    source: str  # one of SOURCES: the rule that decided
    agreement: float | None  # share of annotations equal to the label; None without both


DEFAULT_POLICY = GoldPolicy()


def derive_gold(
    labels: Sequence[str],
    *,
    adjudicated: str | None = None,
    adjudicated_source: str = ADJUDICATED,
    policy: GoldPolicy = DEFAULT_POLICY,
) -> GoldDecision:
    """The gold label of one paragraph from its submitted annotations' labels.

    In order: an adjudicated (stored) label wins, reported as ``adjudicated_source``; else the label every annotator gave, when there are
    at least ``policy.min_annotations``; else, with as many annotations, a label strictly more
    frequent than every other whose share is at least ``policy.min_agreement``; else
    unresolved. Shares compare exactly as written (2/3 passes 0.66; 0.75 passes 0.75).
    """
    total = len(labels)
    if adjudicated is not None:
        agreement = labels.count(adjudicated) / total if total else None
        return GoldDecision(adjudicated, adjudicated_source, agreement)
    if total == 0 or total < policy.min_annotations:
        return GoldDecision(None, UNRESOLVED, None)
    first = labels[0]
    # Most paragraphs are unanimous: one C-level count, no counting dict.
    if labels.count(first) == total:
        return GoldDecision(first, UNANIMOUS, 1.0)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    ranked = sorted(counts.values(), reverse=True)
    top_count = ranked[0]
    top = next(label for label, count in counts.items() if count == top_count)
    share = top_count / total
    if ranked[1] < top_count and share >= policy.min_agreement:
        return GoldDecision(top, MAJORITY, share)
    return GoldDecision(None, UNRESOLVED, None)
