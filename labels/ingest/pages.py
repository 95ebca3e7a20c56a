"""The original HTML page of each imported web article, kept compressed for extractor scoring.

``score_extractors`` runs extractors on the page as it was imported, so the page is kept:
zlib-compressed (news pages shrink five to ten times), and cut at PAGE_CAP bytes before
compression, so one huge upload cannot fill the database (a cut page is marked ``truncated``
and still scores, on its first PAGE_CAP bytes). Only HTML imports keep a page; text and JSONL
imports have none. Retention: a page lives as long as its article, or until
``manage.py purge_pages`` deletes the stored pages of a project (articles, labels and gold
stay; extractors can then no longer be scored on those articles).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Sum

from labels.models import Article, ArticlePage, Project

PAGE_CAP = 4 * 1024 * 1024  # the CNN page of the corpus, the largest, is 1.4 MiB
HTML_SUFFIXES = frozenset({".html", ".htm"})


def keep_original_pages(
    *,
    project: Project,
    hashes: Sequence[str],
    data: bytes,
    name: str,
    fmt: str,
) -> int:
    """Store the page of the just-imported HTML articles that have none; returns how many.

    Call inside the import's transaction, after the articles are stored.
    """
    suffix = Path(name.rsplit(":", 1)[-1]).suffix.lower()
    if fmt != "html" and not (fmt == "auto" and suffix in HTML_SUFFIXES):
        return 0
    if not hashes:
        return 0
    cut = data[:PAGE_CAP]
    compressed = zlib.compress(cut, 6)
    missing = Article.objects.filter(
        project=project, content_hash__in=list(hashes), page__isnull=True
    ).values_list("pk", flat=True)
    pages = [
        ArticlePage(
            article_id=pk,
            compressed=compressed,
            original_size=len(data),
            stored_size=len(compressed),
            truncated=len(data) > PAGE_CAP,
        )
        for pk in missing
    ]
    ArticlePage.objects.bulk_create(pages)
    return len(pages)


def page_html(page: ArticlePage) -> bytes:
    """The stored page's bytes (its first PAGE_CAP bytes when truncated)."""
    return zlib.decompress(bytes(page.compressed))


@dataclass(frozen=True)
class StoredPages:
    pages: int
    original_bytes: int
    stored_bytes: int


def stored_pages(*, project: Project) -> StoredPages:
    """How many pages the project keeps and their sizes, as imported and as stored."""
    totals = ArticlePage.objects.filter(article__project=project).aggregate(
        pages=Count("pk"), original=Sum("original_size"), stored=Sum("stored_size")
    )
    return StoredPages(
        pages=totals["pages"] or 0,
        original_bytes=totals["original"] or 0,
        stored_bytes=totals["stored"] or 0,
    )


def purge_pages(*, project: Project) -> int:
    """Delete every stored page of the project; returns how many."""
    deleted, _ = ArticlePage.objects.filter(article__project=project).delete()
    return deleted
