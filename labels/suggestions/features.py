"""What the learned suggester sees of a paragraph: a fixed-length vector of numbers. Pure.

Everything a paragraph has, whatever its import format:
- text statistics (length, words, sentence ending, capitals, digits, quotation marks) and the
  first words, hashed into buckets (boilerplate repeats its wording: "Advertisement");
- position in the article, and the neighbours' length and extractor flag;
- for web pages, from the import's ``meta``: tag, regions, link density, heading level and the
  DOM path, whose class and id names are hashed into buckets (a site puts its body in one
  container, so after a few labelled articles the path alone says a lot);
- repetition across the site (site memory: in how many other articles of the same site the
  same text appears);
- agreement with trafilatura's extraction (``meta["extracted"]``);
- the rules' own suggestion, so the model starts from them and learns where they go wrong.

Hashing uses CRC-32, which is stable across processes (Python's ``hash`` is salted), so a
stored model reads the same features tomorrow. Bump VERSION when the vector changes: a model
trained on another version is not used.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from labels.suggestions import suggest

VERSION = "features-1"

TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "td", "div")
REGIONS = ("header", "nav", "footer", "aside", "figure")
RULE_NAMES = tuple(rule[0] for rule in suggest.RULES)
LABELS = (suggest.BODY, suggest.BOILERPLATE, suggest.QUOTE, suggest.CAPTION)
PATH_BUCKETS = 64
WORD_BUCKETS = 64
FIRST_WORDS = 6
_PATH_NAME = re.compile(r"[#.]([A-Za-z][\w-]*)")
_WORD = re.compile(r"\w+", re.UNICODE)
_OPENING_QUOTES = "\"“„«‘'"


@dataclass(frozen=True)
class ParagraphInput:
    """One paragraph as the features see it."""

    text: str
    meta: Mapping[str, object]
    repeats: int = 0  # other articles of the same site holding the same text


def article_features(paragraphs: Sequence[ParagraphInput], *, title: str = "") -> list[list[float]]:
    """One feature vector per paragraph of one article, in order (all of the same length)."""
    ruled = suggest.suggest_article([(p.text, p.meta) for p in paragraphs], title=title)
    count = len(paragraphs)
    rows = []
    for index, paragraph in enumerate(paragraphs):
        before = paragraphs[index - 1] if index > 0 else None
        after = paragraphs[index + 1] if index + 1 < count else None
        rule = ruled[index]
        row: list[float] = []
        row += _text(paragraph.text, title=title)
        row += _position(index, count)
        row += _markup(paragraph.meta)
        row += _neighbour(before, paragraph)
        row += _neighbour(after, paragraph)
        row += [math.log1p(paragraph.repeats), float(paragraph.repeats > 0)]
        row += [float(rule.label == label) for label in LABELS]
        row += [float(rule.rule == name) for name in RULE_NAMES]
        row.append(rule.confidence)
        row += _hashed(_path_names(paragraph.meta), PATH_BUCKETS)
        row += _hashed(_first_words(paragraph.text), WORD_BUCKETS)
        rows.append(row)
    return rows


def width() -> int:
    """How many numbers each vector holds."""
    return len(article_features([ParagraphInput(text="x", meta={})])[0])


def _text(text: str, *, title: str) -> list[float]:
    stripped = text.strip()
    words = stripped.split()
    letters = [c for c in stripped if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    digits = sum(c.isdigit() for c in stripped)
    quotes = sum(stripped.count(mark) for mark in '"“”«»')
    clean_title = " ".join(title.split()).lower()
    clean_text = " ".join(words).lower()
    return [
        math.log1p(len(stripped)),
        math.log1p(len(words)),
        (sum(len(w) for w in words) / len(words)) if words else 0.0,
        upper / len(letters) if letters else 0.0,
        digits / max(len(stripped), 1),
        quotes / max(len(words), 1),
        float(bool(stripped) and stripped[0] in _OPENING_QUOTES),
        float(stripped.rstrip(" \"'”’»)]").endswith((".", "!", "?", "…"))),
        float(stripped.endswith(":")),
        float(stripped.count(". ") + 1 if stripped else 0) / 10,
        float(bool(stripped) and stripped[0].isupper()),
        float(bool(clean_title) and clean_text == clean_title),
        float(bool(clean_title) and bool(clean_text) and clean_text in clean_title),
        float("|" in stripped or "•" in stripped or "·" in stripped),
    ]


def _position(index: int, count: int) -> list[float]:
    return [
        index / max(count - 1, 1),
        float(index == 0),
        float(index == count - 1),
        math.log1p(index),
        math.log1p(count - 1 - index),
        math.log1p(count),
    ]


def _extracted(meta: Mapping[str, object]) -> list[float]:
    value = meta.get("extracted")
    return [float(value is True), float(value is False), float(not isinstance(value, bool))]


def _markup(meta: Mapping[str, object]) -> list[float]:
    tag = meta.get("tag") if isinstance(meta.get("tag"), str) else ""
    regions = meta.get("in") if isinstance(meta.get("in"), list) else []
    density = meta.get("link_density")
    level = meta.get("heading_level")
    path = meta.get("path") if isinstance(meta.get("path"), str) else ""
    return [
        float(isinstance(density, int | float)),
        float(density) if isinstance(density, int | float) else 0.0,
        *(float(tag == name) for name in TAGS),
        float(bool(tag) and tag not in TAGS),
        *(float(name in regions) for name in REGIONS),
        float(level) / 6 if isinstance(level, int) else 0.0,
        float(path.count(">")) / 4 if path else 0.0,
        *_extracted(meta),
    ]


def _neighbour(other: ParagraphInput | None, paragraph: ParagraphInput) -> list[float]:
    if other is None:
        return [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    density = other.meta.get("link_density")
    return [
        0.0,
        math.log1p(len(other.text)),
        float(density) if isinstance(density, int | float) else 0.0,
        *_extracted(other.meta)[:2],
        float(
            other.meta.get("path") is not None
            and other.meta.get("path") == paragraph.meta.get("path")
        ),
        float(
            other.meta.get("tag") is not None and other.meta.get("tag") == paragraph.meta.get("tag")
        ),
    ]


def _path_names(meta: Mapping[str, object]) -> list[str]:
    path = meta.get("path")
    if not isinstance(path, str):
        return []
    # Tag names alone ("div", "p") say little; ids and classes name the container.
    return [f"path:{name.lower()}" for name in _PATH_NAME.findall(path)] + [
        f"leaf:{path.rsplit('>', 1)[-1].lower()}"
    ]


def _first_words(text: str) -> list[str]:
    return [f"word:{word.lower()}" for word in _WORD.findall(text)[:FIRST_WORDS]]


def _hashed(names: Sequence[str], buckets: int) -> list[float]:
    row = [0.0] * buckets
    for name in names:
        row[zlib.crc32(name.encode("utf-8")) % buckets] = 1.0
    return row
