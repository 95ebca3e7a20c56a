"""Agreement between annotators. Pure: Python and NumPy only, no Django.

Everything starts from a count matrix, because the database aggregates first:
``counts[u, k]`` is how many annotators gave label ``k`` to paragraph ``u``. For nominal
labels every coefficient here is a function of those counts alone, which is what lets a
million annotations be summarised in a fraction of a second.

Coefficients come back as an ``Estimate``: a value, or ``None`` with a reason a reviewer
can read. Data edge cases (empty input, one annotator, no paragraph with two annotations,
one label used for everything) give ``None`` and a reason rather than an exception, and
no function returns NaN or infinity. Only malformed input (not a 2-D matrix of
non-negative integers, or labels that do not match its columns) raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntMatrix = NDArray[np.int64]

# Krippendorff (2004, §11.4): rely on data with alpha >= .800, draw only tentative
# conclusions from .667 <= alpha < .800, and do not rely on anything lower.
RELIABLE_ALPHA = 0.8
TENTATIVE_ALPHA = 0.667

AC1_NOTE = (
    "Gwet's AC1 is shown next to kappa and alpha because when one label dominates, as body "
    "does in news, kappa and alpha can be low even though annotators almost always agree "
    "(the kappa paradox), while AC1 stays close to the agreement actually observed."
)

NO_ANNOTATIONS = "no annotations yet"
NO_PAIRABLE_UNITS = (
    "no paragraph has labels from two or more annotators, so there is nothing to compare"
)
NO_VARIATION = (
    "no variation: every compared annotation has the same label, so expected disagreement "
    "is 0 and a chance-corrected coefficient is undefined"
)
TOO_FEW_LABELS = "AC1 needs a label set of at least two labels"
NO_SHARED_UNITS = "the two annotators have no labelled paragraph in common"
NO_VARIATION_PAIR = (
    "no variation: both annotators gave every shared paragraph the same single label, "
    "so kappa is undefined"
)
NO_VARIATION_RESAMPLES = "no variation in any bootstrap resample"
BOOTSTRAP_OFF = "bootstrap switched off (resamples must be at least 1 and level in (0, 1))"

# Bootstrap draws are made in chunks of about this many multinomial cells, so memory stays
# small even when there are many distinct count patterns.
_CELLS_PER_CHUNK = 2_000_000


@dataclass(frozen=True)
class Estimate:
    """A coefficient value, or None with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None


@dataclass(frozen=True)
class FleissEstimate(Estimate):
    """Fleiss' kappa plus which paragraphs it used: those with the most common rater count."""

    units_used: int = 0
    raters_per_unit: int | None = None


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``(low, high)``, or None with the reason it cannot be computed."""

    bounds: tuple[float, float] | None
    reason: str | None = None
    resamples_used: int = 0


@dataclass(frozen=True)
class LabelScore:
    """One label's precision and recall against gold (None when undefined), and gold support."""

    precision: float | None
    recall: float | None
    support: int


def as_counts(counts: ArrayLike) -> IntMatrix:
    """``counts`` as a 2-D int64 matrix; empty input that is not 2-D becomes 0 × 0."""
    array = np.asarray(counts)
    if array.size == 0:
        return np.zeros(array.shape if array.ndim == 2 else (0, 0), dtype=np.int64)
    if array.ndim != 2:
        raise ValueError(f"counts must be a 2-D units × labels matrix, got shape {array.shape}")
    whole = array.dtype.kind in "biu" or (
        array.dtype.kind == "f" and bool(np.all(np.isfinite(array) & (array == np.round(array))))
    )
    if not whole:
        raise ValueError("counts must be whole numbers")
    if np.any(array < 0):
        raise ValueError("counts must not be negative")
    return array.astype(np.int64, copy=False)


@dataclass(frozen=True)
class Patterns:
    """Distinct non-empty count vectors and how many paragraphs have each: ``counts`` compressed.

    Every coefficient here is a sum over paragraphs of a function of the paragraph's count
    vector, so paragraphs with the same vector contribute identically. A news corpus coded
    by two annotators with four labels has at most 10 distinct vectors however many
    paragraphs it has, which is why the maths below runs on patterns, not rows.
    """

    rows: IntMatrix
    weights: IntMatrix

    @property
    def sizes(self) -> IntMatrix:
        """How many labels each pattern's paragraphs have."""
        return self.rows.sum(axis=1)

    def where(self, keep: NDArray[np.bool_]) -> Patterns:
        """Only the patterns where ``keep`` is true."""
        return Patterns(self.rows[keep], self.weights[keep])

    def pairable(self) -> Patterns:
        """Only paragraphs with two or more labels, the only ones that can show agreement."""
        return self.where(self.sizes >= 2)


def distinct_rows(matrix: IntMatrix) -> tuple[IntMatrix, IntMatrix]:
    """The distinct rows of a non-negative int matrix, in a fixed order, and how often each occurs."""
    if matrix.shape[1] == 0:
        return matrix[:1], np.array([len(matrix)] if len(matrix) else [], dtype=np.int64)
    # Reading each row as one mixed-radix integer makes this a 1-D unique, far faster than
    # np.unique(axis=0); that generic path remains for radices whose product would overflow.
    radices = np.array([int(top) + 1 for top in matrix.max(axis=0, initial=0)], dtype=np.int64)
    if np.prod(radices.tolist(), dtype=object) < 2**62:
        places = np.cumprod(np.concatenate([[1], radices[:-1]]), dtype=np.int64)
        keys, frequency = np.unique(matrix @ places, return_counts=True)
        return (keys[:, None] // places) % radices, frequency
    patterns, frequency = np.unique(matrix, axis=0, return_counts=True)
    return patterns, frequency


def compress(counts: ArrayLike) -> Patterns:
    """``counts`` as distinct non-empty count vectors with their paragraph counts (same coefficients)."""
    rows, weights = distinct_rows(as_counts(counts))
    annotated = rows.any(axis=1)
    return Patterns(rows[annotated], weights[annotated])


def _alpha_from_totals(
    *, agreeing: ArrayLike, values: ArrayLike, label_totals: ArrayLike
) -> NDArray[np.float64]:
    """Vectorised nominal alpha from additive parts; NaN where there is no variation.

    ``agreeing`` is the coincidence matrix's trace, ``values`` its total n and ``label_totals``
    its margins n_c. With D_o = n - trace and D_e = (n² - Σ n_c²) / (n - 1),
    alpha = 1 - D_o / D_e. All three parts are sums over paragraphs, which is what lets the
    bootstrap and per-group alpha work on totals instead of rows.
    """
    agreeing = np.asarray(agreeing, dtype=np.float64)
    n = np.asarray(values, dtype=np.float64)
    margins = np.asarray(label_totals, dtype=np.float64)
    # Two labels with a non-zero margin is exactly the condition for D_e > 0; testing it on
    # the integer-valued margins avoids comparing a float difference with zero.
    varied = np.count_nonzero(margins, axis=-1) >= 2
    expected = np.where(varied, n * n - (margins * margins).sum(axis=-1), 1.0)
    alpha = 1.0 - (n - 1.0) * (n - agreeing) / expected
    return np.where(varied, np.minimum(alpha, 1.0), np.nan)


def _agreeing_values(rows: IntMatrix) -> NDArray[np.float64]:
    """Each pairable row's contribution to the coincidence matrix's trace, Σ_c n_c (n_c − 1) / (m − 1)."""
    return (rows * (rows - 1)).sum(axis=1) / (rows.sum(axis=1) - 1)


def _coincidence(patterns: Patterns) -> NDArray[np.float64]:
    pairable = patterns.pairable()
    rows = pairable.rows
    weighted = rows * (pairable.weights / (pairable.sizes - 1))[:, None]
    matrix = weighted.T @ rows
    # Written out rather than subtracted from Σ n_uc² / (m_u − 1) so the diagonal is exact.
    np.fill_diagonal(matrix, (weighted * (rows - 1)).sum(axis=0))
    return matrix


def coincidence_matrix(counts: ArrayLike) -> NDArray[np.float64]:
    """Krippendorff's labels × labels coincidence matrix o_ck; symmetric, summing to n pairable values.

    o_ck = Σ_u (n_uc · n_uk − [c = k] · n_uc) / (m_u − 1) over paragraphs with m_u ≥ 2 labels.
    """
    return _coincidence(compress(counts))


def _alpha(patterns: Patterns) -> Estimate:
    if len(patterns.rows) == 0:
        return Estimate(None, NO_ANNOTATIONS)
    if not (patterns.sizes >= 2).any():
        return Estimate(None, NO_PAIRABLE_UNITS)
    matrix = _coincidence(patterns)
    # The margins are sums of whole annotation counts; rounding removes float noise only.
    margins = np.rint(matrix.sum(axis=1))
    alpha = _alpha_from_totals(
        agreeing=np.trace(matrix), values=margins.sum(), label_totals=margins
    )
    if np.isnan(alpha):
        return Estimate(None, NO_VARIATION)
    return Estimate(float(alpha))


def krippendorff_alpha_nominal(counts: ArrayLike) -> Estimate:
    """Krippendorff's nominal alpha via the coincidence matrix; any coders per paragraph, missing allowed.

    Paragraphs with fewer than two labels are not pairable and are left out, as Krippendorff
    prescribes. None when nothing is pairable or the pairable labels show no variation.
    """
    return _alpha(compress(counts))


def alpha_by_group(
    counts: ArrayLike, *, groups: ArrayLike, weights: ArrayLike | None = None
) -> dict[Hashable, Estimate]:
    """Nominal alpha per group of rows in one pass; equals krippendorff_alpha_nominal(counts[groups == g]).

    ``groups`` holds one sortable key per row (a source name, an article id). ``weights``, when
    given, says how many identical paragraphs each row stands for (the database folds equal
    rows), so the result equals that of the rows repeated. For a single subset, calling
    ``krippendorff_alpha_nominal(counts[mask])`` directly is just as good.
    """
    counts = as_counts(counts)
    keys = np.asarray(groups)
    if keys.ndim != 1 or len(keys) != len(counts):
        raise ValueError(f"groups needs one key per row: {len(counts)} rows, {keys.shape} keys")
    repeats = (
        np.ones(len(counts), dtype=np.int64)
        if weights is None
        else as_counts(np.asarray(weights).reshape(-1, 1)).ravel()
    )
    if len(repeats) != len(counts):
        raise ValueError(
            f"weights needs one count per row: {len(counts)} rows, {len(repeats)} weights"
        )
    if len(keys) == 0:
        return {}
    names, index = np.unique(keys, return_inverse=True)
    totals = counts.sum(axis=1)
    pairable = totals >= 2
    agreeing_per_row = np.where(
        pairable, (counts * (counts - 1)).sum(axis=1) / np.maximum(totals - 1, 1), 0.0
    )
    size = len(names)
    agreeing = np.bincount(index, weights=repeats * agreeing_per_row, minlength=size)
    values = np.bincount(index, weights=repeats * np.where(pairable, totals, 0), minlength=size)
    annotated = np.bincount(index, weights=repeats * totals, minlength=size)
    label_totals = np.zeros((size, counts.shape[1]))
    for column in range(counts.shape[1]):
        label_totals[:, column] = np.bincount(
            index, weights=repeats * np.where(pairable, counts[:, column], 0), minlength=size
        )
    alphas = _alpha_from_totals(agreeing=agreeing, values=values, label_totals=label_totals)
    result: dict[Hashable, Estimate] = {}
    for name, alpha, n_values, n_annotations in zip(
        names.tolist(), alphas.tolist(), values.tolist(), annotated.tolist(), strict=True
    ):
        if n_annotations == 0:
            result[name] = Estimate(None, NO_ANNOTATIONS)
        elif n_values == 0:
            result[name] = Estimate(None, NO_PAIRABLE_UNITS)
        elif np.isnan(alpha):
            result[name] = Estimate(None, NO_VARIATION)
        else:
            result[name] = Estimate(alpha)
    return result


def _fleiss(patterns: Patterns) -> FleissEstimate:
    if len(patterns.rows) == 0:
        return FleissEstimate(None, NO_ANNOTATIONS)
    pairable = patterns.pairable()
    if len(pairable.rows) == 0:
        return FleissEstimate(None, NO_PAIRABLE_UNITS)
    paragraphs_per_size = np.bincount(pairable.sizes, weights=pairable.weights)
    raters = int(np.flatnonzero(paragraphs_per_size == paragraphs_per_size.max()).max())
    table = pairable.where(pairable.sizes == raters)
    units = int(table.weights.sum())
    label_totals = table.weights @ table.rows
    if np.count_nonzero(label_totals) < 2:
        return FleissEstimate(None, NO_VARIATION, units_used=units, raters_per_unit=raters)
    # kappa = (P̄ − P_e) / (1 − P_e) with P̄ = A / (N n (n−1)) and P_e = B / (N n)², rewritten
    # over Python ints so it is exact however many paragraphs there are.
    agreeing_pairs = int(table.weights @ (table.rows * (table.rows - 1)).sum(axis=1))
    squared_margins = sum(int(total) ** 2 for total in label_totals)
    ratings = units * raters
    numerator = agreeing_pairs * ratings - squared_margins * (raters - 1)
    denominator = (raters - 1) * (ratings * ratings - squared_margins)
    return FleissEstimate(numerator / denominator, units_used=units, raters_per_unit=raters)


def fleiss_kappa(counts: ArrayLike) -> FleissEstimate:
    """Fleiss' kappa over the paragraphs sharing the most common number (≥ 2) of annotators.

    Fleiss (1971) assumes every subject has the same number of raters, so the paragraphs
    with the most frequent count are used and reported (ties go to the larger count, which
    carries more information per paragraph).
    """
    return _fleiss(compress(counts))


def _percent_agreement(patterns: Patterns) -> Estimate:
    if len(patterns.rows) == 0:
        return Estimate(None, NO_ANNOTATIONS)
    pairable = patterns.pairable()
    if len(pairable.rows) == 0:
        return Estimate(None, NO_PAIRABLE_UNITS)
    sizes = pairable.sizes
    per_unit = (pairable.rows * (pairable.rows - 1)).sum(axis=1) / (sizes * (sizes - 1))
    return Estimate(float(pairable.weights @ per_unit / pairable.weights.sum()))


def percent_agreement(counts: ArrayLike) -> Estimate:
    """Share of agreeing annotator pairs per pairable paragraph, averaged over those paragraphs.

    This is Fleiss' P̄ and Gwet's p_a, so it is the observed agreement AC1 corrects.
    """
    return _percent_agreement(compress(counts))


def _gwet_ac1(patterns: Patterns) -> Estimate:
    if len(patterns.rows) == 0:
        return Estimate(None, NO_ANNOTATIONS)
    labels = patterns.rows.shape[1]
    if labels < 2:
        return Estimate(None, TOO_FEW_LABELS)
    observed = _percent_agreement(patterns)
    if observed.value is None:
        return observed
    shares = patterns.rows / patterns.sizes[:, None]
    propensity = patterns.weights @ shares / patterns.weights.sum()
    chance = float((propensity * (1.0 - propensity)).sum()) / (labels - 1)
    return Estimate(min((observed.value - chance) / (1.0 - chance), 1.0))


def gwet_ac1(counts: ArrayLike) -> Estimate:
    """Gwet's AC1 for any number of annotators per paragraph (Gwet 2014; irrCAC ``gwet`` on raw data).

    p_a averages agreement over paragraphs with ≥ 2 labels; the label propensities π_k
    average each paragraph's label shares over paragraphs with ≥ 1 label; and
    p_e = Σ π_k (1 − π_k) / (q − 1) with q the number of labels in the label set (the
    columns), so labels nobody used still count as choices. Always defined once two
    annotations share a paragraph and q ≥ 2, because p_e ≤ 1/q < 1.
    """
    return _gwet_ac1(compress(counts))


def one_vs_rest(counts: ArrayLike, column: int) -> IntMatrix:
    """Collapse counts to two columns, [this label, any other label], keeping every row."""
    counts = as_counts(counts)
    hits = counts[:, column] if counts.shape[1] else np.zeros(len(counts), dtype=np.int64)
    return np.column_stack([hits, counts.sum(axis=1) - hits])


def _one_vs_rest(patterns: Patterns, column: int) -> Patterns:
    return Patterns(one_vs_rest(patterns.rows, column), patterns.weights)


def _check_labels(counts: IntMatrix, labels: Sequence[str]) -> IntMatrix:
    """Counts with one column per label; empty input becomes 0 × len(labels)."""
    if counts.size == 0:
        return np.zeros((len(counts), len(labels)), dtype=np.int64)
    if counts.shape[1] != len(labels):
        raise ValueError(f"{len(labels)} labels given for {counts.shape[1]} count columns")
    return counts


def alpha_per_label(counts: ArrayLike, labels: Sequence[str]) -> dict[str, Estimate]:
    """Nominal alpha for each label against all the others (one-vs-rest), keyed by label."""
    patterns = compress(_check_labels(as_counts(counts), labels))
    return {label: _alpha(_one_vs_rest(patterns, column)) for column, label in enumerate(labels)}


def gwet_ac1_per_label(counts: ArrayLike, labels: Sequence[str]) -> dict[str, Estimate]:
    """Gwet's AC1 for each label against all the others (two categories), keyed by label."""
    patterns = compress(_check_labels(as_counts(counts), labels))
    return {label: _gwet_ac1(_one_vs_rest(patterns, column)) for column, label in enumerate(labels)}


def cohen_kappa(confusion: ArrayLike) -> Estimate:
    """Cohen's kappa from a two-annotator confusion matrix (rows: a's labels, columns: b's)."""
    table = as_counts(confusion)
    if table.shape[0] != table.shape[1]:
        raise ValueError(f"a confusion matrix must be square, got shape {table.shape}")
    shared = int(table.sum())
    if shared == 0:
        return Estimate(None, NO_SHARED_UNITS)
    agreeing = int(np.trace(table))
    chance = sum(int(r) * int(c) for r, c in zip(table.sum(axis=1), table.sum(axis=0), strict=True))
    # (p_o − p_e) / (1 − p_e) multiplied through by n², in exact integers.
    denominator = shared * shared - chance
    if denominator == 0:
        return Estimate(None, NO_VARIATION_PAIR)
    return Estimate((shared * agreeing - chance) / denominator)


def precision_recall(confusion_vs_gold: ArrayLike, labels: Sequence[str]) -> dict[str, LabelScore]:
    """Per-label precision, recall and gold support for one annotator (rows) against gold (columns)."""
    table = as_counts(confusion_vs_gold)
    if table.size == 0:
        table = np.zeros((len(labels), len(labels)), dtype=np.int64)
    if table.shape != (len(labels), len(labels)):
        raise ValueError(f"confusion shape {table.shape} does not match {len(labels)} labels")
    said = table.sum(axis=1)
    gold = table.sum(axis=0)
    scores = {}
    for column, label in enumerate(labels):
        hits = int(table[column, column])
        scores[label] = LabelScore(
            precision=hits / int(said[column]) if said[column] else None,
            recall=hits / int(gold[column]) if gold[column] else None,
            support=int(gold[column]),
        )
    return scores


def _bootstrap(patterns: Patterns, *, level: float, resamples: int, seed: int) -> Interval:
    point = _alpha(patterns)
    if point.value is None:
        return Interval(None, point.reason)
    if resamples < 1 or not 0.0 < level < 1.0:
        return Interval(None, BOOTSTRAP_OFF)
    pairable = patterns.pairable()
    agreeing = _agreeing_values(pairable.rows)
    shares = pairable.weights / pairable.weights.sum()
    paragraphs = int(pairable.weights.sum())
    rng = np.random.default_rng(seed)
    chunk = max(1, _CELLS_PER_CHUNK // len(shares))
    alphas = []
    for start in range(0, resamples, chunk):
        draws = rng.multinomial(paragraphs, shares, size=min(chunk, resamples - start))
        alphas.append(
            _alpha_from_totals(
                agreeing=draws @ agreeing,
                values=draws @ pairable.sizes,
                label_totals=draws @ pairable.rows,
            )
        )
    resampled = np.concatenate(alphas)
    resampled = resampled[~np.isnan(resampled)]
    if resampled.size == 0:
        return Interval(None, NO_VARIATION_RESAMPLES)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(resampled, [tail, 1.0 - tail])
    return Interval((float(low), float(high)), resamples_used=int(resampled.size))


def alpha_bootstrap_ci(
    counts: ArrayLike, *, level: float = 0.95, resamples: int = 1000, seed: int = 0
) -> Interval:
    """Percentile bootstrap interval for nominal alpha, resampling paragraphs; same seed, same interval.

    Method: the N pairable paragraphs (≥ 2 labels) are resampled with replacement,
    ``resamples`` times, and the ``(1 − level) / 2`` and ``(1 + level) / 2`` quantiles of the
    resampled alphas are the bounds. Paragraphs with the same count vector contribute
    identically to alpha, so rows are grouped into distinct patterns (``compress``) and each
    resample is drawn as one multinomial vector of pattern frequencies (N trials over the
    patterns' shares), which has exactly the distribution of N paragraph draws. Alpha is then
    computed from frequency-weighted pattern totals, so the cost depends on the number of
    patterns, not of paragraphs. Resamples without variation have no alpha and are dropped
    (``resamples_used`` says how many remain). Paragraphs with fewer than two labels add
    nothing to alpha and are not resampled.
    """
    return _bootstrap(compress(counts), level=level, resamples=resamples, seed=seed)


def interpret_alpha(value: float | None) -> str:
    """A plain-language reading of alpha on Krippendorff's scale (≥ 0.8 good, ≥ 0.667 tentative)."""
    if value is None:
        return "Not computable yet: see the reason given."
    if value >= RELIABLE_ALPHA:
        return "Good: agreement is high enough to rely on these labels."
    if value >= TENTATIVE_ALPHA:
        return "Tentative: good enough for tentative conclusions only; review the guidelines."
    return "Unreliable: annotators disagree too often to rely on these labels."


def summarize(
    counts: ArrayLike,
    labels: Sequence[str],
    *,
    annotators: int,
    pair_confusions: Mapping[tuple[str, str], ArrayLike] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """JSON-ready agreement report; every null is explained under "reasons", and no number is NaN/inf.

    ``pair_confusions`` maps (annotator a, annotator b) to their confusion matrix over the
    paragraphs both labelled; pairs are reported in the mapping's order. Per-source alpha
    is ``alpha_by_group`` (or ``krippendorff_alpha_nominal`` on a row subset), added by the
    caller.
    """
    counts = _check_labels(as_counts(counts), labels)
    # Compressed once: every coefficient below reads the distinct count vectors only.
    patterns = compress(counts)
    alpha = _alpha(patterns)
    interval = _bootstrap(patterns, level=0.95, resamples=resamples, seed=seed)
    fleiss = _fleiss(patterns)
    agreement = _percent_agreement(patterns)
    ac1 = _gwet_ac1(patterns)
    label_alpha = {
        label: _alpha(_one_vs_rest(patterns, column)) for column, label in enumerate(labels)
    }
    label_ac1 = {
        label: _gwet_ac1(_one_vs_rest(patterns, column)) for column, label in enumerate(labels)
    }
    label_counts = patterns.weights @ patterns.rows
    sizes = patterns.sizes

    pairs = []
    for (a, b), confusion in (pair_confusions or {}).items():
        kappa = cohen_kappa(confusion)
        pairs.append(
            {
                "a": a,
                "b": b,
                "n": int(as_counts(confusion).sum()),
                "kappa": kappa.value,
                "reason": kappa.reason,
            }
        )

    per_label = {}
    for column, label in enumerate(labels):
        estimates = {"alpha": label_alpha[label], "ac1": label_ac1[label]}
        per_label[label] = {
            "alpha": estimates["alpha"].value,
            "ac1": estimates["ac1"].value,
            "count": int(label_counts[column]),
            "reasons": {key: e.reason for key, e in estimates.items() if e.value is None},
        }

    top_level = {
        "krippendorff_alpha": alpha,
        "alpha_ci95": interval,
        "fleiss_kappa": fleiss,
        "percent_agreement": agreement,
        "gwet_ac1": ac1,
    }
    reasons = {
        key: estimate.reason
        for key, estimate in top_level.items()
        if (estimate.bounds if isinstance(estimate, Interval) else estimate.value) is None
    }
    return {
        "units": int(patterns.weights.sum()),
        "annotations": int(patterns.weights @ sizes),
        "annotators": int(annotators),
        "pairable_units": int(patterns.weights[sizes >= 2].sum()),
        "krippendorff_alpha": alpha.value,
        "alpha_reading": interpret_alpha(alpha.value),
        "alpha_ci95": list(interval.bounds) if interval.bounds is not None else None,
        "fleiss_kappa": fleiss.value,
        "fleiss_units": fleiss.units_used,
        "fleiss_raters_per_unit": fleiss.raters_per_unit,
        "percent_agreement": agreement.value,
        "gwet_ac1": ac1.value,
        "ac1_note": AC1_NOTE,
        "pairwise_cohen_kappa": pairs,
        "per_label": per_label,
        "coincidence": {
            "labels": list(labels),
            "matrix": _coincidence(patterns).tolist(),
        },
        "reasons": reasons,
    }
