"""Import articles into a project: parse, dedup by content hash, COPY, in bounded batches.

Atomic per file, whatever its size: a file is written in one transaction, or not at all,
and its error names the file, line and field. Other files of the same run keep their own
outcome. The file is streamed through that transaction: JSONL is read line by line, and
every ARTICLES_PER_BATCH articles (or PARAGRAPHS_PER_BATCH paragraphs, or
CHARACTERS_PER_BATCH characters of text) are deduplicated and written with one COPY before
the next are read. Memory therefore holds one batch, never the
file; the rows already written wait in the database, not in this process, until the commit.
A bad line at the end of a 5 GB file rolls back everything before it: the database discards
the written rows (they are dead tuples until autovacuum), and nothing of the file is kept.

Deduplication across batches needs no memory either: each batch asks the database for the
content hashes and ids it is about to write, and the database sees the earlier batches of
the same transaction. A txt or HTML file is one article and is read whole, up to
MAX_WHOLE_FILE_BYTES.

Progress: every entry point takes an optional ``progress`` callback (labels.ingest.progress),
called with an ImportProgress after each batch and each file: the command line draws it, a
background job can store it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from labels.ingest import archives, extractor, pages, parsing
from labels.ingest.progress import ImportProgress, ProgressCallback
from labels.jobs import retraining, search_index, suggesting
from labels.models import Article, Paragraph, Project

WholeFileParser = Callable[..., list[parsing.ParsedArticle]]

# Formats whose file is one article, parsed from its whole bytes.
WHOLE_FILE_PARSERS: dict[str, WholeFileParser] = {
    "txt": parsing.parse_txt,
    "html": extractor.parse_html_with_extractor,
}
STREAMED_FORMATS = ("jsonl",)
FORMATS = ("auto", "txt", "jsonl", "html")
PARAGRAPH_BATCH = 5000  # rows per INSERT on the portable (non-PostgreSQL) path
# A batch ends at whichever comes first, so a batch of long paragraphs stays small too.
ARTICLES_PER_BATCH = 2000
PARAGRAPHS_PER_BATCH = 20_000
CHARACTERS_PER_BATCH = 16 * 1024 * 1024
MAX_WHOLE_FILE_BYTES = archives.MAX_MEMBER_BYTES  # one txt or HTML article: 64 MB


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


class _Tracker:
    """Counts input bytes and stored rows, and tells the callback after each batch."""

    def __init__(self, callback: ProgressCallback | None, *, total_bytes: int = 0) -> None:
        self.callback = callback
        self.state = ImportProgress(total_bytes=total_bytes)

    def report(self) -> None:
        if self.callback is not None:
            self.callback(self.state)


class _CountedLines:
    """A binary stream's ``readline``, counting the bytes read for progress."""

    def __init__(self, stream: BinaryIO, tracker: _Tracker) -> None:
        self.stream = stream
        self.tracker = tracker

    def readline(self, size: int = -1, /) -> bytes:
        line = self.stream.readline(size)
        self.tracker.state.done_bytes += len(line)
        return line


def content_hash(article: parsing.ParsedArticle) -> str:
    """SHA-256 over the paragraph texts: the same article imported twice hashes the same."""
    digest = hashlib.sha256()
    for paragraph in article.paragraphs:
        digest.update(paragraph.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def text_hash(text: str) -> str:
    """Hash of the normalised text, so a recurring footer matches across articles."""
    # str.split() splits on exactly the characters re's \\s matches (str.isspace), so this is
    # re.sub(r"\\s+", " ", text).strip() at a fraction of the cost: it runs per paragraph.
    normalised = " ".join(text.split()).lower()
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


def format_of(name: str, fmt: str = "auto") -> str:
    """The format to read file ``name`` in; raises ParseError for an unknown one."""
    if fmt == "auto":
        suffix = Path(name).suffix.lower()
        fmt = parsing.SUFFIX_FORMATS.get(suffix) or EXTRA_SUFFIXES.get(suffix, "")
        if not fmt:
            raise parsing.ParseError(name, None, f"unknown format {suffix or '(no extension)'!r}")
    if fmt not in STREAMED_FORMATS and fmt not in WHOLE_FILE_PARSERS:
        raise parsing.ParseError(name, None, f"unknown format {fmt!r}")
    return fmt


def parse_bytes(data: bytes, *, name: str, fmt: str = "auto") -> list[parsing.ParsedArticle]:
    """Parse the bytes of file ``name`` in memory; raises ParseError naming file and line."""
    return list(read_articles(io.BytesIO(data), name=name, fmt=fmt, tracker=_Tracker(None)))


def read_articles(
    stream: BinaryIO, *, name: str, fmt: str, tracker: _Tracker
) -> Iterator[parsing.ParsedArticle]:
    """The articles of one file, read as they are needed (JSONL) or whole (txt, HTML)."""
    fmt = format_of(name, fmt)
    if fmt in STREAMED_FORMATS:
        yield from parsing.iter_jsonl(_CountedLines(stream, tracker), file=name)
        return
    data = stream.read(MAX_WHOLE_FILE_BYTES + 1)
    tracker.state.done_bytes += len(data)
    if len(data) > MAX_WHOLE_FILE_BYTES:
        raise parsing.ParseError(
            name,
            None,
            f"a {fmt} file is one article and is read whole: at most "
            f"{MAX_WHOLE_FILE_BYTES // (1024 * 1024)} MB (split it, or convert it to JSONL)",
        )
    if not data or data.isspace():  # isspace, unlike strip, copies nothing
        raise parsing.ParseError(name, 1, "empty file")
    yield from WHOLE_FILE_PARSERS[fmt](data, file=name)


def import_bytes(
    *, project: Project, data: bytes, name: str, fmt: str = "auto", suggest: bool = True
) -> FileOutcome:
    """Import one file given as bytes (see import_stream)."""
    return import_stream(
        project=project, stream=io.BytesIO(data), name=name, fmt=fmt, suggest=suggest
    )


def import_stream(
    *,
    project: Project,
    stream: BinaryIO,
    name: str,
    fmt: str = "auto",
    suggest: bool = True,
    progress: ProgressCallback | None = None,
    tracker: _Tracker | None = None,
) -> FileOutcome:
    """Parse and store one file's articles in one transaction; errors land in the outcome.

    The file is read as it is written (see the module docstring), so memory holds one batch.
    With ``suggest`` the new articles are queued for the suggestion job (labels.jobs.suggesting)
    in the same transaction.
    """
    tracker = tracker or _Tracker(progress)
    tracker.state.current = name
    outcome = FileOutcome(path=name)
    try:
        page = None
        if format_of(name, fmt) == "html":
            # An HTML file is one article, read whole anyway: its bytes are also the original
            # page kept for scoring extractors (labels.ingest.pages).
            page = stream.read(MAX_WHOLE_FILE_BYTES + 1)
            stream = io.BytesIO(page)
        with transaction.atomic():
            writer = _BatchWriter(
                project=project, name=name, outcome=outcome, suggest=suggest, tracker=tracker
            )
            for article in read_articles(stream, name=name, fmt=fmt, tracker=tracker):
                writer.add(article)
            writer.flush()
            if page is not None:
                pages.keep_original_pages(
                    project=project, hashes=writer.stored, data=page, name=name, fmt="html"
                )
    except parsing.ParseError as exc:
        _refuse(outcome, tracker, str(exc))
    except IntegrityError:
        # Another import of the same articles committed first; nothing of this file stayed.
        _refuse(
            outcome,
            tracker,
            f"{_shown(name)}: a concurrent import added the same articles; run it again",
        )
    except DatabaseError as exc:
        # The connection dropped or the server gave up mid-file: the transaction rolled back.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _refuse(
            outcome,
            tracker,
            f"{_shown(name)}: database error, nothing from this file was written ({reason})",
        )
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # the next file reconnects
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        # Reading failed part way (a disk error, a corrupt archive member): nothing was kept.
        _refuse(outcome, tracker, f"{_shown(name)}: cannot read: {exc}")
    tracker.state.files_done += 1
    tracker.report()
    return outcome


def _refuse(outcome: FileOutcome, tracker: _Tracker, error: str) -> None:
    tracker.state.articles -= outcome.articles
    tracker.state.paragraphs -= outcome.paragraphs
    tracker.state.errors += 1
    outcome.articles = outcome.duplicates = outcome.paragraphs = 0
    outcome.error = error


def _shown(name: str) -> str:
    return parsing.printable_name(name)


def import_file(
    *,
    project: Project,
    path: Path,
    fmt: str = "auto",
    suggest: bool = True,
    progress: ProgressCallback | None = None,
    tracker: _Tracker | None = None,
) -> list[FileOutcome]:
    """Import one file from disk, read as a stream (see import_source)."""
    tracker = tracker or _Tracker(progress, total_bytes=_size(path))
    try:
        stream = path.open("rb")
    except OSError as exc:
        tracker.state.errors += 1
        return [
            FileOutcome(path=str(path), error=f"{_shown(str(path))}: cannot read: {exc.strerror}")
        ]
    with stream:
        return import_source(
            project=project,
            data=stream,
            name=str(path),
            fmt=fmt,
            suggest=suggest,
            tracker=tracker,
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def import_paths(
    *,
    project: Project,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    suggest: bool = True,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import every file below ``paths``, each in its own transaction."""
    files = collect_files(paths)
    tracker = _Tracker(progress, total_bytes=sum(_size(path) for path in files))
    summary = ImportSummary()
    for path in files:
        summary.outcomes.extend(
            import_file(project=project, path=path, fmt=fmt, suggest=suggest, tracker=tracker)
        )
    retraining.queue_retraining_if_due(project=project)  # the end of an import batch
    return summary


def import_named_files(
    *,
    project: Project,
    files: Iterable[tuple[str, bytes | BinaryIO]],
    suggest: bool = True,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import (name, bytes or binary file) pairs, e.g. a web upload; the same outcomes as
    from disk. A file object is streamed, never read into memory whole."""
    tracker = _Tracker(progress)
    summary = ImportSummary()
    for name, data in files:
        summary.outcomes.extend(
            import_source(project=project, data=data, name=name, suggest=suggest, tracker=tracker)
        )
    retraining.queue_retraining_if_due(project=project)  # the end of an import batch
    return summary


def import_source(
    *,
    project: Project,
    data: bytes | BinaryIO,
    name: str,
    fmt: str = "auto",
    suggest: bool = True,
    tracker: _Tracker | None = None,
) -> list[FileOutcome]:
    """One outcome for a file, or one per member for a .zip archive (see import_archive).

    ``data`` is the file's bytes or a binary file, streamed (seekable, for an archive).
    """
    tracker = tracker or _Tracker(None)
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    if Path(name).suffix.lower() == ARCHIVE_SUFFIX:
        return import_archive(
            project=project, stream=stream, name=name, suggest=suggest, tracker=tracker
        )
    return [
        import_stream(
            project=project, stream=stream, name=name, fmt=fmt, suggest=suggest, tracker=tracker
        )
    ]


def import_archive(
    *,
    project: Project,
    stream: BinaryIO,
    name: str,
    suggest: bool = True,
    tracker: _Tracker | None = None,
) -> list[FileOutcome]:
    """Import every supported member of a zip archive, each in its own transaction.

    Members are parsed by their own suffix and named ``archive.zip:folder/page.html`` in
    their outcomes. A refused archive (see labels.ingest.archives for the limits) is one error
    outcome; a refused member is an error for that member only; an unsupported member
    (an image, a nested archive) is reported as skipped. Nothing is written to disk.
    """
    tracker = tracker or _Tracker(None)
    try:
        members = archives.iter_members(stream, file=name, wanted=is_importable_member)
    except parsing.ParseError as exc:
        tracker.state.errors += 1
        return [FileOutcome(path=name, error=str(exc))]
    outcomes: list[FileOutcome] = []
    for member in members:
        # Windows zip tools may write backslashes; the outcome and external id use slashes.
        member_path = member.name.replace("\\", "/")
        member_name = f"{name}:{member_path}"
        if member.error:
            tracker.state.errors += 1
            outcomes.append(
                FileOutcome(path=member_name, error=f"{_shown(member_name)}: {member.error}")
            )
        elif member.unsupported:
            suffix = Path(member_path).suffix.lower() or "(no extension)"
            outcomes.append(
                FileOutcome(path=member_name, skipped=f"unsupported file type {suffix!r}")
            )
        else:
            member_tracker_bytes = tracker.state.done_bytes
            outcomes.append(
                import_stream(
                    project=project,
                    stream=io.BytesIO(member.data),
                    name=member_name,
                    suggest=suggest,
                    tracker=tracker,
                )
            )
            # Progress counts the archive's own (compressed) bytes, as its total does.
            tracker.state.done_bytes = member_tracker_bytes + member.compressed_size
    if not outcomes:
        tracker.state.errors += 1
        outcomes.append(FileOutcome(path=name, error=f"{_shown(name)}: the archive holds no files"))
    return outcomes


def is_importable_member(name: str) -> bool:
    """Archive members we parse: the text and HTML formats, never a nested archive."""
    suffix = Path(name.replace("\\", "/")).suffix.lower()
    return suffix in parsing.SUFFIX_FORMATS or EXTRA_SUFFIXES.get(suffix) in WHOLE_FILE_PARSERS


class _BatchWriter:
    """Collects parsed articles and writes them a batch at a time. Use inside a transaction."""

    def __init__(
        self, *, project: Project, name: str, outcome: FileOutcome, suggest: bool, tracker: _Tracker
    ) -> None:
        self.project = project
        self.name = name
        self.outcome = outcome
        self.suggest = suggest
        self.tracker = tracker
        self.pending: list[parsing.ParsedArticle] = []
        self.pending_paragraphs = 0
        self.pending_characters = 0
        self.stored: list[str] = []  # content hashes of the file's new articles

    def add(self, article: parsing.ParsedArticle) -> None:
        self.pending.append(article)
        self.pending_paragraphs += len(article.paragraphs)
        self.pending_characters += sum(len(p.text) for p in article.paragraphs)
        if (
            len(self.pending) >= ARTICLES_PER_BATCH
            or self.pending_paragraphs >= PARAGRAPHS_PER_BATCH
            or self.pending_characters >= CHARACTERS_PER_BATCH
        ):
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        articles, self.pending = self.pending, []
        self.pending_paragraphs = self.pending_characters = 0
        before = (self.outcome.articles, self.outcome.paragraphs)
        stored = store_articles(
            project=self.project, articles=articles, name=self.name, outcome=self.outcome
        )
        self.stored.extend(stored)
        after_articles_stored(project=self.project, hashes=stored, suggest=self.suggest)
        self.tracker.state.articles += self.outcome.articles - before[0]
        self.tracker.state.paragraphs += self.outcome.paragraphs - before[1]
        self.tracker.report()


def after_articles_stored(*, project: Project, hashes: list[str], suggest: bool) -> None:
    """The one place for work that follows stored articles, inside the file's transaction.

    Called after each batch of a file is written (``hashes``: the content hashes of the
    batch's new articles), so a rollback of the file undoes it too.
    """
    if suggest and hashes:
        suggesting.after_import(project=project, hashes=hashes)
    if hashes:
        search_index.after_import(project=project)


def store_articles(
    *,
    project: Project,
    articles: Sequence[parsing.ParsedArticle],
    name: str,
    outcome: FileOutcome,
) -> list[str]:
    """Insert the new articles and their paragraphs; returns the new articles' content hashes.

    Call inside a transaction. Duplicates (by content hash) of articles already stored,
    earlier in the same transaction included, are counted and skipped; an id that is already
    taken by different content is a ParseError naming the article's line.
    """
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
                field="id",
            )
        seen_ids.add(article.external_id)
        seen_hashes.add(digest)
        new.append((article, digest))
    if not new:
        return []

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
    outcome.articles += len(new)
    outcome.paragraphs += sum(len(article.paragraphs) for article, _ in new)
    return [digest for _, digest in new]


def insert_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """Insert paragraphs given as {field attname: value}; returns how many.

    Fields a row leaves out get their model default. PostgreSQL gets one COPY (several times
    faster than multi-row INSERTs: the import's hot path); other databases get batched
    bulk_create. Constraints hold either way. Call inside a transaction.
    """
    if connection.vendor == "postgresql":
        return copy_paragraphs(rows=rows)
    return bulk_create_paragraphs(rows=rows)


COPY_CHUNK_BYTES = 1 << 20  # COPY data is sent in writes of about this size


def copy_escape(value: str) -> str:
    """``value`` in PostgreSQL COPY text format (backslash, tab, newline, return escaped)."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_formatter(field: models.Field) -> Callable[[object], str]:
    """How to write one field's Python value (as save() would store it) as COPY text."""
    if isinstance(field, models.JSONField):
        return lambda value: copy_escape(json.dumps(value, cls=field.encoder))
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.CharField | models.TextField):
        return copy_escape
    if isinstance(field, models.IntegerField | models.FloatField | models.ForeignKey):
        return str
    if isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat()
    return lambda value: copy_escape(str(field.get_db_prep_save(value, connection)))


def copy_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """COPY paragraph rows into PostgreSQL: every column, each value as save() would store it.

    The rows are written as COPY text by hand, a megabyte per write: psycopg's per-row
    adaptation (write_row) cost more than the database's own work per row.
    """
    fields = [f for f in Paragraph._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    columns = []
    for f in fields:
        fmt = _copy_formatter(f)
        default = (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
        )
        columns.append((f.attname, fmt, "\\N" if default is None else fmt(default)))
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(Paragraph._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    )
    missing = object()
    count = 0
    # Raw psycopg COPY: wrap its errors so callers see Django's IntegrityError as elsewhere.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        pending: list[str] = []
        size = 0
        for row in rows:
            values = []
            for attname, fmt, default in columns:
                value = row.get(attname, missing)
                if value is missing:
                    values.append(default)
                else:
                    values.append("\\N" if value is None else fmt(value))
            line = "\t".join(values) + "\n"
            pending.append(line)
            size += len(line)
            count += 1
            if size >= COPY_CHUNK_BYTES:
                copy.write("".join(pending))
                pending, size = [], 0
        if pending:
            copy.write("".join(pending))
    return count


def bulk_create_paragraphs(*, rows: Iterable[dict[str, object]]) -> int:
    """Insert paragraph rows with batched multi-row INSERTs (the portable path)."""
    paragraphs = (Paragraph(**row) for row in rows)
    return len(Paragraph.objects.bulk_create(paragraphs, batch_size=PARAGRAPH_BATCH))


def source_of(url: str) -> str:
    """The host of an http(s) url, or an empty string (also for a host too long to store)."""
    match = re.match(r"^https?://([^/?#:@]+)", url.strip(), flags=re.IGNORECASE)
    host = match.group(1).lower() if match else ""
    return host if len(host) <= parsing.MAX_SOURCE_LENGTH else ""
