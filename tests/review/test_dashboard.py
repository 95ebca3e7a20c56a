"""Shaping the agreement report for the dashboard: pure, no database."""

import pytest

from labels.review.dashboard import (
    bar_width,
    coincidence_rows,
    heat_level,
    kappa_grid,
    kappa_level,
    kappa_words,
)


@pytest.mark.parametrize(
    ("share", "level"), [(0.0, 0), (0.01, 1), (0.03, 2), (0.1, 3), (0.2, 4), (0.9, 5)]
)
def test_heat_level_grows_with_the_share_of_the_row(share, level):
    assert heat_level(share) == level


def test_coincidence_cells_carry_numbers_shades_and_links_for_disagreements_only():
    rows = coincidence_rows(
        {"labels": ["body", "quote"], "matrix": [[18.0, 2.0], [2.0, 0.5]]},
        {"body": "Body", "quote": "Quote"},
    )

    (body_name, body), (quote_name, quote) = rows
    assert (body_name, quote_name) == ("Body", "Quote")
    assert [cell.text for cell in body] == ["18", "2"]
    assert quote[1].text == "0.5"
    assert [cell.kind for cell in body] == ["agree", "disagree"]
    assert [cell.link for cell in body + quote] == [False, True, True, False]
    assert (
        body[1].description
        == "2 pairs where one chose Body and another Quote (10% of Body's pairs)"
    )
    assert (body[0].level, body[1].level) == (5, 3)


def test_an_empty_row_has_no_shade_and_no_link():
    (_, cells), _ = coincidence_rows({"labels": ["a", "b"], "matrix": [[0.0, 0.0], [0.0, 4.0]]}, {})
    assert [(cell.level, cell.link) for cell in cells] == [(0, False), (0, False)]


def test_kappa_grid_is_symmetric_and_explains_missing_values():
    annotators, rows = kappa_grid(
        [
            {"a": "ann", "b": "bob", "n": 20, "kappa": 0.7, "reason": None},
            {"a": "ann", "b": "cy", "n": 5, "kappa": None, "reason": "no variation"},
        ]
    )

    assert annotators == ["ann", "bob", "cy"]
    grid = {(cell.row, cell.column): cell for _, cells in rows for cell in cells}
    assert grid[("ann", "bob")].text == grid[("bob", "ann")].text == "0.70"
    assert "substantial" in grid[("bob", "ann")].description
    assert grid[("cy", "ann")].text == "n/a" and "no variation" in grid[("cy", "ann")].description
    assert grid[("bob", "cy")].kind == "none"
    assert grid[("ann", "ann")].kind == "self"


@pytest.mark.parametrize(
    ("kappa", "words", "level"),
    [
        (-0.1, "worse than chance", 0),
        (0.1, "slight", 1),
        (0.5, "moderate", 3),
        (0.9, "almost perfect", 5),
    ],
)
def test_kappa_words_follow_landis_and_koch(kappa, words, level):
    assert (kappa_words(kappa), kappa_level(kappa)) == (words, level)


@pytest.mark.parametrize(
    ("value", "width"), [(None, 0.0), (-0.4, 0.0), (0.4567, 45.7), (1.2, 100.0)]
)
def test_bars_are_clamped_to_zero_to_one(value, width):
    assert bar_width(value) == width
