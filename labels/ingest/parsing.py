"""Turn import files into ParsedArticle values. Pure: no Django, so it tests in microseconds.

Every error is a ParseError naming the file, line and field, so the import command can print
``FILE:LINE: field: reason`` and write nothing from that file.

The text rule, the same for every format and field: text is stored exactly as given or the
file is refused, never silently altered. A value holding NUL (U+0000), a lone surrogate
(U+D800-U+DFFF, e.g. from a ``"\\ud800"`` escape), a Unicode non-character (U+FDD0-U+FDEF,
U+xFFFE, U+xFFFF) or bytes that are not UTF-8 is refused; so is a JSON number that is NaN or
infinite. Other control characters (tab, form feed, ...) are kept as they are.

JSONL is read line by line (``iter_jsonl``): memory holds one line, never the file.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol

import ijson

TEXT_FORMATS = ("txt", "jsonl")
SUFFIX_FORMATS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl"}

ARCHIVE_MEMBER_SEPARATOR = ".zip:"

_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n(?:[ \t\f\v]*\n)*")
_JSONL_KEYS = {"id", "title", "url", "source", "meta", "text", "paragraphs"}
_BOM = b"\xef\xbb\xbf"
MAX_ID_LENGTH = 255  # Article.external_id
MAX_SOURCE_LENGTH = 255  # Article.source
# Lines longer than this are parsed incrementally instead of held whole (see iter_jsonl).
LONG_LINE_BYTES = 4 * 1024 * 1024


class ParseError(Exception):
    """A file could not be parsed; ``str()`` reads ``FILE:LINE: field: reason``."""

    def __init__(self, file: str, line: int | None, reason: str, *, field: str = "") -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        name = printable_name(file)
        where = f"{name}:{line}" if line is not None else name
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")


def printable_name(name: str) -> str:
    """``name`` fit for a one-line message: undecodable bytes and control characters escaped."""
    try:
        raw = name.encode("utf-8", "surrogateescape")  # bytes of a file name the OS gave us
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Non-characters as UTF-8: U+FDD0-U+FDEF, U+FFFE-U+FFFF and U+xFFFE-U+xFFFF in planes 1-16.
# Searched in the encoded bytes: a bytes pattern runs many times faster than the same class
# over a str holding non-Latin characters.
_NONCHARACTER_UTF8 = re.compile(
    rb"\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
)


def _scan(value: str) -> tuple[int, str] | None:
    """(line, reason) of a character the text rule refuses in ``value``, or None."""
    nul = "contains NUL (U+0000), which is not allowed"
    if value.isascii():  # the common case: one memchr for NUL and done
        if "\x00" not in value:
            return None
        return value.count("\n", 0, value.index("\x00")) + 1, nul
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = ord(value[exc.start])
        reason = f"contains a lone surrogate (U+{char:04X}), which is not valid Unicode text"
        return value.count("\n", 0, exc.start) + 1, reason
    if b"\x00" in encoded:
        return encoded.count(b"\n", 0, encoded.index(b"\x00")) + 1, nul
    # Every non-character's UTF-8 holds byte B7 or BF; most text holds neither (memchr).
    if b"\xbf" not in encoded and b"\xb7" not in encoded:
        return None
    found = _NONCHARACTER_UTF8.search(encoded)
    if found is None:
        return None
    char = ord(found.group().decode("utf-8"))
    reason = f"contains the Unicode non-character U+{char:04X}, which is not allowed"
    return encoded.count(b"\n", 0, found.start()) + 1, reason


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored (the text rule of the module docstring), or None."""
    found = _scan(value)
    return found[1] if found else None


def text_problem_line(text: str) -> tuple[int, str] | None:
    """(line, reason) of the first character the text rule refuses in ``text``, or None."""
    return _scan(text)


def json_problem(value: object, *, field: str) -> tuple[str, str] | None:
    """(field path, reason) of the first value in a JSON tree that cannot be stored, or None.

    Walks without recursion, so a deeply nested value cannot exhaust the stack, and names a
    path only for containers and failures, so a list of a million strings costs no memory.
    """
    found = _leaf_problem(value)
    if found:
        return field, found
    stack: list[tuple[str, object]] = [(field, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                found = text_problem(key)
                if found:
                    return f"{path} key '{printable_name(key)}'", found
                found = _leaf_problem(child)
                if found:
                    return f"{path}.{key}", found
                if isinstance(child, dict | list):
                    stack.append((f"{path}.{key}", child))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                found = _leaf_problem(child)
                if found:
                    return f"{path}[{index}]", found
                if isinstance(child, dict | list):
                    stack.append((f"{path}[{index}]", child))
    return None


def _leaf_problem(item: object) -> str | None:
    if isinstance(item, str):
        return text_problem(item)
    if isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
        return "NaN and Infinity are not allowed (not standard JSON)"
    return None


# One shared, never-changed meta for JSONL paragraphs, which carry none: a million
# paragraphs need no million empty dicts. (Whoever adds meta builds a new dict.)
_NO_META: dict = {}


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
    ``archive.zip:folder/page.html`` by the importer, the member's (``page``).

    Raises ParseError (field ``id``) when that name cannot be an id: empty, too long, or
    refused by the text rule (e.g. a file name that is not UTF-8).
    """
    _, separator, member = file.rpartition(ARCHIVE_MEMBER_SEPARATOR)
    stem = PurePath(member if separator else file).stem.strip()
    if not stem:
        raise ParseError(file, None, "the file name gives an empty article id", field="id")
    if len(stem) > MAX_ID_LENGTH:
        raise ParseError(
            file, None, f"the file name is longer than {MAX_ID_LENGTH} characters", field="id"
        )
    if any(
        "\udc80" <= char <= "\udcff" for char in stem
    ):  # undecodable bytes, as the OS gives them
        raise ParseError(file, None, "the file name is not valid UTF-8", field="id")
    problem = text_problem(stem)
    if problem:
        raise ParseError(file, None, f"the file name {problem}", field="id")
    return stem


def decode_utf8(data: bytes, *, file: str, field: str = "text") -> str:
    """Decode UTF-8 (a BOM is dropped); bytes or characters the text rule refuses are an
    error naming their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            file, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", field=field
        ) from None
    problem = text_problem_line(text)
    if problem is not None:
        raise ParseError(file, problem[0], problem[1], field=field)
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
    external_id = external_id_from(file)
    return [
        ParsedArticle(
            external_id=external_id,
            title=paragraphs[0],
            paragraphs=tuple(ParsedParagraph(text=p) for p in paragraphs),
        )
    ]


def parse_jsonl(data: bytes, *, file: str) -> list[ParsedArticle]:
    """Every article of a JSONL file held in memory (see iter_jsonl, which streams)."""
    return list(iter_jsonl(io.BytesIO(data), file=file))


class LineReader(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def iter_jsonl(stream: LineReader, *, file: str) -> Iterator[ParsedArticle]:
    """One article per non-blank line of ``stream``, read as they come (the schema is in
    docs/formats.md, "Import formats").

    Memory holds one line's objects at a time. A line longer than LONG_LINE_BYTES (one
    article of a whole crawl) is never held as bytes or text: it is parsed incrementally
    (ijson) from chunks of the stream. Raises ParseError at the first bad line.
    """
    number = 0
    empty = True
    while raw := stream.readline(LONG_LINE_BYTES):
        number += 1
        long_line = len(raw) == LONG_LINE_BYTES and not raw.endswith(b"\n")
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if long_line:
            empty = False
            yield article_from_json(
                _load_long_line(raw, stream, number=number, file=file), number=number, file=file
            )
            continue
        if raw.isspace():
            continue
        empty = False
        text = _decode_json_line(raw, number=number, file=file)
        del raw  # a long line's bytes are not needed once decoded
        yield article_from_json_line(text, number=number, file=file)
    if empty:
        raise ParseError(file, 1, "empty file: no articles")


# A JSON escape of a high surrogate that no low surrogate escape follows. The incremental
# parser would turn it into "?" (altering the text), so long lines are scanned for it first.
_LONE_HIGH_ESCAPE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
)
_ESCAPE_CARRY = 32  # bytes kept between chunks, so an escape split by a chunk is seen whole


class _LoneSurrogate(Exception):
    pass


class _RestOfLine:
    """A file-like view of one line of ``stream``: ``first`` and then up to its newline,
    refusing a lone surrogate escape on the way (see _LONE_HIGH_ESCAPE)."""

    def __init__(self, first: bytes, stream: LineReader) -> None:
        self.pending = first
        self.stream = stream
        self.done = False
        self.carry = b""

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing to learn whether the stream gives bytes
            return b""
        if self.pending:
            chunk, self.pending = self.pending, b""
        elif self.done:
            return b""
        else:
            wanted = max(size, 1 << 16)
            chunk = self.stream.readline(wanted)
            # readline stops short of ``wanted`` only at the newline or the end of the file.
            if len(chunk) < wanted or chunk.endswith(b"\n"):
                self.done = True
        self._check(chunk)
        return chunk

    def _check(self, chunk: bytes) -> None:
        window = self.carry + chunk
        final = self.done or not chunk
        for found in _LONE_HIGH_ESCAPE.finditer(window):
            # An escape at the very end may have its partner in the next chunk.
            if final or found.end() + 6 <= len(window):
                raise _LoneSurrogate
        self.carry = window[-_ESCAPE_CARRY:]


def _load_long_line(first: bytes, stream: LineReader, *, number: int, file: str) -> object:
    reader = _RestOfLine(first, stream)
    try:
        value = next(ijson.items(reader, "", use_float=True))
        # The parser stops at the end of the value: read (and check) the rest of the line.
        while rest := reader.read(1 << 16):
            if rest.strip():
                raise ParseError(file, number, "malformed JSON: more after the value")
        return value
    except StopIteration:
        raise ParseError(file, number, "malformed JSON: no value on the line") from None
    except _LoneSurrogate:
        reason = (
            "contains a lone surrogate escape (\\uD800-\\uDBFF), which is not valid Unicode text"
        )
        raise ParseError(file, number, reason) from None
    except UnicodeDecodeError:
        reason = "not valid UTF-8 (or holds a lone surrogate escape)"
        raise ParseError(file, number, reason) from None
    except (ijson.JSONError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "backslashreplace")
        reason = str(message).strip().splitlines()[0] if str(message).strip() else "invalid"
        raise ParseError(file, number, f"malformed JSON: {reason}") from None


def _decode_json_line(raw: bytes, *, number: int, file: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
    # Name the field that holds the bad bytes: they decode to U+DC80-U+DCFF with
    # surrogateescape, which the field check then finds.
    try:
        obj = json.loads(raw.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        problem = json_problem(obj, field="")
        if problem is not None and problem[0]:
            raise ParseError(file, number, reason, field=problem[0].lstrip(".").split(" ")[0])
    raise ParseError(file, number, reason)


def parse(data: bytes, *, file: str, fmt: str) -> list[ParsedArticle]:
    """Parse ``data`` (the bytes of ``file``) in format ``fmt``."""
    if fmt == "txt":
        return parse_txt(data, file=file)
    if fmt == "jsonl":
        return parse_jsonl(data, file=file)
    raise ParseError(file, None, f"unknown format {fmt!r}")


def article_from_json_line(line: str, *, number: int, file: str) -> ParsedArticle:
    """One JSONL line (decoded) as an article; ParseError names the line and the field."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ParseError(file, number, f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise ParseError(file, number, "malformed JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ParseError(file, number, f"malformed JSON: {exc}") from None
    return article_from_json(obj, number=number, file=file)


def article_from_json(obj: object, *, number: int, file: str) -> ParsedArticle:
    """The parsed JSON value of line ``number`` as an article; ParseError names the field."""

    def fail(field: str, reason: str) -> ParseError:
        return ParseError(file, number, reason, field=field)

    if not isinstance(obj, dict):
        raise ParseError(file, number, f"expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - _JSONL_KEYS)
    if unknown:
        names = ", ".join(printable_name(name) for name in unknown)
        raise ParseError(file, number, f"unknown field(s): {names}")
    problem = json_problem(obj, field="")
    if problem is not None:
        raise fail(problem[0].lstrip("."), problem[1])

    external_id = obj.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise fail("id", "missing or empty (a non-empty string or a whole number)")
    external_id = external_id.strip()
    if len(external_id) > MAX_ID_LENGTH:
        raise fail("id", f"longer than {MAX_ID_LENGTH} characters")

    for key in ("title", "url", "source"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise fail(key, f"must be a string, not {_json_type(obj[key])}")
    source = (obj.get("source") or "").strip()
    if len(source) > MAX_SOURCE_LENGTH:
        raise fail("source", f"longer than {MAX_SOURCE_LENGTH} characters")
    meta = obj.get("meta")
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise fail("meta", f"must be a JSON object, not {_json_type(meta)}")

    has_text, has_paragraphs = "text" in obj, "paragraphs" in obj
    if has_text == has_paragraphs:
        raise ParseError(file, number, 'needs exactly one of "text" or "paragraphs"')
    if has_text:
        if not isinstance(obj["text"], str):
            raise fail("text", f"must be a string, not {_json_type(obj['text'])}")
        paragraphs = split_paragraphs(obj["text"])
    else:
        raw = obj["paragraphs"]
        if not isinstance(raw, list):
            raise fail("paragraphs", f"must be a list of strings, not {_json_type(raw)}")
        for index, item in enumerate(raw):
            if not isinstance(item, str):
                raise fail(f"paragraphs[{index}]", f"must be a string, not {_json_type(item)}")
        paragraphs = [p.strip() for p in raw]
        paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise fail("text" if has_text else "paragraphs", "the article has no paragraphs")

    return ParsedArticle(
        external_id=external_id,
        title=(obj.get("title") or paragraphs[0]).strip(),
        url=(obj.get("url") or "").strip(),
        source=source,
        meta=meta,
        paragraphs=tuple(ParsedParagraph(text=p, meta=_NO_META) for p in paragraphs),
        line=number,
    )


def _json_type(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list"}
    if value is None:
        return "null"
    return names.get(type(value), "an object" if isinstance(value, dict) else "a string")
