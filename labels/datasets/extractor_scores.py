"""Scoring article extractors against the project's gold ``articleBody``.

The gold body of an article is what ``export_gold --format articlebody`` writes: its body and
quote paragraphs in order, for articles whose every paragraph has a gold decision (the
default gold policy). Each extractor runs on the article's stored original page
(``labels.ingest.pages``); articles without a stored page (text imports, purged pages) are
left out. The figures are the public benchmark's (``labels.datasets.extraction_metric``).

Extractors: trafilatura (a runtime dependency) and, when requirements-extractors.txt is
installed, readability-lxml, jusText, BoilerPy3 and Resiliparse, each called as the public
benchmark's runner scripts call it, with their text made plain. An extractor that raises on a
page returns nothing for it, which the metric counts as all missed (as a failed extraction
is). A run is stored (``ExtractorRun``) so the reviewer's leaderboard page reads it without
running anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html

from labels.datasets import export, extraction_metric
from labels.ingest import pages, webpages
from labels.models import Article, ArticlePage, ExtractorRun, Paragraph, Project

WORST_SHOWN = 5
CHART_WIDTH = 300
ROW_HEIGHT = 16
logging.getLogger("readability").setLevel(logging.ERROR)


class UnknownExtractor(Exception):
    """An --extractor name we do not know, or whose package is not installed."""


class NothingToScore(Exception):
    """No article has both a complete gold body and a stored page."""


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def _readability(html: str) -> str:
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    return _plain_text(summary)


def _justext(html: str) -> str:
    import justext

    kept = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in kept if not p.is_boilerplate)


def _boilerpy3(html: str) -> str:
    from boilerpy3 import extractors

    return extractors.ArticleExtractor(raise_on_failure=False).get_content(html) or ""


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, main_content=True) or ""


def _plain_text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    # Separate every element's text: "end.</p><p>Start" must stay two tokens.
    return " ".join(piece.strip() for piece in root.itertext() if piece.strip())


# name -> (module that must be importable, function)
EXTRACTORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "trafilatura": ("trafilatura", _trafilatura),
    "readability-lxml": ("readability", _readability),
    "justext": ("justext", _justext),
    "boilerpy3": ("boilerpy3", _boilerpy3),
    "resiliparse": ("resiliparse", _resiliparse),
}


def available() -> list[str]:
    """The extractors whose package is installed, in our order."""
    from importlib.util import find_spec

    return [name for name, (module, _) in EXTRACTORS.items() if find_spec(module) is not None]


def check_names(names: Sequence[str]) -> list[str]:
    """The requested extractors (all installed ones when none are named); raises
    UnknownExtractor naming the bad one."""
    if not names:
        return available()
    installed = set(available())
    for name in names:
        if name not in EXTRACTORS:
            raise UnknownExtractor(
                f"--extractor {name!r}: unknown; choose from {', '.join(EXTRACTORS)}"
            )
        if name not in installed:
            raise UnknownExtractor(
                f"--extractor {name!r}: not installed (pip install -r requirements-extractors.txt)"
            )
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class GoldPage:
    article_id: int
    external_id: str
    body: str
    html: str


def gold_pages(*, project: Project) -> list[GoldPage]:
    """Articles with a complete gold body and a stored page, with both."""
    stats = export.ExportStats()
    options = export.ExportOptions(fmt="articlebody")
    bodies: dict[str, str] = {}
    with export.snapshot():
        for article in export.gold_articles(project=project, options=options, stats=stats):
            if article.paragraphs and all(p.decision.label is not None for p in article.paragraphs):
                bodies[article.external_id] = "\n\n".join(
                    p.text for p in article.paragraphs if p.decision.label in export.BODY_LABELS
                )
    found = []
    stored = ArticlePage.objects.filter(
        article__project=project, article__external_id__in=list(bodies)
    ).select_related("article")
    for page in stored.order_by("article_id").iterator(chunk_size=50):
        html = webpages.decode_html(pages.page_html(page), file=page.article.external_id)
        found.append(
            GoldPage(
                article_id=page.article_id,
                external_id=page.article.external_id,
                body=bodies[page.article.external_id],
                html=html,
            )
        )
    return found


def run_extractor(name: str, html: str) -> str:
    """The extractor's plain text for one page; "" when it fails on the page."""
    _, function = EXTRACTORS[name]
    try:
        return function(html)
    except Exception:  # a third-party failure on one page is that page's empty output
        return ""


def score_extractors(*, project: Project, names: Sequence[str] = ()) -> ExtractorRun:
    """Run and score the extractors on every gold page, store the run and return it.

    Raises UnknownExtractor for a bad name and NothingToScore without gold pages.
    """
    chosen = check_names(names)
    gold = gold_pages(project=project)
    if not gold:
        raise NothingToScore(
            f"project {project.slug!r} has no article with a complete gold body and a stored "
            "page (HTML imports keep their page; see docs/suggestions.md)"
        )
    results: dict[str, dict] = {}
    for name in chosen:
        pairs = [(page.body, run_extractor(name, page.html)) for page in gold]
        figures = extraction_metric.score(pairs)
        per_article = []
        for page, (reference, predicted) in zip(gold, pairs, strict=True):
            matching = extraction_metric.match(reference=reference, predicted=predicted)
            p, r = matching.precision, matching.recall
            per_article.append(
                {
                    "article_id": page.article_id,
                    "external_id": page.external_id,
                    "precision": round(p, 4),
                    "recall": round(r, 4),
                    "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
                }
            )
        per_article.sort(key=lambda row: (row["f1"], row["external_id"]))
        results[name] = {
            "precision": round(figures.precision, 4),
            "recall": round(figures.recall, 4),
            "f1": round(figures.f1, 4),
            "f1_std": round(figures.f1_std, 4),
            "precision_std": round(figures.precision_std, 4),
            "recall_std": round(figures.recall_std, 4),
            "accuracy": round(figures.accuracy, 4),
            "accuracy_std": round(figures.accuracy_std, 4),
            "articles": figures.articles,
            "worst": per_article[:WORST_SHOWN],
        }
    return ExtractorRun.objects.create(project=project, results=results)


@dataclass(frozen=True)
class LeaderRow:
    name: str
    precision: float
    recall: float
    f1: float
    f1_std: float
    accuracy: float
    articles: int
    worst: list[dict]
    # The chart's geometry, in its own units (CHART_WIDTH wide, ROW_HEIGHT per row).
    y: float
    bar: float  # F1
    low: float  # F1 - std, clipped at 0
    high: float  # F1 + std, clipped at the width


@dataclass(frozen=True)
class Leaderboard:
    run: ExtractorRun | None
    rows: list[LeaderRow]

    @property
    def chart_height(self) -> int:
        return ROW_HEIGHT * len(self.rows) + 4


def leaderboard(*, project: Project) -> Leaderboard:
    """The latest run, best F1 first, with each article's first paragraph for the review link.

    Two queries.
    """
    run = ExtractorRun.objects.filter(project=project).order_by("-created_at", "-pk").first()
    if run is None:
        return Leaderboard(run=None, rows=[])
    wanted = {row["article_id"] for result in run.results.values() for row in result["worst"]}
    first_paragraph: dict[int, tuple[int, str]] = {
        article_id: (pk, title)
        for article_id, pk, title in Paragraph.objects.filter(
            article_id__in=wanted, index=0
        ).values_list("article_id", "pk", "article__title")
    }
    rows = []
    ranked = sorted(run.results.items(), key=lambda item: -item[1]["f1"])
    for position, (name, result) in enumerate(ranked):
        worst = [
            {
                **row,
                "paragraph_id": first_paragraph.get(row["article_id"], (None, ""))[0],
                "title": first_paragraph.get(row["article_id"], (None, ""))[1],
            }
            for row in result["worst"]
        ]
        f1, std = result["f1"], result["f1_std"]
        rows.append(
            LeaderRow(
                name=name,
                precision=result["precision"],
                recall=result["recall"],
                f1=f1,
                f1_std=std,
                accuracy=result["accuracy"],
                articles=result["articles"],
                worst=worst,
                y=position * ROW_HEIGHT,
                bar=f1 * CHART_WIDTH,
                low=max(0.0, f1 - std) * CHART_WIDTH,
                high=min(1.0, f1 + std) * CHART_WIDTH,
            )
        )
    return Leaderboard(run=run, rows=rows)


def stored_article_count(*, project: Project) -> int:
    """Articles of the project that keep their original page."""
    return Article.objects.filter(project=project, page__isnull=False).count()
