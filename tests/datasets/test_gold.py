"""The gold policy: pure, no database. Every rule and every threshold boundary."""

import pytest

from labels.datasets.gold import DEFAULT_POLICY, GoldPolicy, InvalidPolicy, derive_gold

LOOSE = GoldPolicy(min_annotations=1)


def test_the_defaults_are_two_annotations_and_a_two_thirds_majority():
    assert (DEFAULT_POLICY.min_annotations, DEFAULT_POLICY.min_agreement) == (2, 0.66)


def test_adjudicated_label_wins_over_any_agreement():
    decision = derive_gold(["body", "body"], adjudicated="quote")

    assert (decision.label, decision.source, decision.agreement) == ("quote", "adjudicated", 0.0)


def test_adjudicated_label_wins_even_without_annotations():
    decision = derive_gold([], adjudicated="caption")

    assert (decision.label, decision.source, decision.agreement) == ("caption", "adjudicated", None)


def test_adjudicated_agreement_is_the_share_of_annotations_that_match_it():
    assert derive_gold(["body", "quote", "quote", "body"], adjudicated="quote").agreement == 0.5


def test_unanimous_label_with_enough_annotations_is_gold():
    decision = derive_gold(["body", "body"])

    assert (decision.label, decision.source, decision.agreement) == ("body", "unanimous", 1.0)


@pytest.mark.parametrize(
    ("labels", "min_annotations", "expected"),
    [
        (["body"], 2, None),  # one below the threshold
        (["body", "body"], 2, "body"),  # exactly at it
        (["body", "body"], 3, None),
        (["body", "body", "body"], 3, "body"),
        (["body"], 1, "body"),
        ([], 1, None),
    ],
)
def test_unanimity_needs_at_least_min_annotations(labels, min_annotations, expected):
    policy = GoldPolicy(min_annotations=min_annotations)

    decision = derive_gold(labels, policy=policy)

    assert decision.label == expected
    assert decision.source == ("unanimous" if expected else "unresolved")


@pytest.mark.parametrize(
    ("labels", "threshold", "expected"),
    [
        (["body", "body", "quote"], 0.66, "body"),  # 2/3 = 0.667 >= 0.66
        (["body", "body", "quote"], 2 / 3, "body"),  # exactly at the threshold
        (["body", "body", "quote"], 0.67, None),  # just above 2/3
        (["body", "body", "body", "quote"], 0.75, "body"),  # 3/4 exactly at 0.75
        (["body", "body", "body", "quote"], 0.76, None),
        (["body", "body", "quote", "caption"], 0.5, "body"),  # 1/2 with no tie
        (["body", "body", "quote", "quote"], 0.5, None),  # a tie is never a majority
        (["body", "quote"], 0.5, None),
        (["body", "quote", "caption"], 0.3, None),  # three-way tie
    ],
)
def test_majority_needs_its_share_and_no_tie(labels, threshold, expected):
    decision = derive_gold(labels, policy=GoldPolicy(min_agreement=threshold))

    assert decision.label == expected
    assert decision.source == ("majority" if expected else "unresolved")


def test_majority_reports_its_share_as_agreement():
    decision = derive_gold(["quote", "body", "quote"])

    assert (decision.label, decision.source) == ("quote", "majority")
    assert decision.agreement == pytest.approx(2 / 3)


def test_majority_also_needs_min_annotations():
    policy = GoldPolicy(min_annotations=4, min_agreement=0.6)

    assert derive_gold(["body", "body", "quote"], policy=policy).label is None
    assert derive_gold(["body", "body", "quote", "body"], policy=policy).source == "majority"


def test_two_annotators_who_disagree_stay_unresolved_by_default():
    decision = derive_gold(["body", "quote"])

    assert (decision.label, decision.source, decision.agreement) == (None, "unresolved", None)


def test_an_unanimous_single_annotation_is_not_gold_by_default():
    assert derive_gold(["body"]).label is None
    assert derive_gold(["body"], policy=LOOSE).label == "body"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_annotations": 0}, "min_annotations must be at least 1"),
        ({"min_annotations": 1.5}, "min_annotations must be a whole number"),
        ({"min_agreement": 0}, "min_agreement must be greater than 0 and at most 1"),
        ({"min_agreement": 1.01}, "min_agreement must be greater than 0 and at most 1"),
    ],
)
def test_thresholds_outside_their_range_are_refused_by_name(kwargs, message):
    with pytest.raises(InvalidPolicy, match=message):
        GoldPolicy(**kwargs)


def test_the_policy_describes_its_rules_in_order_with_its_thresholds():
    rules = GoldPolicy(min_annotations=3, min_agreement=0.8).describe()

    assert [rule.split(":")[0] for rule in rules] == [
        "adjudicated",
        "unanimous",
        "majority",
        "unresolved",
    ]
    assert "at least 3" in rules[1]
    assert "at least 0.8" in rules[2]
