"""Annotation JSONL records: parse and format. Pure: no Django.

One line per annotation, ``{"article_id": str, "index": int, "annotator": str, "label": str}``
plus an optional ``"created_at"`` (ISO 8601 with a UTC offset). ``export_annotations`` writes
this shape and ``import_annotations`` reads it, so the two round-trip exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from labels.ingest.parsing import ParseError, decode_utf8

REQUIRED = ("article_id", "index", "annotator", "label")
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

    def add(self, line: int | None, reason: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(ParseError(self.file, line, reason))

    def raise_any(self) -> None:
        """Raise RecordErrors if anything was added."""
        if self.total:
            raise RecordErrors(self.kept, total=self.total)


def parse_records(data: bytes, *, file: str) -> list[AnnotationRecord]:
    """Every record of an annotation JSONL file; raises RecordErrors listing each bad line.

    Blank lines are ignored. The same (article, paragraph, annotator) twice is an error,
    because it is ambiguous which label is meant.
    """
    try:
        text = decode_utf8(data, file=file)
    except ParseError as exc:
        raise RecordErrors([exc]) from None
    errors = ErrorList(file)
    records: list[AnnotationRecord] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = parse_record(raw, line=number)
        except ValueError as exc:
            errors.add(number, str(exc))
            continue
        key = (record.article_id, record.index, record.annotator)
        if key in seen:
            errors.add(
                number,
                f"annotator {record.annotator!r} labels article {record.article_id!r} "
                f"paragraph {record.index} again (first on line {seen[key]})",
            )
            continue
        seen[key] = number
        records.append(record)
    if not records and not errors.total:
        errors.add(None, "no annotations in the file")
    errors.raise_any()
    return records


def parse_record(raw: str, *, line: int) -> AnnotationRecord:
    """One line as a record; ValueError says what is wrong with it."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(map(repr, unknown))}")
    missing = [name for name in REQUIRED if name not in value]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(map(repr, missing))}")
    for name in ("article_id", "annotator", "label"):
        if not isinstance(value[name], str) or not value[name].strip():
            raise ValueError(f"{name!r} must be a non-empty string")
    index = value["index"]
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError("'index' must be a whole number >= 0 (the paragraph's position, from 0)")
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
        raise ValueError("'created_at' must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'created_at' is not an ISO 8601 timestamp: {value[:40]!r}") from None
    if moment.tzinfo is None:
        # A time without an offset could be any of 24 hours; refuse rather than guess.
        raise ValueError("'created_at' needs a UTC offset, e.g. 2024-05-01T12:00:00Z")
    return moment.astimezone(UTC)


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
