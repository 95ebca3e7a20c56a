"""How much of each corpus page's reference body the HTML importer keeps, and how fast.

Run from the repository root: ``.venv/bin/python bench/bench_html_coverage.py``. Reads
``corpus/html/<id>.html`` and ``corpus/ground_truth.jsonl``; prints one row per page, then the
distribution of ``webpages.body_coverage`` (min/p10/median/mean, pages at or above 97 %), of
paragraphs per page and of parse time per page. Parse time is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED_COVERAGE = 0.97


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    arguments.add_argument("--repeat", type=int, default=3, help="parses per page (best kept)")
    options = arguments.parse_args()

    # The script lives in bench/, so the repository root is not on sys.path by default.
    sys.path.insert(0, str(ROOT))
    from labels.ingest.webpages import body_coverage, parse_html

    pages = [
        json.loads(line)
        for line in (options.corpus / "ground_truth.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    coverages, paragraph_counts, seconds = [], [], []
    print(f"{'page':<14}{'site':<26}{'coverage':>9}{'paras':>7}{'KiB':>7}{'ms':>8}")
    for page in pages:
        path = options.corpus / "html" / f"{page['id']}.html"
        data = path.read_bytes()
        timings = []
        for _ in range(max(options.repeat, 1)):
            started = time.perf_counter()
            [article] = parse_html(data, file=path.name)
            timings.append(time.perf_counter() - started)
        coverage = body_coverage([p.text for p in article.paragraphs], page["article_body"])
        coverages.append(coverage)
        paragraph_counts.append(len(article.paragraphs))
        seconds.append(min(timings))
        site = article.source or "-"
        print(
            f"{page['id'][:12]:<14}{site[:25]:<26}{coverage:>9.3f}{len(article.paragraphs):>7}"
            f"{len(data) / 1024:>7.0f}{min(timings) * 1000:>8.1f}"
        )

    reached = sum(coverage >= ACCEPTED_COVERAGE for coverage in coverages)
    print()
    print(f"pages: {len(pages)}")
    print(
        f"coverage: min {min(coverages):.3f}  p10 {_percentile(coverages, 10):.3f}  "
        f"median {statistics.median(coverages):.3f}  mean {statistics.fmean(coverages):.3f}  "
        f">= {ACCEPTED_COVERAGE:.0%}: {reached}/{len(pages)}"
    )
    print(
        f"paragraphs per page: min {min(paragraph_counts)}  "
        f"median {statistics.median(paragraph_counts):g}  "
        f"mean {statistics.fmean(paragraph_counts):.1f}  max {max(paragraph_counts)}"
    )
    milliseconds = [s * 1000 for s in seconds]
    print(
        f"parse time per page (ms): min {min(milliseconds):.1f}  "
        f"median {statistics.median(milliseconds):.1f}  mean {statistics.fmean(milliseconds):.1f}  "
        f"max {max(milliseconds):.1f}  total {sum(milliseconds):.0f}"
    )


def _percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile: the smallest value with at least ``percent`` % at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


if __name__ == "__main__":
    main()
