"""The agreement report shaped for the reviewer dashboard: heatmap cells, bars, readings.

Pure: takes the JSON-ready report of ``labels.review.reliability`` and returns plain values the
templates render. Shades are CSS classes (``heat-0`` .. ``heat-5``), never inline styles,
and every cell also shows its number, so nothing is said by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

# A cell's share of its row at or above each step darkens it one level (1..5; 0 = empty).
# Logarithmic-ish, so a 2 % confusion still shows next to a 90 % diagonal.
HEAT_STEPS = (0.0, 0.02, 0.05, 0.15, 0.4)
# Landis & Koch (1977), the usual words for kappa: at or above each bound.
KAPPA_WORDS = (
    (0.81, "almost perfect"),
    (0.61, "substantial"),
    (0.41, "moderate"),
    (0.21, "fair"),
    (0.0, "slight"),
)


@dataclass(frozen=True)
class HeatCell:
    row: str  # label value (coincidence) or annotator (kappa)
    column: str
    text: str  # the number shown in the cell
    level: int  # shade, 0 (none) to 5
    kind: str  # agree | disagree | self | none
    description: str  # full sentence for the title and screen readers
    link: bool = False  # opens the disagreement queue for this pair


def figure(value: float) -> str:
    """Whole numbers without decimals, others with one."""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def heat_level(share: float) -> int:
    """0 for nothing, else 1-5 by the share of the row."""
    if share <= 0:
        return 0
    return sum(1 for step in HEAT_STEPS if share > step)


def coincidence_rows(coincidence: dict, names: dict[str, str]) -> list[tuple[str, list[HeatCell]]]:
    """The coincidence matrix as (row label name, cells), shaded by each cell's share of its row.

    Off-diagonal cells with pairs link to the queue: that is where disagreements live.
    """
    labels = coincidence["labels"]
    rows = []
    for value_a, line in zip(labels, coincidence["matrix"], strict=True):
        total = sum(line)
        cells = []
        for value_b, pairs in zip(labels, line, strict=True):
            share = pairs / total if total else 0.0
            same = value_a == value_b
            name_a, name_b = names.get(value_a, value_a), names.get(value_b, value_b)
            if same:
                description = f"{figure(pairs)} pairs where both annotators chose {name_a}"
            else:
                description = f"{figure(pairs)} pairs where one chose {name_a} and another {name_b}"
            if total:
                description += f" ({share:.0%} of {name_a}'s pairs)"
            cells.append(
                HeatCell(
                    row=value_a,
                    column=value_b,
                    text=figure(pairs),
                    level=heat_level(share),
                    kind="agree" if same else "disagree",
                    description=description,
                    link=not same and pairs > 0,
                )
            )
        rows.append((names.get(value_a, value_a), cells))
    return rows


def kappa_words(kappa: float) -> str:
    """Landis and Koch's word for a kappa; below 0 is worse than chance."""
    for bound, words in KAPPA_WORDS:
        if kappa >= bound:
            return words
    return "worse than chance"


def kappa_level(kappa: float) -> int:
    """Shade 1-5 by Landis and Koch's bands; 0 below chance."""
    return sum(1 for bound, _ in KAPPA_WORDS if kappa >= bound)


def kappa_grid(pairs: list[dict]) -> tuple[list[str], list[tuple[str, list[HeatCell]]]]:
    """Annotators and an annotators × annotators grid of Cohen's kappa (symmetric)."""
    annotators = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    by_pair = {}
    for pair in pairs:
        by_pair[(pair["a"], pair["b"])] = by_pair[(pair["b"], pair["a"])] = pair
    rows = []
    for a in annotators:
        cells = []
        for b in annotators:
            pair = by_pair.get((a, b))
            if a == b:
                cells.append(HeatCell(a, b, "—", 0, "self", f"{a} with themselves"))
            elif pair is None:
                cells.append(HeatCell(a, b, "", 0, "none", f"{a} and {b} share no paragraph"))
            elif pair["kappa"] is None:
                cells.append(HeatCell(a, b, "n/a", 0, "none", f"{a} and {b}: {pair['reason']}"))
            else:
                kappa = pair["kappa"]
                cells.append(
                    HeatCell(
                        a,
                        b,
                        f"{kappa:.2f}",
                        kappa_level(kappa),
                        "agree",
                        f"{a} and {b}: kappa {kappa:.2f} ({kappa_words(kappa)}) over "
                        f"{pair['n']} shared paragraphs",
                    )
                )
        rows.append((a, cells))
    return annotators, rows


def bar_width(value: float | None) -> float:
    """Width in percent of a bar for a coefficient on 0..1; below 0 shows as no bar."""
    if value is None:
        return 0.0
    return round(100 * min(max(value, 0.0), 1.0), 1)
