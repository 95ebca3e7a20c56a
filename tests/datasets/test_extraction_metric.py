"""The public article-extraction benchmark's metric, checked on examples worked by hand."""

from __future__ import annotations

import pytest

from labels.datasets.extraction_metric import Matching, exact, match, score, shingles, summarise


def test_shingles_are_overlapping_runs_of_four_case_sensitive_word_tokens():
    assert shingles("The cat, the hat; sat!") == {
        ("The", "cat", "the", "hat"): 1,
        ("cat", "the", "hat", "sat"): 1,
    }


def test_a_text_of_fewer_than_four_tokens_is_one_short_shingle_and_no_token_is_none():
    assert shingles("Hello, world!") == {("Hello", "world"): 1}
    assert shingles(" ... ") == {}


def test_repeated_shingles_count_with_multiplicity():
    # a b c d a b c d: abcd, bcda, cdab, dabc, abcd
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_one_changed_word_at_the_end_matches_one_of_three_shingles():
    # reference abcd, bcde; prediction abcd, bcdx: one matched, one extra, one missed
    found = match(reference="a b c d e", predicted="a b c d x")
    assert found == Matching(
        matched=pytest.approx(1 / 3), extra=pytest.approx(1 / 3), missed=pytest.approx(1 / 3)
    )
    assert found.precision == pytest.approx(0.5)
    assert found.recall == pytest.approx(0.5)


def test_a_prediction_that_is_part_of_the_reference_has_full_precision():
    # reference: abcd x2, bcda, cdab, dabc (5); prediction: abcd (1)
    found = match(reference="a b c d a b c d", predicted="a b c d")
    assert (found.matched, found.extra, found.missed) == pytest.approx((0.2, 0.0, 0.8))
    assert found.precision == 1.0
    assert found.recall == pytest.approx(0.2)


def test_case_matters():
    found = match(reference="hello world", predicted="Hello world")
    assert found.precision == 0.0 and found.recall == 0.0


def test_precision_and_recall_are_means_over_articles_and_f1_comes_from_the_means():
    first = match(reference="a b c d e", predicted="a b c d x")  # P 0.5, R 0.5
    second = match(reference="a b c d a b c d", predicted="a b c d")  # P 1.0, R 0.2
    precision, recall, f1 = summarise([first, second])
    assert precision == pytest.approx(0.75)
    assert recall == pytest.approx(0.35)
    assert f1 == pytest.approx(2 * 0.75 * 0.35 / 1.1)  # 0.4773, not the mean F1 (0.4167)


def test_an_empty_prediction_counts_for_recall_only():
    nothing = match(reference="a b c d e", predicted="")
    assert (nothing.matched, nothing.extra, nothing.missed) == (0.0, 0.0, 1.0)
    precision, recall, _ = summarise([nothing, match(reference="a b c d", predicted="a b c d")])
    assert precision == 1.0  # the empty prediction has no precision to average
    assert recall == pytest.approx(0.5)


def test_accuracy_is_an_exact_match_of_the_token_sequence():
    assert exact(reference="Hello, world", predicted="Hello world!")
    assert not exact(reference="Hello world", predicted="Hello world again")
    result = score([("Hello, world", "Hello world!"), ("a b c d e", "a b c d x")], bootstrap=50)
    assert result.accuracy == 0.5
    assert result.articles == 2


def test_the_bootstrap_is_seeded_so_two_runs_agree():
    pairs = [
        ("a b c d e f", "a b c d"),
        ("one two three four five", "one two three four five"),
        ("x y z w v", "q r s t u"),
    ]
    first, second = score(pairs, bootstrap=200), score(pairs, bootstrap=200)
    assert first == second
    assert 0 < first.f1_std < 1
    assert score(pairs, bootstrap=200, seed=1).f1_std != first.f1_std


def test_scoring_nothing_is_an_error():
    with pytest.raises(ValueError, match="no article"):
        score([])
