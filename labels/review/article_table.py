"""The reviewers' data manager: every article of a project with its figures, searched,
filtered, sorted by any column and paged on the server.

Reads ``ArticleSummary`` (see ``article_summary`` for how it stays current) joined to the
article: one query counts the filtered set, one fetches the page, however many articles the
project holds. Search reaches the title, URL and external id of the article and the text of
its paragraphs: through ``ArticleText`` once the background job has indexed the article, and
through the paragraphs themselves before that. On PostgreSQL trigram indexes serve the
substring match (bench/bench_control_room.py measures a page at 100,000 articles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet

from labels.models import Article, ArticleSummary, ArticleText, Assignment, Paragraph, Project

PAGE_SIZE = 50

# Column name in links -> ORM field. Every column of the table sorts.
SORTS = {
    "title": "title",
    "external_id": "external_id",
    "status": "status",
    "annotators": "annotators",
    "labelled": "labelled",
    "agreement": "agreement",
    "open": "open_disagreements",
    "flags": "flags",
    "skips": "skips",
    "source": "source",
    "imported": "imported_at",
    "priority": "priority",
}


@dataclass(frozen=True)
class ArticleQuery:
    """What the reviewer asked for; every field narrows or orders the list."""

    search: str = ""
    status: int | None = None
    annotator: str = ""
    source: str = ""
    has_flags: bool = False
    has_open: bool = False
    controls: bool = False
    sort: str = "imported"
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class ArticlePage:
    rows: list[ArticleSummary] = field(default_factory=list)  # with ``article`` loaded
    total: int = 0
    page: int = 1
    pages: int = 1


def filtered(*, project: Project, query: ArticleQuery) -> QuerySet[ArticleSummary]:
    """The project's summary rows that match the query, in the asked order (id breaks ties)."""
    rows = ArticleSummary.objects.filter(project=project)
    if query.search:
        text = query.search
        # Two hashed IN lists, each served by its own trigram index, rather than an OR of
        # per-row tests: an EXISTS per article would read every paragraph of the project.
        # The union of what each column's trigram index finds is small, so PostgreSQL reads
        # the summary rows by key. An OR of LIKEs (or of IN lists) read every row instead.
        found = [
            Article.objects.filter(project=project, **{f"{column}__icontains": text})
            .order_by()
            .values("pk")
            for column in ("title", "url", "external_id")
        ]
        in_text = (
            ArticleText.objects.filter(project=project, text__icontains=text)
            .order_by()
            .values("article_id")
        )
        # Articles the indexing job has not reached yet (a partial index lists them).
        not_indexed = (
            Paragraph.objects.filter(
                article__project=project, article__search_indexed=False, text__icontains=text
            )
            .order_by()
            .values("article_id")
        )
        rows = rows.filter(article_id__in=found[0].union(*found[1:], in_text, not_indexed))
    if query.status is not None:
        rows = rows.filter(status=query.status)
    if query.annotator:
        rows = rows.filter(
            Exists(
                Assignment.objects.filter(
                    article_id=OuterRef("article_id"),
                    annotator__username=query.annotator,
                    status__in=Assignment.LIVE,
                )
            )
        )
    if query.source:
        rows = rows.filter(source=query.source)
    if query.has_flags:
        rows = rows.filter(flags__gt=0)
    if query.has_open:
        rows = rows.filter(open_disagreements__gt=0)
    if query.controls:
        rows = rows.filter(
            article_id__in=Article.objects.filter(
                project=project, control_since__isnull=False
            ).values("pk")
        )
    column = F(SORTS.get(query.sort, SORTS["imported"]))
    # Articles without a figure (no agreement yet) sort last in both directions.
    if query.descending:
        return rows.order_by(column.desc(nulls_last=True), F("article_id").desc())
    return rows.order_by(column.asc(nulls_last=True), "article_id")


def article_page(*, project: Project, query: ArticleQuery) -> ArticlePage:
    """One page of the filtered list; a page past the end shows the last page. Three queries.

    The page's ids are sorted on the summary table alone (a top-N sort of one table), and
    only those rows are then read with their articles: joining first would make PostgreSQL
    join every article of the project before it sorts.
    """
    rows = filtered(project=project, query=query)
    total = rows.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(query.page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    ids = list(rows.values_list("article_id", flat=True)[start : start + PAGE_SIZE])
    loaded = ArticleSummary.objects.select_related("article").in_bulk(ids)
    return ArticlePage(rows=[loaded[pk] for pk in ids], total=total, page=page, pages=pages)


# A loose index scan: each step is one probe of the (project, source) index for the next
# larger source, so listing a handful of sources does not read 100,000 index entries.
_SOURCES_SQL = """
WITH RECURSIVE found(source) AS (
    SELECT MIN(source) FROM labels_article WHERE project_id = %(project)s AND source > ''
    UNION ALL
    SELECT (SELECT MIN(a.source) FROM labels_article a
            WHERE a.project_id = %(project)s AND a.source > found.source)
    FROM found WHERE found.source IS NOT NULL
)
SELECT source FROM found WHERE source IS NOT NULL LIMIT 500
"""


def sources(*, project: Project) -> list[str]:
    """The distinct sources of the project's articles, for the filter, in order (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_SOURCES_SQL, {"project": project.pk})
        return [source for (source,) in cursor.fetchall()]
