"""Turn import files into ParsedArticle values. Pure: no Django, so it tests in microseconds.

Every error is a ParseError naming the file and line, so the import command can print
``FILE:LINE: reason`` and write nothing from that file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

TEXT_FORMATS = ("txt", "jsonl")
SUFFIX_FORMATS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl"}

ARCHIVE_MEMBER_SEPARATOR = ".zip:"

_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n(?:[ \t\f\v]*\n)*")
_JSONL_KEYS = {"id", "title", "url", "source", "meta", "text", "paragraphs"}


class ParseError(Exception):
    """A file could not be parsed; ``str()`` reads ``FILE:LINE: reason``."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class ParsedParagraph:
    text: str
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedArticle:
    external_id: str
    title: str
    paragraphs: tuple[ParsedParagraph, ...]
    url: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict)
    line: int = 1  # where the article starts in its file, for error messages


def format_for(path: str, requested: str = "auto") -> str:
    """The format to parse ``path`` with: ``requested`` unless it is ``auto``, else by suffix."""
    if requested != "auto":
        return requested
    suffix = PurePath(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        raise ParseError(path, None, f"unknown format {suffix or '(no extension)'!r}")
    return SUFFIX_FORMATS[suffix]


def external_id_from(file: str) -> str:
    """The file's name without folders or extension; for an archive member, named
    ``archive.zip:folder/page.html`` by the importer, the member's (``page``)."""
    _, separator, member = file.rpartition(ARCHIVE_MEMBER_SEPARATOR)
    return PurePath(member if separator else file).stem


def decode_utf8(data: bytes, *, file: str) -> str:
    """Decode UTF-8 (a BOM is dropped); undecodable bytes are an error naming their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(file, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})") from None
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL; refuse rather than silently alter the text.
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(file, line, "contains a NUL byte")
    return text


def split_paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, in order; line breaks inside a block are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = (block.strip() for block in _BLANK_LINES.split(text))
    return [block for block in blocks if block]


def parse_txt(data: bytes, *, file: str) -> list[ParsedArticle]:
    """One article per file: every block a paragraph, the first block also the title."""
    paragraphs = split_paragraphs(decode_utf8(data, file=file))
    if not paragraphs:
        raise ParseError(file, 1, "empty file: no paragraphs")
    return [
        ParsedArticle(
            external_id=external_id_from(file),
            title=paragraphs[0],
            paragraphs=tuple(ParsedParagraph(text=p) for p in paragraphs),
        )
    ]


def parse_jsonl(data: bytes, *, file: str) -> list[ParsedArticle]:
    """One article per non-blank line; see docs/formats.md, "Import formats", for the schema."""
    articles = [
        _article_from_json_line(line, number=number, file=file)
        for number, line in _numbered_lines(decode_utf8(data, file=file))
    ]
    if not articles:
        raise ParseError(file, 1, "empty file: no articles")
    return articles


def parse(data: bytes, *, file: str, fmt: str) -> list[ParsedArticle]:
    """Parse ``data`` (the bytes of ``file``) in format ``fmt``."""
    if fmt == "txt":
        return parse_txt(data, file=file)
    if fmt == "jsonl":
        return parse_jsonl(data, file=file)
    raise ParseError(file, None, f"unknown format {fmt!r}")


def _numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def _article_from_json_line(line: str, *, number: int, file: str) -> ParsedArticle:
    def fail(reason: str) -> ParseError:
        return ParseError(file, number, reason)

    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise fail(f"malformed JSON: {reason}") from None
    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - _JSONL_KEYS)
    if unknown:
        raise fail(f"unknown field(s): {', '.join(unknown)}")

    external_id = obj.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise fail('missing "id" (a non-empty string)')
    if len(external_id) > 255:
        raise fail('"id" is longer than 255 characters')

    for key in ("title", "url", "source"):
        if key in obj and obj[key] is not None and not isinstance(obj[key], str):
            raise fail(f'"{key}" must be a string')
    meta = obj.get("meta")
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise fail('"meta" must be a JSON object')

    has_text, has_paragraphs = "text" in obj, "paragraphs" in obj
    if has_text == has_paragraphs:
        raise fail('needs exactly one of "text" or "paragraphs"')
    if has_text:
        if not isinstance(obj["text"], str):
            raise fail('"text" must be a string')
        paragraphs = split_paragraphs(obj["text"])
    else:
        raw = obj["paragraphs"]
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            raise fail('"paragraphs" must be a list of strings')
        paragraphs = [p.strip() for p in raw if p.strip()]
    if not paragraphs:
        raise fail("article has no paragraphs")
    for text in (*paragraphs, obj.get("title") or "", obj.get("url") or ""):
        if "\x00" in text:
            raise fail("contains a NUL byte")

    return ParsedArticle(
        external_id=external_id.strip(),
        title=(obj.get("title") or paragraphs[0]).strip(),
        url=(obj.get("url") or "").strip(),
        source=(obj.get("source") or "").strip(),
        meta=meta,
        paragraphs=tuple(ParsedParagraph(text=p) for p in paragraphs),
        line=number,
    )
