"""A second opinion on body vs boilerplate for web pages, from trafilatura. Pure: no Django.

trafilatura is a well-kept main-content extractor; we run it once per page, at import, on the
page we already decoded (never fetching anything), and record per paragraph whether its text
is part of what trafilatura extracted (``meta["extracted"]``). The suggester reads that flag
later, so re-running suggestions never needs the original HTML again.
"""

from __future__ import annotations

import dataclasses
import logging

import trafilatura

from labels.ingest.parsing import ParsedArticle
from labels.ingest.webpages import decode_html, parse_html

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
# Below this many non-space characters a paragraph ("Share", "AP", "Photo") could sit inside
# the extracted text by coincidence, so it only counts when it is a whole extracted line.
SHORT_PARAGRAPH = 25

# trafilatura reports pages it cannot extract as warnings on its logger; the flag says enough.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def parse_html_with_extractor(data: bytes, *, file: str) -> list[ParsedArticle]:
    """parse_html, plus each paragraph's ``extracted`` flag from trafilatura (see module doc)."""
    articles = parse_html(data, file=file)
    # parse_html accepted the bytes, so decoding them again cannot fail.
    html = decode_html(data, file=file)
    return [mark_extracted(article, html=html) for article in articles]


def mark_extracted(article: ParsedArticle, *, html: str) -> ParsedArticle:
    """The article with ``meta["extracted"]`` on every paragraph, or unchanged if trafilatura
    finds no main content (then the suggester simply has no extractor signal)."""
    try:
        extracted = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            deduplicate=False,
        )
    except Exception:  # a third-party failure must cost the signal, not the import
        extracted = None
    if not extracted:
        return article
    lines = {_squeeze(line) for line in extracted.splitlines()}
    whole = "".join(_squeeze(line) for line in extracted.splitlines())
    paragraphs = tuple(
        dataclasses.replace(
            paragraph,
            meta={**paragraph.meta, "extracted": _is_extracted(paragraph.text, lines, whole)},
        )
        for paragraph in article.paragraphs
    )
    return dataclasses.replace(
        article, paragraphs=paragraphs, meta={**article.meta, "extractor": EXTRACTOR}
    )


def _is_extracted(text: str, lines: set[str], whole: str) -> bool:
    squeezed = _squeeze(text)
    if len(squeezed) < SHORT_PARAGRAPH:
        return squeezed in lines
    return squeezed in whole


def _squeeze(text: str) -> str:
    # The extractor and our segmenter space inline markup differently; compare without spaces.
    return "".join(text.split())
