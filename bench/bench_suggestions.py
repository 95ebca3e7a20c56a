"""How good the suggester is, per label and per rule, and how many keystrokes it saves.

Run from the repository root: ``.venv/bin/python bench/bench_suggestions.py``. No database:
it parses the pages as the importer does (``labels.ingest.extractor.parse_html_with_extractor``) and
runs the pure suggester (``labels.suggestions.suggest``). Site memory is not measured here: the corpus has
one page per site, so nothing recurs.

Truth:
- corpus (``corpus/ground_truth.jsonl``): a paragraph inside the page's reference article body
  is body, every other paragraph boilerplate. "Inside" means its whitespace-free text occurs in
  the whitespace-free reference body; a paragraph of under 25 such characters must be a whole
  reference line, so "Share" or "AP" is not body by coincidence. The reference has only those
  two classes, so the corpus table also folds our four labels: quote counts as body (the
  reference keeps block quotes) and caption as boilerplate (it drops photo captions).
- seed (``seeds/000_d93e8ff5672328ba.txt``): a reviewer's four labels for its 22 paragraphs,
  following the description of that page in the design notes: headline and news text body;
  the standfirst and the two paragraphs that are direct quotations quote; the photo credit
  line caption; dateline, the "Dear Reader" pitch, the Facebook line and the related block
  boilerplate.

Keystrokes per article: without suggestions one label key per paragraph, then Enter. With
suggestions the annotator goes down the article pressing ``a`` (accept) or the right label key
on each paragraph up to the last wrong suggestion, then Shift+A accepts the rest, then Enter;
the table shows the cheaper of the two ways for each article. A suggestion is "right" when it
equals the truth (on the corpus: the folded, two-class truth).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_d93e8ff5672328ba.txt"
SEED_LABELS = (
    "body quote boilerplate caption "  # headline, standfirst, dateline, photo credit
    + "boilerplate " * 8  # "Dear Reader" pitch, its list, signature and upgrade banner
    + "body body boilerplate body body body "  # news text around "Join our Facebook page"
    + "quote quote boilerplate boilerplate"  # two quotations, "Related Content" and its item
).split()
SHORT_MATCH = 25
FOLD = {"body": "body", "quote": "body", "boilerplate": "boilerplate", "caption": "boilerplate"}


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    arguments.add_argument("--rules", action="store_true", help="also print per-rule counts")
    options = arguments.parse_args()
    sys.path.insert(0, str(ROOT))
    from labels.ingest import extractor, parsing, webpages
    from labels.suggestions import suggest

    corpus_pairs, corpus_rules, corpus_keys = [], defaultdict(Counter), []
    corpus_by_label: dict[str, Counter] = defaultdict(Counter)
    timings: dict[str, list[float]] = defaultdict(list)
    for page in _pages(options.corpus):
        path = options.corpus / "html" / f"{page['id']}.html"
        data = path.read_bytes()
        started = time.perf_counter()
        parsing_only = webpages.parse_html(data, file=path.name)
        parsed = time.perf_counter()
        [article] = extractor.parse_html_with_extractor(data, file=path.name)
        extracted = time.perf_counter()
        truth = [_in_body(p.text, page["article_body"]) for p in article.paragraphs]
        suggestions = suggest.suggest_article(
            [(p.text, p.meta) for p in article.paragraphs], title=article.title
        )
        suggested = time.perf_counter()
        assert len(parsing_only[0].paragraphs) == len(article.paragraphs)
        timings["segmenting"].append(parsed - started)
        timings["segmenting + trafilatura"].append(extracted - parsed)
        timings["rules"].append(suggested - extracted)
        pairs = [(FOLD[s.label], t) for s, t in zip(suggestions, truth, strict=True)]
        corpus_pairs += pairs
        for s, t in zip(suggestions, truth, strict=True):
            corpus_rules[s.rule][t] += 1
            corpus_by_label[s.label][t] += 1
        corpus_keys.append(_keystrokes([s == t for s, t in pairs]))

    [seed] = parsing.parse_txt(SEED.read_bytes(), file=SEED.name)
    seed_suggestions = suggest.suggest_article(
        [(p.text, p.meta) for p in seed.paragraphs], title=seed.title
    )
    seed_pairs = [(s.label, t) for s, t in zip(seed_suggestions, SEED_LABELS, strict=True)]
    seed_rules: dict[str, Counter] = defaultdict(Counter)
    for s, t in zip(seed_suggestions, SEED_LABELS, strict=True):
        seed_rules[s.rule][t] += 1

    print(f"suggester {suggest.VERSION}, extractor {extractor.EXTRACTOR}")
    print()
    print(f"Corpus: {len(corpus_keys)} pages, {len(corpus_pairs)} paragraphs (two-class truth)")
    _print_accuracy(corpus_pairs)
    print("  before folding, where each suggested label falls:")
    print(f"  {'suggested':<13}{'paragraphs':>11}{'in body':>9}{'outside':>9}")
    for label in ("body", "quote", "caption", "boilerplate"):
        counts = corpus_by_label[label]
        print(
            f"  {label:<13}{sum(counts.values()):>11}{counts['body']:>9}{counts['boilerplate']:>9}"
        )
    print()
    print(f"Seed: 1 article, {len(seed_pairs)} paragraphs (four labels)")
    _print_accuracy(seed_pairs)
    print()
    print("Keystrokes per article")
    print(f"{'':<8}{'without':>9}{'with':>7}{'saved':>8}")
    seed_keys = _keystrokes([s == t for s, t in seed_pairs])
    for name, rows in (("corpus", corpus_keys), ("seed", [seed_keys])):
        without = statistics.fmean(row[0] for row in rows)
        with_ = statistics.fmean(row[1] for row in rows)
        print(f"{name:<8}{without:>9.1f}{with_:>7.1f}{1 - with_ / without:>8.0%}")
    print()
    print("Time per corpus page (ms)")
    for name, seconds in timings.items():
        milliseconds = sorted(1000 * value for value in seconds)
        print(
            f"  {name:<26} median {statistics.median(milliseconds):6.1f}"
            f"   max {milliseconds[-1]:6.1f}"
        )
    if options.rules:
        for name, rules in (("corpus", corpus_rules), ("seed", seed_rules)):
            print()
            print(f"Rules on the {name}: paragraphs each rule decided, by truth")
            for rule, counts in sorted(rules.items(), key=lambda item: -sum(item[1].values())):
                spread = "  ".join(f"{label} {n}" for label, n in counts.most_common())
                print(f"  {rule:<24}{sum(counts.values()):>6}   {spread}")


def _pages(corpus: Path) -> list[dict]:
    lines = (corpus / "ground_truth.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _in_body(text: str, article_body: str) -> str:
    squeezed = "".join(text.split())
    if len(squeezed) < SHORT_MATCH:
        inside = squeezed in {"".join(line.split()) for line in article_body.splitlines()}
    else:
        inside = squeezed in "".join(article_body.split())
    return "body" if inside else "boilerplate"


def _print_accuracy(pairs: list[tuple[str, str]]) -> None:
    """Per label: precision of the suggestion, recall against the truth, F1; then accuracy."""
    labels = sorted({label for pair in pairs for label in pair})
    print(f"  {'label':<13}{'truth':>7}{'suggested':>11}{'precision':>11}{'recall':>8}{'F1':>6}")
    for label in labels:
        truth = sum(1 for _, t in pairs if t == label)
        suggested = sum(1 for s, _ in pairs if s == label)
        right = sum(1 for s, t in pairs if s == t == label)
        precision = right / suggested if suggested else 0.0
        recall = right / truth if truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {label:<13}{truth:>7}{suggested:>11}{precision:>11.2f}{recall:>8.2f}{f1:>6.2f}")
    accuracy = sum(1 for s, t in pairs if s == t) / len(pairs)
    print(f"  accuracy {accuracy:.3f}")


def _keystrokes(right: list[bool]) -> tuple[int, int]:
    """(without suggestions, with suggestions) for one article; see the module docstring."""
    without = len(right) + 1
    wrong = [index for index, ok in enumerate(right) if not ok]
    if not wrong:
        return without, 2  # Shift+A, Enter
    last = wrong[-1]
    accept_rest = 1 if last < len(right) - 1 else 0
    return without, min(without, last + 1 + accept_rest + 1)


if __name__ == "__main__":
    main()
