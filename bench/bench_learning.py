"""The learning curve: held-out accuracy of the learned suggester against the number of
labelled articles, next to the rules on the same paragraphs. No database.

Run from the repository root: ``.venv/bin/python -m bench.bench_learning [--svg PATH]``.
``make bench`` runs it too (step ``learning``), prints the table and draws the SVG that
docs/suggestions.md shows (docs/img/learning-curve.svg).

Two data sets, both labelled without a person in the loop, so the curve is reproducible:

- **corpus** (``corpus/``, 40 pages of 40 sites, parsed as the HTML importer does): truth is
  body against the rest, from the reference article body (as in bench/bench_suggestions.py;
  quote counts as body, caption as boilerplate). Each point trains on N pages and tests on 10
  other pages, over five seeded draws; it measures learning *across* sites.
- **seed site**: 60 articles built in the layout of the seed page
  (``seeds/000_d93e8ff5672328ba.txt``): its headline, standfirst quote, dateline, photo
  credit, subscription pitch, "Join our Facebook page" line, body text, quotations and
  "Related Content" block, with body sentences drawn from the corpus's reference bodies and
  dates, names and lengths varied by a seeded generator. Labels are the seed's four, given
  by construction. Each point trains on N articles and tests on 20 others; it measures
  learning *within* one site, the situation of a team labelling one publisher's pages.

The model is the one the app trains (labels.suggestions.features + classifier: the better of
logistic regression and gradient boosting by grouped cross-validation, calibrated), fed the
same features, including site repetition counted within the training and test articles.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "seeds" / "000_d93e8ff5672328ba.txt"
SVG = ROOT / "docs" / "img" / "learning-curve.svg"
SIZES = (5, 10, 20, 30)
DRAWS = 5
SEED = 20_250_101
GOAL_BODY, GOAL_FOUR = 0.95, 0.90
FOLD = {"body": "body", "quote": "body", "boilerplate": "boilerplate", "caption": "boilerplate"}


def corpus_articles(corpus: Path) -> list[dict]:
    """Per corpus page: its site, title and (text, meta, truth) paragraphs."""
    from bench.bench_suggestions import _in_body, _pages
    from labels.ingest import extractor

    found = []
    for page in _pages(corpus):
        path = corpus / "html" / f"{page['id']}.html"
        [article] = extractor.parse_html_with_extractor(path.read_bytes(), file=path.name)
        found.append(
            {
                "site": article.source or page["id"],
                "title": article.title,
                "paragraphs": [
                    (p.text, p.meta, _in_body(p.text, page["article_body"]))
                    for p in article.paragraphs
                ],
            }
        )
    return found


def _seed_parts() -> dict[str, list[str]]:
    paragraphs = [p.strip() for p in SEED_FILE.read_text("utf-8").split("\n\n") if p.strip()]
    # The eight pitch paragraphs of the seed ("Dear Reader" ... upgrade banner), verbatim:
    # the same on every page of the site, as a real pitch is.
    return {"pitch": paragraphs[4:12]}


def seed_site_articles(*, count: int, seed: int, corpus: Path) -> list[dict]:
    """``count`` synthetic articles in the seed page's layout (see the module docstring)."""
    from bench.bench_suggestions import _pages

    rng = random.Random(seed)
    sentences = []
    for page in _pages(corpus):
        for paragraph in page["article_body"].split("\n\n"):
            text = " ".join(paragraph.split())
            if 120 <= len(text) <= 600 and text[0].isalpha() and "“" not in text[:3]:
                sentences.append(text)
    names = [
        "Benjamin Netanyahu",
        "Vladimir Putin",
        "Reuven Rivlin",
        "Avigdor Liberman",
        "Ayelet Shaked",
        "Yair Lapid",
        "Naftali Bennett",
        "Tzipi Livni",
    ]
    agencies = [
        "GPO",
        "REUTERS",
        "AMIR COHEN/REUTERS",
        "MARC ISRAEL SELLEM",
        "AFP",
        "Wikimedia Commons",
    ]
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    pitch = _seed_parts()["pitch"]

    def date() -> str:
        return f"{rng.choice(months)} {rng.randint(1, 28)}, {rng.randint(2015, 2019)}"

    def headline() -> str:
        words = rng.choice(sentences).rstrip(".").split()[: rng.randint(6, 12)]
        return " ".join(words).rstrip(",;:")

    def quotation() -> str:
        words = rng.choice(sentences).rstrip(".").split()[: rng.randint(10, 30)]
        speaker = rng.choice(names)
        return f"“{' '.join(words).rstrip(',;:')},” {speaker} {rng.choice(['said', 'told reporters', 'added'])}."

    articles = []
    for _ in range(count):
        title = headline()
        person = rng.sample(names, 2)
        parts: list[tuple[str, str]] = [(title, "body")]
        if rng.random() < 0.8:
            words = rng.choice(sentences).rstrip(".").split()[: rng.randint(8, 20)]
            parts.append((f"“{' '.join(words).rstrip(',;:')}.”", "quote"))
        parts.append(
            (
                f"{date()} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}\n"
                f"{rng.randint(1, 6)} minute read.\n{person[0].split()[-1]} {person[1].split()[-1]}",
                "boilerplate",
            )
        )
        if rng.random() < 0.85:
            parts.append(
                (f"{person[0]} and {person[1]}.. (photo credit: {rng.choice(agencies)})", "caption")
            )
        parts += [(text, "boilerplate") for text in pitch]
        body = [(text, "body") for text in rng.sample(sentences, rng.randint(3, 8))]
        for _ in range(rng.randint(0, 3)):
            body.insert(rng.randint(1, len(body)), (quotation(), "quote"))
        if rng.random() < 0.7:
            body.insert(
                min(2, len(body)), ("Be the first to know - Join our Facebook page.", "boilerplate")
            )
        parts += body
        parts.append(("Related Content", "boilerplate"))
        for _ in range(rng.randint(1, 3)):
            parts.append((f"{headline()}\n{date()}\n{headline()}", "boilerplate"))
        articles.append(
            {
                "site": "www.jpost.com",
                "title": title,
                "paragraphs": [(text, {}, label) for text, label in parts],
            }
        )
    return articles


def vectors(articles: list[dict]) -> tuple[list[list[list[float]]], list[list[str]]]:
    """Feature rows and rule labels per article; repeats counted within this set of articles."""
    from labels.suggestions import features, suggest

    seen: Counter = Counter()
    for article in articles:
        for text in {" ".join(t.split()).lower() for t, _, _ in article["paragraphs"]}:
            seen[article["site"], text] += 1
    rows, rules = [], []
    for article in articles:
        inputs = [
            features.ParagraphInput(
                text=text,
                meta=meta,
                repeats=seen[article["site"], " ".join(text.split()).lower()] - 1,
            )
            for text, meta, _ in article["paragraphs"]
        ]
        rows.append(features.article_features(inputs, title=article["title"]))
        rules.append(
            [
                s.label
                for s in suggest.suggest_article(
                    [(t, m) for t, m, _ in article["paragraphs"]], title=article["title"]
                )
            ]
        )
    return rows, rules


def curve(
    articles: list[dict], *, test_size: int, fold: bool, sizes: tuple[int, ...], draws: int
) -> list[dict]:
    """Mean held-out figures per training size, model and rules, over seeded draws."""
    from labels.suggestions import classifier

    rows, rules = vectors(articles)
    truth = [[label for _, _, label in a["paragraphs"]] for a in articles]
    points = []
    for size in sizes:
        if size + test_size > len(articles):
            continue
        model_four, model_body, rule_four, rule_body, kinds, seconds = [], [], [], [], Counter(), []
        for draw in range(draws):
            order = list(range(len(articles)))
            random.Random(SEED + draw).shuffle(order)
            test, train = order[:test_size], order[test_size : test_size + size]
            x = [r for i in train for r in rows[i]]
            y = [label for i in train for label in truth[i]]
            groups = [i for i in train for _ in rows[i]]
            started = time.perf_counter()
            kind, _ = classifier.choose_kind(x, y, groups)
            model = classifier.fit(x, y, kind=kind)
            seconds.append(time.perf_counter() - started)
            kinds[kind] += 1
            x_test = [r for i in test for r in rows[i]]
            y_test = [label for i in test for label in truth[i]]
            guessed = [label for label, _ in classifier.predict(model, x_test)]
            ruled = [label for i in test for label in rules[i]]
            if fold:
                ruled = [FOLD.get(label, label) for label in ruled]
            mine, theirs = classifier.figures(y_test, guessed), classifier.figures(y_test, ruled)
            model_four.append(mine.accuracy)
            model_body.append(mine.body_vs_rest)
            rule_four.append(theirs.accuracy)
            rule_body.append(theirs.body_vs_rest)
        points.append(
            {
                "articles": size,
                "model_accuracy": statistics.fmean(model_four),
                "model_body_vs_rest": statistics.fmean(model_body),
                "rules_accuracy": statistics.fmean(rule_four),
                "rules_body_vs_rest": statistics.fmean(rule_body),
                "kind": kinds.most_common(1)[0][0],
                "train_seconds": statistics.fmean(seconds),
            }
        )
    return points


def run(*, corpus: Path = ROOT / "corpus", draws: int = DRAWS) -> dict[str, list[dict]]:
    """Both curves: {"corpus": points, "seed site": points}."""
    pages = corpus_articles(corpus)
    for page in pages:
        page["paragraphs"] = [
            (t, m, "body" if truth == "body" else "boilerplate")
            for t, m, truth in page["paragraphs"]
        ]
    site = seed_site_articles(count=60, seed=SEED, corpus=corpus)
    return {
        "corpus": curve(pages, test_size=10, fold=True, sizes=SIZES, draws=draws),
        "seed site": curve(site, test_size=20, fold=False, sizes=SIZES, draws=draws),
    }


def table(results: dict[str, list[dict]]) -> str:
    """A markdown table of both curves."""
    lines = [
        "| data | labelled articles | model: body vs rest | rules: body vs rest | model: four-way | rules: four-way | model kind | training (s) |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name, points in results.items():
        for p in points:
            four = f"{p['model_accuracy']:.3f}" if name != "corpus" else "–"
            rules_four = f"{p['rules_accuracy']:.3f}" if name != "corpus" else "–"
            lines.append(
                f"| {name} | {p['articles']} | {p['model_body_vs_rest']:.3f} | "
                f"{p['rules_body_vs_rest']:.3f} | {four} | {rules_four} | {p['kind']} | "
                f"{p['train_seconds']:.1f} |"
            )
    return "\n".join(lines)


def svg(results: dict[str, list[dict]]) -> str:
    """The curves as a small self-contained SVG (no script, no external font)."""
    width, height, left, right, top, bottom = 780, 360, 64, 250, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    low = 0.7

    def x(articles: int) -> float:
        return left + (articles / max(SIZES)) * plot_w

    def y(value: float) -> float:
        return top + (1 - (max(value, low) - low) / (1 - low)) * plot_h

    series = [
        ("seed site", "model_accuracy", "model, seed site four-way", "#1f5fa8", ""),
        ("seed site", "rules_accuracy", "rules, seed site four-way", "#1f5fa8", "5 4"),
        ("corpus", "model_body_vs_rest", "model, corpus body vs rest", "#b5421b", ""),
        ("corpus", "rules_body_vs_rest", "rules, corpus body vs rest", "#b5421b", "5 4"),
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="12" role="img" '
        'aria-labelledby="title"><title id="title">Held-out accuracy against labelled articles, '
        "learned model and rules</title>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for tick in (0.7, 0.8, 0.9, 0.95, 1.0):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.2f}</text>'
        )
    for size in SIZES:
        out.append(
            f'<text x="{x(size):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{size}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">labelled articles</text>'
        f'<text transform="translate(14 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
        "held-out accuracy</text>"
    )
    out.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>'
    )
    for row, (name, key, legend, colour, dash) in enumerate(series):
        points = results.get(name, [])
        if not points:
            continue
        path = " ".join(f"{x(p['articles']):.1f},{y(p[key]):.1f}" for p in points)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>'
        )
        for p in points:
            out.append(
                f'<circle cx="{x(p["articles"]):.1f}" cy="{y(p[key]):.1f}" r="3" fill="{colour}"/>'
            )
        ly = top + 10 + row * 18
        lx = left + plot_w + 12
        out.append(
            f'<line x1="{lx}" x2="{lx + 22}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dashes}/>'
            f'<text x="{lx + 28}" y="{ly + 4}">{legend}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def goals(results: dict[str, list[dict]]) -> list[tuple[str, float, float, bool]]:
    """(what, figure, goal, met) at 30 labelled articles of the seed site."""
    at = next((p for p in results.get("seed site", []) if p["articles"] == 30), None)
    if at is None:
        return []
    return [
        (
            "body vs rest after 30 articles of one site",
            at["model_body_vs_rest"],
            GOAL_BODY,
            at["model_body_vs_rest"] >= GOAL_BODY
            and at["model_body_vs_rest"] > at["rules_body_vs_rest"],
        ),
        (
            "four-way after 30 articles of one site",
            at["model_accuracy"],
            GOAL_FOUR,
            at["model_accuracy"] >= GOAL_FOUR and at["model_accuracy"] > at["rules_accuracy"],
        ),
    ]


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    arguments.add_argument("--svg", type=Path, default=SVG)
    arguments.add_argument("--json", type=Path, help="also write the points as JSON")
    arguments.add_argument("--draws", type=int, default=DRAWS)
    options = arguments.parse_args()
    sys.path.insert(0, str(ROOT))
    results = run(corpus=options.corpus, draws=options.draws)
    print(table(results))
    for what, figure, goal, met in goals(results):
        print(
            f"{what}: {figure:.3f} (goal {goal:.2f}, above the rules): {'met' if met else 'NOT met'}"
        )
    options.svg.parent.mkdir(parents=True, exist_ok=True)
    options.svg.write_text(svg(results), "utf-8")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
