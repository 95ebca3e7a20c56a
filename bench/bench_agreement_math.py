"""How long the agreement summary takes on review-page-sized inputs, bootstrap included.

Run from the repository root: ``.venv/bin/python bench/bench_agreement_math.py``. Builds
synthetic count matrices of two annotators × four labels with news-like skew (body 80 %,
boilerplate 10 %, quote 7 %, caption 3 %; the second annotator copies the first 85 % of the
time) and prints, per size, the best of ``--repeat`` timings of ``summarize`` (1,000 bootstrap
resamples) and of the bootstrap alone. The database aggregation before it is not timed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["body", "boilerplate", "quote", "caption"]
PREVALENCE = [0.80, 0.10, 0.07, 0.03]


def two_annotator_counts(units: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-paragraph label counts and the annotators' confusion matrix."""
    rng = np.random.default_rng(seed)
    first = rng.choice(len(LABELS), size=units, p=PREVALENCE)
    copied = rng.random(units) < 0.85
    second = np.where(copied, first, rng.choice(len(LABELS), size=units, p=PREVALENCE))
    counts = np.zeros((units, len(LABELS)), dtype=np.int64)
    np.add.at(counts, (np.arange(units), first), 1)
    np.add.at(counts, (np.arange(units), second), 1)
    confusion = np.zeros((len(LABELS), len(LABELS)), dtype=np.int64)
    np.add.at(confusion, (first, second), 1)
    return counts, confusion


def best_of(repeat: int, run) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--units", type=int, nargs="+", default=[10_000, 100_000, 500_000])
    arguments.add_argument("--repeat", type=int, default=3, help="runs per size (best kept)")
    options = arguments.parse_args()

    # The script lives in bench/, so the repository root is not on sys.path by default.
    sys.path.insert(0, str(ROOT))
    from labels.review.agreement import alpha_bootstrap_ci, summarize

    print(
        f"{'units':>9}{'annotations':>13}{'alpha':>8}{'ci95':>17}{'summarize s':>13}{'bootstrap s':>13}"
    )
    for units in options.units:
        counts, confusion = two_annotator_counts(units, seed=units)

        def run_summary(counts=counts, confusion=confusion) -> dict:
            return summarize(counts, LABELS, annotators=2, pair_confusions={("a", "b"): confusion})

        summary = run_summary()
        summary_seconds = best_of(options.repeat, run_summary)
        bootstrap_seconds = best_of(
            options.repeat, lambda counts=counts: alpha_bootstrap_ci(counts)
        )
        low, high = summary["alpha_ci95"]
        print(
            f"{units:>9,}{summary['annotations']:>13,}{summary['krippendorff_alpha']:>8.3f}"
            f"{f'[{low:.3f}, {high:.3f}]':>17}{summary_seconds:>13.3f}{bootstrap_seconds:>13.3f}"
        )


if __name__ == "__main__":
    main()
