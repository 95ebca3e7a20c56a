"""Gold labels: the pure policy that derives one from annotations, and the reviewer write path.

``derive_gold`` is pure (no Django) so every rule and threshold tests in microseconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GoldDecision:
    label: str | None  # None: unresolved
    source: str  # adjudicated | unanimous | majority | unresolved
    agreement: float | None  # share of annotations equal to the label


def derive_gold(
    labels: Sequence[str],
    *,
    adjudicated: str | None = None,
    min_annotations: int = 1,
    min_agreement: float | None = None,
) -> GoldDecision:
    """Apply the gold policy to one paragraph's annotation labels.

    In order: an adjudicated label wins; else the label every annotator gave, when there are
    at least ``min_annotations``; else (only when ``min_agreement`` is given) a strict
    plurality whose share is at least ``min_agreement``, again with at least
    ``min_annotations``; else unresolved.
    """
    counts = Counter(labels)
    total = len(labels)

    def share(label: str) -> float | None:
        return counts[label] / total if total else None

    if adjudicated is not None:
        return GoldDecision(adjudicated, "adjudicated", share(adjudicated))
    if total == 0 or total < min_annotations:
        return GoldDecision(None, "unresolved", None)
    ranked = counts.most_common()
    top, top_count = ranked[0]
    if len(ranked) == 1:
        return GoldDecision(top, "unanimous", 1.0)
    tied = len(ranked) > 1 and ranked[1][1] == top_count
    if min_agreement is not None and not tied and top_count / total >= min_agreement:
        return GoldDecision(top, "majority", top_count / total)
    return GoldDecision(None, "unresolved", None)
