"""Annotation JSONL records: parse and format. Pure: no Django.

One line per annotation, ``{"article_id": str, "index": int, "annotator": str, "label": str}``
plus an optional ``"created_at"`` (ISO 8601 with a UTC offset). ``export_annotations`` writes
this shape and ``import_annotations`` reads it, so the two round-trip exactly.

Lines are read one at a time (``iter_records``), and every field follows the text rule of
labels.ingest.parsing: NUL, lone surrogates and non-characters are refused, never altered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from labels.ingest.parsing import ParseError, printable_name, text_problem

REQUIRED = ("article_id", "index", "annotator", "label")
MAX_INDEX = 2**31 - 1  # Paragraph.index is a PositiveIntegerField
_BOM = b"\xef\xbb\xbf"
FIELDS = (*REQUIRED, "created_at")
# Errors past this many are counted, not listed: a wrong file should not flood the terminal.
MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class AnnotationRecord:
    article_id: str
    index: int
    annotator: str
    label: str
    created_at: datetime | None = None
    line: int = 0  # where the record is in its file, for error messages


class RecordErrors(Exception):
    """Some lines of a file are bad; ``errors`` holds each as a ParseError (FILE:LINE: reason)."""

    def __init__(self, errors: list[ParseError], *, total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__("\n".join(str(e) for e in errors))

    def lines(self) -> list[str]:
        """The errors as printable lines, with a count of those left out."""
        shown = [str(error) for error in self.errors]
        if self.total > len(self.errors):
            shown.append(f"... and {self.total - len(self.errors)} more error(s)")
        return shown


class ErrorList:
    """Collects ParseErrors for one file, keeping the first MAX_ERRORS."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.kept: list[ParseError] = []
        self.total = 0

    def add(self, line: int | None, reason: str, *, field: str = "") -> None:
        self.total += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(ParseError(self.file, line, reason, field=field))

    def raise_any(self) -> None:
        """Raise RecordErrors if anything was added."""
        if self.total:
            raise RecordErrors(self.kept, total=self.total)


class BadField(ValueError):
    """One field of a record is wrong; ``field`` names it ("" for the line as a whole)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(reason)


def parse_records(data: bytes, *, file: str) -> list[AnnotationRecord]:
    """Every record of an annotation JSONL file; raises RecordErrors listing each bad line.

    Blank lines are ignored. The same (article, paragraph, annotator) twice is an error,
    because it is ambiguous which label is meant. Holds the file; see iter_records to stream.
    """
    errors = ErrorList(file)
    records: list[AnnotationRecord] = []
    seen: dict[tuple[str, int, str], int] = {}
    for record in iter_records(iter(data.split(b"\n")), file=file, errors=errors):
        key = (record.article_id, record.index, record.annotator)
        if key in seen:
            errors.add(record.line, again(record, first=seen[key]))
            continue
        seen[key] = record.line
        records.append(record)
    if not records and not errors.total:
        errors.add(None, "no annotations in the file")
    errors.raise_any()
    return records


def again(record: AnnotationRecord, *, first: int | None) -> str:
    """The error for a record that repeats an earlier line's (article, paragraph, annotator)."""
    where = f"first on line {first}" if first else "first on an earlier line"
    return (
        f"annotator {record.annotator!r} labels article {record.article_id!r} "
        f"paragraph {record.index} again ({where})"
    )


def iter_records(
    lines: Iterator[bytes], *, file: str, errors: ErrorList
) -> Iterator[AnnotationRecord]:
    """The good records of ``lines`` (bytes split at ``\\n``) as they come; each bad line
    goes to ``errors``. Holds one line at a time."""
    number = 0
    while (raw := next(lines, None)) is not None:
        number += 1
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if not raw or raw.isspace():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.add(number, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")
            continue
        del raw
        try:
            yield parse_record(text, line=number)
        except BadField as exc:
            errors.add(number, str(exc), field=exc.field)


def parse_record(raw: str, *, line: int) -> AnnotationRecord:
    """One line as a record; BadField (a ValueError) says which field is wrong and why."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadField("", f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise BadField("", "invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise BadField("", f"invalid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadField("", f"expected a JSON object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise BadField("", f"unknown field(s): {', '.join(printable_name(k) for k in unknown)}")
    missing = [name for name in REQUIRED if name not in value]
    if missing:
        raise BadField("", f"missing field(s): {', '.join(missing)}")
    for name in ("article_id", "annotator", "label"):
        if not isinstance(value[name], str) or not value[name].strip():
            raise BadField(name, "must be a non-empty string")
        problem = text_problem(value[name])
        if problem:
            raise BadField(name, problem)
    index = value["index"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_INDEX:
        raise BadField(
            "index", f"must be a whole number from 0 to {MAX_INDEX} (the paragraph's position)"
        )
    return AnnotationRecord(
        article_id=value["article_id"],
        index=index,
        annotator=value["annotator"],
        label=value["label"],
        created_at=parse_timestamp(value.get("created_at")),
        line=line,
    )


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp with a UTC offset (``Z`` allowed), or None when absent/null."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadField("created_at", "must be an ISO 8601 string")
    problem = text_problem(value)
    if problem:
        raise BadField("created_at", problem)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        shown = printable_name(value[:40])
        raise BadField("created_at", f"not an ISO 8601 timestamp: {shown!r}") from None
    if moment.tzinfo is None:
        # A time without an offset could be any of 24 hours; refuse rather than guess.
        raise BadField("created_at", "needs a UTC offset, e.g. 2024-05-01T12:00:00Z")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. year 1 with a positive offset
        raise BadField("created_at", "is out of range once converted to UTC") from None


def record_line(record: AnnotationRecord) -> str:
    """The record as one line of compact, UTF-8 (not ASCII-escaped) JSON with a newline."""
    row: dict[str, object] = {
        "article_id": record.article_id,
        "index": record.index,
        "annotator": record.annotator,
        "label": record.label,
    }
    if record.created_at is not None:
        row["created_at"] = record.created_at.astimezone(UTC).isoformat()
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
