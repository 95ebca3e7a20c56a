"""Article extractors scored on ``corpus/`` with the public benchmark's metric.

Run from the repository root: ``.venv/bin/python -m bench.bench_extractors``. ``make bench``
runs it too (step ``extractors``). The reference is each page's ``article_body`` from the
corpus (the benchmark's own ground truth for these 40 pages); every installed extractor of
``labels.datasets.extractor_scores`` runs on the page, and ``extraction_metric.score`` gives
the figures ``manage.py score_extractors`` prints for a project's gold.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*, corpus: Path = ROOT / "corpus") -> dict[str, dict]:
    """Per installed extractor: the metric's figures and the seconds per page."""
    from bench.bench_suggestions import _pages
    from labels.datasets import extraction_metric, extractor_scores
    from labels.ingest import webpages

    pages = []
    for page in _pages(corpus):
        path = corpus / "html" / f"{page['id']}.html"
        pages.append(
            (page["article_body"], webpages.decode_html(path.read_bytes(), file=path.name))
        )
    results = {}
    for name in extractor_scores.available():
        started = time.perf_counter()
        pairs = [(body, extractor_scores.run_extractor(name, html)) for body, html in pages]
        seconds = (time.perf_counter() - started) / len(pages)
        score = extraction_metric.score(pairs)
        results[name] = {**score.__dict__, "seconds_per_page": seconds}
    return results


def table(results: dict[str, dict]) -> str:
    """A markdown table, best F1 first."""
    lines = [
        "| extractor | F1 | precision | recall | accuracy | articles | ms per page |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in sorted(results.items(), key=lambda item: -item[1]["f1"]):
        lines.append(
            f"| {name} | {r['f1']:.3f} ± {r['f1_std']:.3f} | {r['precision']:.3f} ± "
            f"{r['precision_std']:.3f} | {r['recall']:.3f} ± {r['recall_std']:.3f} | "
            f"{r['accuracy']:.3f} ± {r['accuracy_std']:.3f} | {r['articles']} | "
            f"{r['seconds_per_page'] * 1000:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    print(table(run()))


if __name__ == "__main__":
    main()
