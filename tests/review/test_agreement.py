"""Agreement maths: published worked examples, reference implementations, edge cases. Pure, no DB."""

import itertools
import json
import warnings
from collections import Counter

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa

from labels.review import agreement
from labels.review.agreement import (
    Estimate,
    alpha_bootstrap_ci,
    alpha_by_group,
    alpha_per_label,
    cohen_kappa,
    coincidence_matrix,
    distinct_rows,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac1_per_label,
    interpret_alpha,
    krippendorff_alpha_nominal,
    one_vs_rest,
    percent_agreement,
    precision_recall,
    summarize,
)

# Derandomized and without an example database, so every run checks the same cases and the
# suite leaves nothing behind in the work tree.
checked = settings(max_examples=150, derandomize=True, deadline=None, database=None)

LABELS = ["body", "boilerplate", "quote", "caption"]


# --- helpers: raw ratings (coders × units, None = missing) and what follows from them -------


def counts_from_ratings(ratings: list[list[int | None]], labels: int) -> np.ndarray:
    units = len(ratings[0]) if ratings else 0
    counts = np.zeros((units, labels), dtype=np.int64)
    for coder in ratings:
        for unit, value in enumerate(coder):
            if value is not None:
                counts[unit, value] += 1
    return counts


def values_per_unit(ratings: list[list[int | None]]) -> list[list[int]]:
    return [[v for v in unit if v is not None] for unit in zip(*ratings, strict=True)]


def coincidences_by_enumerating_pairs(ratings, labels: int) -> np.ndarray:
    """Krippendorff's definition read literally: every ordered pair of values from different
    coders in a unit, weighted 1 / (m_u - 1)."""
    matrix = np.zeros((labels, labels))
    for values in values_per_unit(ratings):
        for i, j in itertools.permutations(range(len(values)), 2):
            matrix[values[i], values[j]] += 1 / (len(values) - 1)
    return matrix


def pairwise_agreement_by_enumerating_pairs(ratings) -> float | None:
    shares = []
    for values in values_per_unit(ratings):
        pairs = list(itertools.combinations(values, 2))
        if pairs:
            shares.append(sum(a == b for a, b in pairs) / len(pairs))
    return sum(shares) / len(shares) if shares else None


def gwet_ac1_from_the_formula(ratings, labels: int) -> float | None:
    """Gwet (2014), AC1 for r raters with missing ratings, written out independently:
    p_a over units with >= 2 ratings, pi_k over units with >= 1 rating,
    p_e = sum_k pi_k (1 - pi_k) / (q - 1)."""
    units = values_per_unit(ratings)
    rated = [u for u in units if u]
    pairable = [u for u in units if len(u) >= 2]
    if not pairable or labels < 2:
        return None
    p_a = sum(
        sum(c * (c - 1) for c in Counter(u).values()) / (len(u) * (len(u) - 1)) for u in pairable
    ) / len(pairable)
    pi = [sum(u.count(k) / len(u) for u in rated) / len(rated) for k in range(labels)]
    p_e = sum(p * (1 - p) for p in pi) / (labels - 1)
    return (p_a - p_e) / (1 - p_e)


def reference_alpha(ratings, labels: int) -> float | None:
    data = np.array([[np.nan if v is None else v for v in coder] for coder in ratings], float)
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = krippendorff.alpha(
                reliability_data=data,
                level_of_measurement="nominal",
                value_domain=list(range(labels)),
            )
    except ValueError:  # "There has to be at least one unit with values assigned by ..."
        return None
    return None if np.isnan(value) else float(value)


def confusion_of(first: list[int], second: list[int], labels: int) -> np.ndarray:
    table = np.zeros((labels, labels), dtype=np.int64)
    np.add.at(table, (first, second), 1)
    return table


def two_annotator_counts(*, units: int, agree: float, seed: int) -> np.ndarray:
    """Two annotators on news paragraphs: body dominates, as it does in real articles."""
    rng = np.random.default_rng(seed)
    prevalence = [0.8, 0.1, 0.07, 0.03]
    first = rng.choice(4, size=units, p=prevalence)
    second = np.where(rng.random(units) < agree, first, rng.choice(4, size=units, p=prevalence))
    counts = np.zeros((units, 4), dtype=np.int64)
    np.add.at(counts, (np.arange(units), first), 1)
    np.add.at(counts, (np.arange(units), second), 1)
    return counts


@st.composite
def reliability_data(draw, *, min_labels: int = 2, max_labels: int = 4):
    labels = draw(st.integers(min_labels, max_labels))
    coders = draw(st.integers(1, 5))
    units = draw(st.integers(1, 20))
    value = st.one_of(st.none(), st.integers(0, labels - 1))
    row = st.lists(value, min_size=units, max_size=units)
    ratings = draw(st.lists(row, min_size=coders, max_size=coders))
    return ratings, labels


@st.composite
def paired_labels(draw):
    """A label set size and (first, second) label pairs, e.g. two annotators on shared paragraphs."""
    labels = draw(st.integers(1, 4))
    label = st.integers(0, labels - 1)
    return labels, draw(st.lists(st.tuples(label, label), min_size=1, max_size=40))


@st.composite
def count_matrices(draw, *, min_labels: int = 1, max_labels: int = 4, max_count: int = 4):
    labels = draw(st.integers(min_labels, max_labels))
    row = st.lists(st.integers(0, max_count), min_size=labels, max_size=labels)
    rows = draw(st.lists(row, min_size=0, max_size=25))
    return np.array(rows, dtype=np.int64).reshape(len(rows), labels)


# --- published worked examples ---------------------------------------------------------------

# Krippendorff, K. (2011) "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, Departmental Papers 43, section C "Nominal data, any number of observers,
# missing data": 4 observers, 12 units, values 1-5; alpha = 0.743. The same table is Gwet
# (2014) Handbook of Inter-Rater Reliability, 4th ed., p. 120 (irrCAC's ``cac.raw4raters``).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
KRIPPENDORFF_2011_COUNTS = counts_from_ratings(
    [[None if v is None else v - 1 for v in coder] for coder in KRIPPENDORFF_2011], 5
)


def test_krippendorff_2011_nominal_example_with_missing_data_gives_alpha_0_743():
    alpha = krippendorff_alpha_nominal(KRIPPENDORFF_2011_COUNTS)

    assert alpha.value == pytest.approx(0.743, abs=5e-4)
    assert alpha.reason is None


def test_krippendorff_2011_coincidence_matrix_matches_the_paper():
    # The paper's coincidence matrix, in thirds: e.g. o_11 = 7, o_12 = 4/3; margins
    # n_c = 9, 13, 10, 5, 3 and n = 40 pairable values (unit 12 has one value and is dropped).
    in_thirds = [
        [21, 4, 1, 1, 0],
        [4, 30, 4, 1, 0],
        [1, 4, 24, 1, 0],
        [1, 1, 1, 12, 0],
        [0, 0, 0, 0, 9],
    ]

    matrix = coincidence_matrix(KRIPPENDORFF_2011_COUNTS)

    assert matrix * 3 == pytest.approx(np.array(in_thirds, float))
    assert matrix.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert matrix.sum() == pytest.approx(40)


def test_gwet_handbook_four_raters_with_missing_data_gives_ac1_0_7754():
    # Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed., p. 120 data; AC1 = 0.77544,
    # p_a = 0.81818, p_e = 0.19032 as in irrCAC's documented example (``CAC(raw_4raters()).gwet()``).
    assert gwet_ac1(KRIPPENDORFF_2011_COUNTS).value == pytest.approx(0.77544, abs=5e-6)
    assert percent_agreement(KRIPPENDORFF_2011_COUNTS).value == pytest.approx(0.81818, abs=5e-6)


# Fleiss, J. L. (1971) "Measuring nominal scale agreement among many raters", Psychological
# Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists, 5 diagnoses; kappa = .430.
# Raw form as shipped with R's irr package (``diagnoses``) and statsmodels' tests.
FLEISS_1971_DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip


def test_fleiss_1971_psychiatric_diagnoses_give_kappa_0_430():
    counts = np.array([[row.count(k) for k in range(1, 6)] for row in FLEISS_1971_DIAGNOSES])

    kappa = fleiss_kappa(counts)

    assert kappa.value == pytest.approx(0.4302445, abs=5e-7)  # R irr::kappam.fleiss
    assert (kappa.units_used, kappa.raters_per_unit) == (30, 6)


def test_wikipedia_fleiss_kappa_worked_example_gives_0_210():
    # Wikipedia, "Fleiss' kappa", Worked example: 10 subjects, 14 raters, 5 categories;
    # P-bar = 0.378, P_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]

    assert fleiss_kappa(table).value == pytest.approx(0.210, abs=5e-4)
    assert percent_agreement(table).value == pytest.approx(0.378, abs=5e-4)


def test_wikipedia_cohen_kappa_grant_proposals_example_gives_0_4():
    # Wikipedia, "Cohen's kappa", Simple example: 50 proposals, yes/yes 20, yes/no 5,
    # no/yes 10, no/no 15; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    assert cohen_kappa([[20, 5], [10, 15]]).value == pytest.approx(0.4)


def test_wikipedia_same_agreement_different_prevalence_gives_different_kappa():
    # Wikipedia, "Cohen's kappa", Same percentages but different numbers: both tables have
    # 60 % agreement, yet kappa is 0.1304 and 0.2593 (the prevalence effect AC1 is shown for).
    assert cohen_kappa([[45, 15], [25, 15]]).value == pytest.approx(0.1304, abs=5e-5)
    assert cohen_kappa([[25, 35], [5, 35]]).value == pytest.approx(0.2593, abs=5e-5)


# Gwet (2014) Handbook, 4th ed.: 100 pregnancies classified by two abstractors (irrCAC's
# ``cont3x3abstractors``). The irrCAC R vignette prints Cohen's kappa 0.7964094; irrCAC's
# own tests give AC1 0.849 (0.8493305 from irrCAC 0.4.4, run outside this project).
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_gwet_handbook_abstractors_give_cohen_kappa_0_7964():
    assert cohen_kappa(ABSTRACTORS).value == pytest.approx(0.7964094, abs=5e-8)


def test_gwet_handbook_abstractors_give_ac1_0_8493_from_per_paragraph_counts():
    rows = [
        np.bincount([a, b], minlength=3)
        for a, b in itertools.product(range(3), repeat=2)
        for _ in range(ABSTRACTORS[a][b])
    ]

    assert gwet_ac1(np.array(rows)).value == pytest.approx(0.8493305, abs=5e-7)


# --- cross-checks against reference implementations ------------------------------------------


@checked
@given(reliability_data())
def test_alpha_matches_the_krippendorff_package(data):
    ratings, labels = data

    ours = krippendorff_alpha_nominal(counts_from_ratings(ratings, labels))

    expected = reference_alpha(ratings, labels)
    if expected is None:
        assert ours.value is None and ours.reason
    else:
        assert ours.value == pytest.approx(expected, abs=1e-9)


@checked
@given(reliability_data())
def test_coincidence_matrix_equals_enumerating_coder_pairs(data):
    ratings, labels = data

    matrix = coincidence_matrix(counts_from_ratings(ratings, labels))

    assert matrix == pytest.approx(coincidences_by_enumerating_pairs(ratings, labels))
    assert np.array_equal(matrix, matrix.T)


@checked
@given(reliability_data())
def test_percent_agreement_equals_enumerating_coder_pairs(data):
    ratings, labels = data

    ours = percent_agreement(counts_from_ratings(ratings, labels)).value

    expected = pairwise_agreement_by_enumerating_pairs(ratings)
    assert ours == (None if expected is None else pytest.approx(expected))


@checked
@given(reliability_data())
def test_gwet_ac1_matches_an_independent_reading_of_gwets_formula(data):
    ratings, labels = data

    ours = gwet_ac1(counts_from_ratings(ratings, labels))

    expected = gwet_ac1_from_the_formula(ratings, labels)
    if expected is None:
        assert ours.value is None and ours.reason
    else:
        assert ours.value == pytest.approx(expected, abs=1e-9)


@checked
@given(reliability_data(min_labels=3))
def test_per_label_alpha_and_ac1_equal_the_references_on_binarised_ratings(data):
    ratings, labels = data
    names = [f"label{k}" for k in range(labels)]
    counts = counts_from_ratings(ratings, labels)

    alphas = alpha_per_label(counts, names)
    ac1s = gwet_ac1_per_label(counts, names)

    for k, name in enumerate(names):
        binary = [[None if v is None else int(v != k) for v in coder] for coder in ratings]
        expected = reference_alpha(binary, 2)
        if expected is None:
            assert alphas[name].value is None and alphas[name].reason
        else:
            assert alphas[name].value == pytest.approx(expected, abs=1e-9)
        assert ac1s[name].value == pytest.approx(gwet_ac1_from_the_formula(binary, 2), abs=1e-9)


@checked
@given(count_matrices(min_labels=2))
def test_fleiss_kappa_matches_statsmodels_on_the_units_with_the_modal_rater_count(counts):
    totals = counts.sum(axis=1)
    sizes = Counter(int(t) for t in totals if t >= 2)

    ours = fleiss_kappa(counts)

    if not sizes:
        assert ours.value is None and ours.units_used == 0 and ours.reason
        return
    most = max(sizes.values())
    raters = max(size for size, seen in sizes.items() if seen == most)
    table = counts[totals == raters]
    assert (ours.units_used, ours.raters_per_unit) == (most, raters)
    if np.count_nonzero(table.sum(axis=0)) < 2:
        assert ours.value is None and ours.reason.startswith("no variation")
    else:
        assert ours.value == pytest.approx(statsmodels_fleiss_kappa(table), abs=1e-9)


@checked
@given(paired_labels())
def test_cohen_kappa_matches_sklearn(data):
    labels, pairs = data
    first, second = (list(column) for column in zip(*pairs, strict=True))

    ours = cohen_kappa(confusion_of(first, second, labels))

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(first, second, labels=list(range(labels)))
    if np.isnan(expected):
        assert ours.value is None and ours.reason.startswith("no variation")
    else:
        assert ours.value == pytest.approx(expected, abs=1e-9)


@checked
@given(paired_labels())
def test_precision_and_recall_match_sklearn_with_none_where_undefined(data):
    labels, pairs = data
    said, gold = (list(column) for column in zip(*pairs, strict=True))
    names = [f"label{k}" for k in range(labels)]

    scores = precision_recall(confusion_of(said, gold, labels), names)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, _, support = precision_recall_fscore_support(
            gold, said, labels=list(range(labels)), average=None, zero_division=np.nan
        )
    for k, name in enumerate(names):
        assert scores[name].precision == (
            None if np.isnan(precision[k]) else pytest.approx(precision[k])
        )
        assert scores[name].recall == (None if np.isnan(recall[k]) else pytest.approx(recall[k]))
        assert scores[name].support == support[k]


@checked
@given(count_matrices(), st.data())
def test_alpha_by_group_equals_alpha_on_each_row_subset(counts, data):
    groups = np.array(
        data.draw(st.lists(st.sampled_from("abc"), min_size=len(counts), max_size=len(counts)))
    )

    by_group = alpha_by_group(counts, groups=groups)

    assert set(by_group) == set(groups.tolist())
    for name, estimate in by_group.items():
        direct = krippendorff_alpha_nominal(counts[groups == name])
        assert estimate.reason == direct.reason
        assert estimate.value == (None if direct.value is None else pytest.approx(direct.value))


@checked
@given(count_matrices(max_labels=4), st.data())
def test_weighted_alpha_by_group_equals_the_rows_repeated(counts, data):
    weights = np.array(
        data.draw(st.lists(st.integers(0, 4), min_size=len(counts), max_size=len(counts))),
        dtype=np.int64,
    )
    groups = np.array(
        data.draw(st.lists(st.sampled_from("ab"), min_size=len(counts), max_size=len(counts)))
    )

    weighted = alpha_by_group(counts, groups=groups, weights=weights)
    repeated = alpha_by_group(np.repeat(counts, weights, axis=0), groups=np.repeat(groups, weights))

    for name, estimate in repeated.items():
        assert weighted[name].reason == estimate.reason
        assert weighted[name].value == (
            None if estimate.value is None else pytest.approx(estimate.value)
        )


def test_alpha_by_group_rejects_weights_that_do_not_match_the_rows():
    with pytest.raises(ValueError, match="one count per row"):
        alpha_by_group([[1, 1], [2, 0]], groups=["a", "b"], weights=[1])
    with pytest.raises(ValueError, match="negative"):
        alpha_by_group([[1, 1]], groups=["a"], weights=[-1])


@checked
@given(count_matrices(max_labels=6, max_count=3))
def test_distinct_rows_agree_with_numpy_unique(counts):
    patterns, frequency = distinct_rows(counts)

    expected, expected_frequency = np.unique(counts, axis=0, return_counts=True)
    order = np.lexsort(patterns.T[::-1]) if len(patterns) else []
    assert np.array_equal(patterns[order], expected.reshape(patterns.shape))
    assert np.array_equal(frequency[order], expected_frequency)
    assert frequency.sum() == len(counts)


def test_distinct_rows_fall_back_to_numpy_unique_when_row_keys_would_overflow():
    counts = np.array([[2**40, 2**30, 1], [2**40, 2**30, 1], [0, 0, 0]], dtype=np.int64)

    patterns, frequency = distinct_rows(counts)

    assert patterns.tolist() == [[0, 0, 0], [2**40, 2**30, 1]]
    assert frequency.tolist() == [1, 2]


@checked
@given(count_matrices())
def test_summary_is_strict_json_and_explains_every_null(counts):
    labels = [f"label{k}" for k in range(counts.shape[1])]

    summary = summarize(
        counts,
        labels,
        annotators=3,
        pair_confusions={("ann", "bob"): counts[:, :1].T @ counts[:, :1] if len(counts) else []},
        resamples=50,
    )

    json.dumps(summary, allow_nan=False)
    for key in (
        "krippendorff_alpha",
        "alpha_ci95",
        "fleiss_kappa",
        "percent_agreement",
        "gwet_ac1",
    ):
        assert (summary[key] is None) == (key in summary["reasons"])
    for label, scores in summary["per_label"].items():
        for key in ("alpha", "ac1"):
            assert (scores[key] is None) == (key in scores["reasons"]), label
    for pair in summary["pairwise_cohen_kappa"]:
        assert (pair["kappa"] is None) == (pair["reason"] is not None)


# --- edge cases ------------------------------------------------------------------------------

EMPTY_INPUTS = [
    [],
    np.zeros((0,), int),
    np.zeros((0, 0), int),
    np.zeros((0, 4), int),
    np.zeros((3, 0), int),
    np.zeros((5, 4), int),
]


@pytest.mark.parametrize("counts", EMPTY_INPUTS, ids=["list", "1d", "0x0", "0x4", "3x0", "zeros"])
def test_empty_input_gives_none_with_a_reason_from_every_coefficient(counts):
    for estimate in (
        krippendorff_alpha_nominal(counts),
        fleiss_kappa(counts),
        percent_agreement(counts),
        gwet_ac1(counts),
    ):
        assert estimate.value is None
        assert estimate.reason == agreement.NO_ANNOTATIONS
    assert alpha_bootstrap_ci(counts).bounds is None
    assert alpha_by_group(counts, groups=["x"] * len(np.asarray(counts))) in (
        {},
        {"x": Estimate(None, agreement.NO_ANNOTATIONS)},
    )


@pytest.mark.parametrize("counts", EMPTY_INPUTS, ids=["list", "1d", "0x0", "0x4", "3x0", "zeros"])
def test_summary_of_empty_input_has_zero_units_and_only_explained_nulls(counts):
    summary = summarize(counts, LABELS, annotators=0)

    assert (summary["units"], summary["annotations"], summary["fleiss_units"]) == (0, 0, 0)
    assert summary["krippendorff_alpha"] is None
    assert summary["alpha_ci95"] is None
    assert summary["coincidence"]["matrix"] == [[0.0] * 4] * 4
    assert set(summary["reasons"]) == {
        "krippendorff_alpha",
        "alpha_ci95",
        "fleiss_kappa",
        "percent_agreement",
        "gwet_ac1",
    }


def test_a_single_annotator_has_nothing_pairable():
    counts = np.eye(4, dtype=int)[[0, 0, 1, 2, 3]]

    for estimate in (
        krippendorff_alpha_nominal(counts),
        percent_agreement(counts),
        gwet_ac1(counts),
        fleiss_kappa(counts),
    ):
        assert estimate.value is None
        assert estimate.reason == agreement.NO_PAIRABLE_UNITS
    assert alpha_bootstrap_ci(counts).reason == agreement.NO_PAIRABLE_UNITS
    assert not coincidence_matrix(counts).any()


def test_one_label_for_everything_leaves_alpha_undefined_but_ac1_perfect():
    counts = np.array([[2, 0, 0, 0]] * 50 + [[1, 0, 0, 0]] * 3)

    alpha = krippendorff_alpha_nominal(counts)

    assert alpha.value is None
    assert alpha.reason.startswith("no variation")
    assert fleiss_kappa(counts).reason.startswith("no variation")
    assert alpha_bootstrap_ci(counts).reason.startswith("no variation")
    assert percent_agreement(counts).value == 1.0
    assert gwet_ac1(counts).value == 1.0


def test_a_label_set_of_one_label_cannot_give_ac1():
    estimate = gwet_ac1([[2], [3]])

    assert estimate.value is None
    assert estimate.reason == agreement.TOO_FEW_LABELS


def test_paragraphs_with_one_annotation_do_not_change_alpha():
    counts = two_annotator_counts(units=300, agree=0.8, seed=3)
    singles = np.eye(4, dtype=np.int64)[[0, 1, 2, 3, 3, 3]]

    with_singles = krippendorff_alpha_nominal(np.vstack([counts, singles]))

    assert with_singles.value == pytest.approx(krippendorff_alpha_nominal(counts).value)


def test_cohen_kappa_edge_cases_give_reasons():
    assert cohen_kappa([[0, 0], [0, 0]]).reason == agreement.NO_SHARED_UNITS
    assert cohen_kappa(np.zeros((0, 0), int)).reason == agreement.NO_SHARED_UNITS
    assert cohen_kappa([[7, 0], [0, 0]]).reason == agreement.NO_VARIATION_PAIR
    assert cohen_kappa([[0, 7], [0, 0]]).value == 0.0  # one said "a", the other "b": no agreement


def test_precision_recall_is_none_where_no_paragraph_was_predicted_or_gold():
    scores = precision_recall([[3, 1, 0], [0, 0, 0], [0, 2, 0]], ["body", "quote", "caption"])

    assert scores["body"] == agreement.LabelScore(precision=0.75, recall=1.0, support=3)
    assert scores["quote"] == agreement.LabelScore(precision=None, recall=0.0, support=3)
    assert scores["caption"] == agreement.LabelScore(precision=0.0, recall=None, support=0)


def test_malformed_input_is_a_programming_error_and_raises():
    with pytest.raises(ValueError, match="negative"):
        krippendorff_alpha_nominal([[2, -1]])
    with pytest.raises(ValueError, match="2-D"):
        krippendorff_alpha_nominal(np.ones((2, 2, 2), int))
    with pytest.raises(ValueError, match="whole numbers"):
        krippendorff_alpha_nominal([[0.5, 1.5]])
    with pytest.raises(ValueError, match="3 labels given for 4 count columns"):
        summarize(np.ones((2, 4), int), ["body", "quote", "caption"], annotators=2)


def test_one_vs_rest_keeps_each_paragraphs_total():
    counts = np.array([[2, 1, 0], [0, 0, 3], [0, 0, 0]])

    assert one_vs_rest(counts, 0).tolist() == [[2, 1], [0, 3], [0, 0]]
    assert one_vs_rest(counts, 2).tolist() == [[0, 3], [3, 0], [0, 0]]


@pytest.mark.parametrize(
    ("value", "reading"),
    [(0.95, "Good"), (0.8, "Good"), (0.7999, "Tentative"), (0.667, "Tentative"), (0.6, "Unreliable"), (-0.2, "Unreliable"), (None, "Not computable")],
)  # fmt: skip
def test_interpret_alpha_uses_krippendorffs_thresholds(value, reading):
    assert interpret_alpha(value).startswith(reading)


# --- bootstrap -------------------------------------------------------------------------------


def test_bootstrap_with_the_same_seed_gives_the_same_interval():
    counts = two_annotator_counts(units=2_000, agree=0.85, seed=1)

    first = alpha_bootstrap_ci(counts, seed=42)
    second = alpha_bootstrap_ci(counts, seed=42)

    assert first == second
    assert first.resamples_used == 1000
    assert alpha_bootstrap_ci(counts, seed=43).bounds != first.bounds


def test_bootstrap_interval_contains_alpha_on_a_realistic_sample():
    counts = two_annotator_counts(units=2_000, agree=0.85, seed=2)

    low, high = alpha_bootstrap_ci(counts, level=0.95).bounds

    assert low < krippendorff_alpha_nominal(counts).value < high
    assert high - low < 0.2


def test_pattern_bootstrap_matches_resampling_paragraphs_one_by_one():
    counts = two_annotator_counts(units=400, agree=0.8, seed=5)
    rng = np.random.default_rng(11)
    resampled = [
        krippendorff_alpha_nominal(counts[rng.integers(0, len(counts), len(counts))]).value
        for _ in range(2_000)
    ]

    bounds = alpha_bootstrap_ci(counts, resamples=2_000, seed=12).bounds

    assert bounds == pytest.approx(tuple(np.quantile(resampled, [0.025, 0.975])), abs=0.02)


def test_bootstrap_can_be_switched_off_and_says_so():
    counts = two_annotator_counts(units=100, agree=0.8, seed=6)

    assert alpha_bootstrap_ci(counts, resamples=0).reason == agreement.BOOTSTRAP_OFF
    assert alpha_bootstrap_ci(counts, level=1.0).reason == agreement.BOOTSTRAP_OFF
    assert summarize(counts, LABELS, annotators=2, resamples=0)["reasons"] == {
        "alpha_ci95": agreement.BOOTSTRAP_OFF
    }


# --- summary shape ---------------------------------------------------------------------------


def test_summary_has_the_agreed_shape_and_numbers():
    counts = np.vstack([KRIPPENDORFF_2011_COUNTS, np.zeros((3, 5), int)])
    labels = ["one", "two", "three", "four", "five"]

    summary = summarize(
        counts,
        labels,
        annotators=4,
        pair_confusions={("ann", "bob"): [[20, 5], [10, 15]], ("ann", "cy"): [[0, 0], [0, 0]]},
    )

    assert {
        "units",
        "annotations",
        "annotators",
        "krippendorff_alpha",
        "alpha_ci95",
        "fleiss_kappa",
        "fleiss_units",
        "percent_agreement",
        "gwet_ac1",
        "pairwise_cohen_kappa",
        "per_label",
        "coincidence",
        "reasons",
    } <= set(summary)
    assert (summary["units"], summary["annotations"], summary["annotators"]) == (12, 41, 4)
    assert summary["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    low, high = summary["alpha_ci95"]
    assert low < summary["krippendorff_alpha"] <= high
    assert summary["fleiss_units"] == 8  # units 2-9: the 8 paragraphs with all 4 coders
    assert summary["gwet_ac1"] == pytest.approx(0.77544, abs=5e-6)
    assert summary["pairwise_cohen_kappa"] == [
        {"a": "ann", "b": "bob", "n": 50, "kappa": pytest.approx(0.4), "reason": None},
        {"a": "ann", "b": "cy", "n": 0, "kappa": None, "reason": agreement.NO_SHARED_UNITS},
    ]
    assert summary["per_label"]["three"]["count"] == 11
    assert set(summary["per_label"]["five"]) >= {"alpha", "ac1", "count"}
    assert summary["coincidence"]["labels"] == labels
    assert np.array(summary["coincidence"]["matrix"]) * 3 == pytest.approx(
        coincidence_matrix(KRIPPENDORFF_2011_COUNTS) * 3
    )
    assert summary["reasons"] == {}
    assert isinstance(summary["krippendorff_alpha"], float)
    json.dumps(summary, allow_nan=False)


def test_ac1_note_is_one_sentence_about_the_kappa_paradox():
    assert agreement.AC1_NOTE.count(". ") == 0 and agreement.AC1_NOTE.endswith(".")
    assert "paradox" in agreement.AC1_NOTE and "body" in agreement.AC1_NOTE


def test_skewed_news_labels_show_the_kappa_paradox_that_ac1_is_shown_for():
    counts = two_annotator_counts(units=5_000, agree=0.6, seed=8)

    summary = summarize(counts, LABELS, annotators=2, resamples=0)

    assert summary["percent_agreement"] > 0.7
    assert summary["krippendorff_alpha"] < 0.667
    assert summary["gwet_ac1"] > summary["krippendorff_alpha"] + 0.1


def test_two_annotators_with_four_labels_compress_to_at_most_ten_patterns():
    counts = two_annotator_counts(units=50_000, agree=0.8, seed=9)

    patterns = agreement.compress(counts)

    assert len(patterns.rows) <= 10
    assert patterns.weights.sum() == 50_000
