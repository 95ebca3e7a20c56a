"""The gold policy: pure, no database."""

import pytest

from labels.gold import derive_gold


def test_adjudicated_label_wins_over_any_agreement():
    decision = derive_gold(["body", "body"], adjudicated="quote")

    assert (decision.label, decision.source, decision.agreement) == ("quote", "adjudicated", 0.0)


def test_unanimous_label_with_enough_annotations_is_gold():
    decision = derive_gold(["body", "body"], min_annotations=2)

    assert (decision.label, decision.source, decision.agreement) == ("body", "unanimous", 1.0)


def test_too_few_annotations_are_unresolved():
    assert derive_gold(["body"], min_annotations=2).label is None
    assert derive_gold([], min_annotations=1).source == "unresolved"


def test_disagreement_is_unresolved_without_a_majority_threshold():
    assert derive_gold(["body", "quote", "body"]).label is None


@pytest.mark.parametrize(
    ("labels", "threshold", "expected"),
    [
        (["body", "body", "quote"], 0.66, "body"),
        (["body", "body", "quote"], 0.67, None),
        (["body", "quote"], 0.5, None),  # a tie is never a majority
    ],
)
def test_majority_needs_its_share_and_no_tie(labels, threshold, expected):
    assert derive_gold(labels, min_agreement=threshold).label == expected
