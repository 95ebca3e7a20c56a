"""Import articles into a project: parse, dedup by content hash, bulk insert.

One transaction per file: a file either lands whole or not at all, and its error names the
file and line. Other files of the same run keep their own outcome.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from labels.ingest import archives, extractor, pages, parsing
from labels.models import Article, Paragraph, Project
from labels.suggestions import learning, preannotation

Parser = Callable[..., list[parsing.ParsedArticle]]

PARSERS: dict[str, Parser] = {
    "txt": parsing.parse_txt,
    "jsonl": parsing.parse_jsonl,
    "html": extractor.parse_html_with_extractor,
}
FORMATS = ("auto", *PARSERS)
PARAGRAPH_BATCH = 5000

_WHITESPACE = re.compile(r"\s+")


@dataclass
class FileOutcome:
    path: str
    articles: int = 0
    duplicates: int = 0
    paragraphs: int = 0
    error: str | None = None
    skipped: str | None = None  # an archive member we do not import (not an error)


@dataclass
class ImportSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.outcomes)

    @property
    def articles(self) -> int:
        return sum(o.articles for o in self.outcomes)

    @property
    def duplicates(self) -> int:
        return sum(o.duplicates for o in self.outcomes)

    @property
    def paragraphs(self) -> int:
        return sum(o.paragraphs for o in self.outcomes)

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error]

    @property
    def skipped(self) -> int:
        return sum(1 for o in self.outcomes if o.skipped)

    def describe(self) -> str:
        skipped = f", {self.skipped} unsupported archive member(s) skipped" if self.skipped else ""
        return (
            f"{self.files} file(s), {self.articles} article(s) imported, "
            f"{self.duplicates} duplicate(s) skipped, {self.paragraphs} paragraph(s), "
            f"{len(self.errors)} file(s) with errors{skipped}"
        )


def content_hash(article: parsing.ParsedArticle) -> str:
    """SHA-256 over the paragraph texts: the same article imported twice hashes the same."""
    digest = hashlib.sha256()
    for paragraph in article.paragraphs:
        digest.update(paragraph.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def text_hash(text: str) -> str:
    """Hash of the normalised text, so a recurring footer matches across articles."""
    normalised = _WHITESPACE.sub(" ", text).strip().lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Explicit files as given; directories expanded to their supported files, sorted."""
    supported = set(parsing.SUFFIX_FORMATS) | set(EXTRA_SUFFIXES)
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in supported)
            )
        else:
            files.append(path)
    return files


# Suffixes that other parsers register (e.g. HTML); collect_files picks them up from folders.
# A .zip is read as an archive (see import_source), whatever --format says.
EXTRA_SUFFIXES: dict[str, str] = {".html": "html", ".htm": "html", ".zip": "zip"}
ARCHIVE_SUFFIX = ".zip"


def parse_bytes(data: bytes, *, name: str, fmt: str = "auto") -> list[parsing.ParsedArticle]:
    """Parse the bytes of file ``name``; raises ParseError naming the file and line."""
    if fmt == "auto":
        suffix = Path(name).suffix.lower()
        fmt = parsing.SUFFIX_FORMATS.get(suffix) or EXTRA_SUFFIXES.get(suffix, "")
        if not fmt:
            raise parsing.ParseError(name, None, f"unknown format {suffix or '(no extension)'!r}")
    parser = PARSERS.get(fmt)
    if parser is None:
        raise parsing.ParseError(name, None, f"unknown format {fmt!r}")
    if not data.strip():
        raise parsing.ParseError(name, 1, "empty file")
    return parser(data, file=name)


def import_bytes(
    *, project: Project, data: bytes, name: str, fmt: str = "auto", suggest: bool = True
) -> FileOutcome:
    """Parse and store one file's articles in one transaction; errors land in the outcome.

    With ``suggest`` the new paragraphs get their suggested labels in the same transaction.
    """
    outcome = FileOutcome(path=name)
    try:
        articles = parse_bytes(data, name=name, fmt=fmt)
        with transaction.atomic():
            store_articles(project=project, articles=articles, name=name, outcome=outcome)
            if outcome.articles:
                pages.keep_original_pages(
                    project=project,
                    articles=articles,
                    hashes=[content_hash(article) for article in articles],
                    data=data,
                    name=name,
                    fmt=fmt,
                )
            if suggest and outcome.articles:
                preannotation.suggest_imported(project=project, hashes=map(content_hash, articles))
    except parsing.ParseError as exc:
        outcome.articles = outcome.duplicates = outcome.paragraphs = 0
        outcome.error = str(exc)
    except IntegrityError:
        # Another import of the same articles committed first; nothing of this file stayed.
        outcome.articles = outcome.duplicates = outcome.paragraphs = 0
        outcome.error = f"{name}: a concurrent import added the same articles; run it again"
    except DatabaseError as exc:
        # The connection dropped or the server gave up mid-file: the transaction rolled back.
        outcome.articles = outcome.duplicates = outcome.paragraphs = 0
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        outcome.error = f"{name}: database error, nothing from this file was written ({reason})"
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # the next file reconnects
    return outcome


def import_file(
    *, project: Project, path: Path, fmt: str = "auto", suggest: bool = True
) -> list[FileOutcome]:
    """Import one file from disk (see import_source)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [FileOutcome(path=str(path), error=f"{path}: cannot read: {exc.strerror}")]
    return import_source(project=project, data=data, name=str(path), fmt=fmt, suggest=suggest)


def import_paths(
    *, project: Project, paths: Sequence[str | Path], fmt: str = "auto", suggest: bool = True
) -> ImportSummary:
    """Import every file below ``paths``, each in its own transaction."""
    summary = ImportSummary()
    for path in collect_files(paths):
        summary.outcomes.extend(import_file(project=project, path=path, fmt=fmt, suggest=suggest))
    learning.retrain_if_due(project=project)  # the end of an import batch
    return summary


def import_named_files(
    *, project: Project, files: Iterable[tuple[str, bytes]], suggest: bool = True
) -> ImportSummary:
    """Import (name, bytes) pairs, e.g. a web upload; the same outcomes as from disk."""
    summary = ImportSummary()
    for name, data in files:
        summary.outcomes.extend(
            import_source(project=project, data=data, name=name, suggest=suggest)
        )
    learning.retrain_if_due(project=project)  # the end of an import batch
    return summary


def import_source(
    *, project: Project, data: bytes, name: str, fmt: str = "auto", suggest: bool = True
) -> list[FileOutcome]:
    """One outcome for a file, or one per member for a .zip archive (see import_archive)."""
    if Path(name).suffix.lower() == ARCHIVE_SUFFIX:
        return import_archive(project=project, data=data, name=name, suggest=suggest)
    return [import_bytes(project=project, data=data, name=name, fmt=fmt, suggest=suggest)]


def import_archive(
    *, project: Project, data: bytes, name: str, suggest: bool = True
) -> list[FileOutcome]:
    """Import every supported member of a zip archive, each in its own transaction.

    Members are parsed by their own suffix and named ``archive.zip:folder/page.html`` in
    their outcomes. A refused archive (see labels.ingest.archives for the limits) is one error
    outcome; a refused member is an error for that member only; an unsupported member
    (an image, a nested archive) is reported as skipped. Nothing is written to disk.
    """
    try:
        members = archives.iter_members(data, file=name, wanted=is_importable_member)
    except parsing.ParseError as exc:
        return [FileOutcome(path=name, error=str(exc))]
    outcomes: list[FileOutcome] = []
    for member in members:
        # Windows zip tools may write backslashes; the outcome and external id use slashes.
        member_path = member.name.replace("\\", "/")
        member_name = f"{name}:{member_path}"
        if member.error:
            outcomes.append(FileOutcome(path=member_name, error=f"{member_name}: {member.error}"))
        elif member.unsupported:
            suffix = Path(member_path).suffix.lower() or "(no extension)"
            outcomes.append(
                FileOutcome(path=member_name, skipped=f"unsupported file type {suffix!r}")
            )
        else:
            outcomes.append(
                import_bytes(project=project, data=member.data, name=member_name, suggest=suggest)
            )
    if not outcomes:
        outcomes.append(FileOutcome(path=name, error=f"{name}: the archive holds no files"))
    return outcomes


def is_importable_member(name: str) -> bool:
    """Archive members we parse: the text and HTML formats, never a nested archive."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return suffix in parsing.SUFFIX_FORMATS or EXTRA_SUFFIXES.get(suffix) in PARSERS


def store_articles(
    *,
    project: Project,
    articles: Sequence[parsing.ParsedArticle],
    name: str,
    outcome: FileOutcome,
) -> None:
    """Insert the new articles and their paragraphs. Call inside a transaction."""
    hashes = [content_hash(article) for article in articles]
    existing_hashes = set(
        Article.objects.filter(project=project, content_hash__in=hashes).values_list(
            "content_hash", flat=True
        )
    )
    ids = [article.external_id for article in articles]
    existing_ids = set(
        Article.objects.filter(project=project, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    new: list[tuple[parsing.ParsedArticle, str]] = []
    seen_ids: set[str] = set()
    seen_hashes: set[str] = set()
    for article, digest in zip(articles, hashes, strict=True):
        if digest in existing_hashes or digest in seen_hashes:
            outcome.duplicates += 1
            continue
        if article.external_id in existing_ids or article.external_id in seen_ids:
            raise parsing.ParseError(
                name,
                article.line,
                f"article id {article.external_id!r} already exists with different content",
            )
        seen_ids.add(article.external_id)
        seen_hashes.add(digest)
        new.append((article, digest))

    rows = Article.objects.bulk_create(
        Article(
            project=project,
            external_id=article.external_id,
            title=article.title,
            url=article.url,
            source=article.source or source_of(article.url),
            meta=article.meta,
            content_hash=digest,
            open_slots=project.overlap,
        )
        for article, digest in new
    )
    insert_paragraphs(
        rows=(
            {
                "article_id": row.pk,
                "index": index,
                "text": paragraph.text,
                "meta": paragraph.meta,
                "text_hash": text_hash(paragraph.text),
            }
            for row, (article, _) in zip(rows, new, strict=True)
            for index, paragraph in enumerate(article.paragraphs)
        )
    )
    outcome.articles = len(new)
    outcome.paragraphs = sum(len(article.paragraphs) for article, _ in new)


def insert_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """Insert paragraphs given as {field attname: value}; returns how many.

    Fields a row leaves out get their model default. PostgreSQL gets one COPY (several times
    faster than multi-row INSERTs: the import's hot path); other databases get batched
    bulk_create. Constraints hold either way. Call inside a transaction.
    """
    if connection.vendor == "postgresql":
        return copy_paragraphs(rows=rows)
    return bulk_create_paragraphs(rows=rows)


# Fields whose Python value is already what the database takes: COPY skips Django's
# per-value preparation for them, the bulk of the cost per row. Others (JSON, dates) get it.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
    models.ForeignKey,
)


def copy_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """COPY paragraph rows into PostgreSQL: every column, each value as save() would store it."""
    fields = [f for f in Paragraph._meta.concrete_fields if not f.primary_key]
    plain = [isinstance(f, _PLAIN_FIELDS) and not getattr(f, "auto_now_add", False) for f in fields]
    now = timezone.now()
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    }
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(Paragraph._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    )
    columns = list(zip(fields, plain, strict=True))
    count = 0
    # Raw psycopg COPY: wrap its errors so callers see Django's IntegrityError as elsewhere.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            values = []
            for field, is_plain in columns:
                value = row.get(field.attname, defaults[field.attname])
                values.append(value if is_plain else field.get_db_prep_save(value, connection))
            copy.write_row(values)
            count += 1
    return count


def bulk_create_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """Insert paragraph rows with batched multi-row INSERTs (the portable path)."""
    paragraphs = (Paragraph(**row) for row in rows)
    return len(Paragraph.objects.bulk_create(paragraphs, batch_size=PARAGRAPH_BATCH))


def source_of(url: str) -> str:
    """The host of an http(s) url, or an empty string."""
    match = re.match(r"^https?://([^/?#:@]+)", url.strip(), flags=re.IGNORECASE)
    return match.group(1).lower() if match else ""
