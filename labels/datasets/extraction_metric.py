"""The article-extraction benchmark's metric, so our figures compare with published ones. Pure.

The public article-extraction benchmark (scrapinghub/article-extraction-benchmark, its
``evaluate.py``) scores an extractor's article body against the reference body like this, and
so do we, step for step:

1. Tokens are the case-sensitive ``\\w+`` runs of the text; shingles are the overlapping runs
   of four tokens (a text of fewer than four tokens is one shorter shingle; no token, no
   shingle).
2. Per article, shingles present in both (counted with multiplicity) are matched, those only
   in the prediction extra, those only in the reference missed; the three counts are divided
   by their sum, so a long article weighs no more than a short one.
3. Per article precision = matched / (matched + extra) and recall = matched / (matched +
   missed), both 1 when nothing is extra or missed (two empty texts agree) and 0 when nothing
   matched; precision skips articles with no shingle predicted, recall those with none in
   the reference.
4. Precision and recall are the means of the per-article figures; F1 is computed from those
   two means (not the mean of per-article F1s).
5. Standard deviations come from a bootstrap over articles (1,000 resamples by default),
   with a fixed seed here so two runs print the same figures (upstream leaves it unseeded).
6. Accuracy is the share of articles whose token sequence equals the reference's exactly.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

SHINGLE = 4
BOOTSTRAP = 1000
BOOTSTRAP_SEED = 0
# re.IGNORECASE is irrelevant to \w (upstream passes it); the tokens keep their case.
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Matching:
    """One article's shingle counts, normalised to sum to 1 (all 0 when both have none)."""

    matched: float
    extra: float
    missed: float

    @property
    def precision(self) -> float:
        if self.extra == self.missed == 0:
            return 1.0
        if self.matched == self.extra == 0:
            return 0.0
        return self.matched / (self.matched + self.extra)

    @property
    def recall(self) -> float:
        if self.extra == self.missed == 0:
            return 1.0
        if self.matched == self.missed == 0:
            return 0.0
        return self.matched / (self.matched + self.missed)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    accuracy: float
    precision_std: float
    recall_std: float
    f1_std: float
    accuracy_std: float
    articles: int


def tokens(text: str) -> list[str]:
    """The case-sensitive ``\\w+`` tokens of the text."""
    return _TOKEN.findall(text or "")


def shingles(text: str, *, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Overlapping n-token shingles with their counts; one short shingle for a short text."""
    words = tokens(text)
    found: Counter[tuple[str, ...]] = Counter()
    for start in range(max(1, len(words) - n + 1)):
        shingle = tuple(words[start : start + n])
        if shingle:
            found[shingle] += 1
    return found


def match(*, reference: str, predicted: str) -> Matching:
    """Matched, extra and missed shingles of one article, normalised to sum to 1."""
    truth, guess = shingles(reference), shingles(predicted)
    matched = extra = missed = 0
    for shingle in truth.keys() | guess.keys():
        want, got = truth.get(shingle, 0), guess.get(shingle, 0)
        matched += min(want, got)
        extra += max(0, got - want)
        missed += max(0, want - got)
    total = matched + extra + missed
    if not total:
        return Matching(0.0, 0.0, 0.0)
    return Matching(matched / total, extra / total, missed / total)


def exact(*, reference: str, predicted: str) -> bool:
    """Whether the two texts have the same token sequence."""
    return tokens(reference) == tokens(predicted)


def summarise(matchings: Sequence[Matching]) -> tuple[float, float, float]:
    """(precision, recall, F1): means of the per-article figures, F1 from the two means."""
    precisions = [m.precision for m in matchings if m.matched + m.extra > 0]
    recalls = [m.recall for m in matchings if m.matched + m.missed > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(
    pairs: Sequence[tuple[str, str]], *, bootstrap: int = BOOTSTRAP, seed: int = BOOTSTRAP_SEED
) -> Score:
    """The benchmark's figures for (reference, predicted) article bodies; needs one pair."""
    if not pairs:
        raise ValueError("no article to score")
    matchings = [match(reference=ref, predicted=pred) for ref, pred in pairs]
    exacts = [float(exact(reference=ref, predicted=pred)) for ref, pred in pairs]
    precision, recall, f1 = summarise(matchings)
    draws: dict[str, list[float]] = {"precision": [], "recall": [], "f1": [], "accuracy": []}
    rng = random.Random(seed)
    count = len(pairs)
    for _ in range(bootstrap):
        picked = [rng.randint(0, count - 1) for _ in range(count)]
        p, r, f = summarise([matchings[i] for i in picked])
        draws["precision"].append(p)
        draws["recall"].append(r)
        draws["f1"].append(f)
        draws["accuracy"].append(statistics.fmean(exacts[i] for i in picked))

    def spread(values: list[float]) -> float:
        return statistics.stdev(values) if len(values) > 1 else 0.0

    return Score(
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=statistics.fmean(exacts),
        precision_std=spread(draws["precision"]),
        recall_std=spread(draws["recall"]),
        f1_std=spread(draws["f1"]),
        accuracy_std=spread(draws["accuracy"]),
        articles=count,
    )
