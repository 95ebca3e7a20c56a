"""Gold exports as tables: CSV and Parquet, for pandas, Hugging Face ``datasets`` and Spark.

Same rows, columns and policy as the JSONL export: each table row is parsed from the JSONL
line the export would write, so the two can never disagree (the JSONL export stays the
reference, byte for byte). Paragraph unit columns: id, article_id, index, split, text, label,
gold_source, agreement, annotations. Article unit (Parquet only): article_id, title, url,
split, meta, paragraphs.

CSV follows RFC 4180 (comma, double quotes doubled, CRLF line ends, UTF-8) and neutralises
formulas as OWASP recommends: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return gets a leading apostrophe, so a spreadsheet shows it as text and never runs
it. ``unneutralise`` undoes it. ``annotations`` is a JSON string in CSV.

Parquet keeps the nesting: ``annotations`` is a list of {annotator, label}; article ``meta`` is
a JSON string (its keys differ from article to article). Row groups of ROW_GROUP rows are
written and sent as soon as they are full, so a download starts at once and memory stays flat.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from labels.datasets import export
from labels.models import Project

FORMATS = ("csv", "parquet")
ROW_GROUP = 10_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PARAGRAPH_COLUMNS = (
    "id",
    "article_id",
    "index",
    "split",
    "text",
    "label",
    "gold_source",
    "agreement",
    "annotations",
)

ANNOTATIONS = pa.list_(pa.struct([("annotator", pa.string()), ("label", pa.string())]))
PARAGRAPH_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("article_id", pa.string()),
        ("index", pa.int64()),
        ("split", pa.string()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("gold_source", pa.string()),
        ("agreement", pa.float64()),
        ("annotations", ANNOTATIONS),
    ]
)
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("split", pa.string()),
        ("meta", pa.string()),
        (
            "paragraphs",
            pa.list_(
                pa.struct(
                    [
                        ("index", pa.int64()),
                        ("text", pa.string()),
                        ("label", pa.string()),
                        ("gold_source", pa.string()),
                        ("agreement", pa.float64()),
                        ("annotations", ANNOTATIONS),
                    ]
                )
            ),
        ),
    ]
)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: a leading apostrophe before a formula start."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unneutralise(cell: str) -> str:
    """The original text of a neutralised cell."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def records(
    *, project: Project, options: export.ExportOptions, stats: export.ExportStats
) -> Iterator[dict[str, Any]]:
    """The JSONL export's objects, one per line, under the same options and snapshot."""
    jsonl = replace(options, fmt="jsonl")
    for line in export.export_text(project=project, options=jsonl, stats=stats):
        yield json.loads(line)


def csv_blocks(
    *, project: Project, options: export.ExportOptions, stats: export.ExportStats
) -> Iterator[str]:
    """The paragraph export as RFC 4180 CSV text, a header then about 64 KiB at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # QUOTE_MINIMAL doubles quotes
    writer.writerow(PARAGRAPH_COLUMNS)
    for row in records(project=project, options=options, stats=stats):
        writer.writerow(
            [
                neutralise(row["id"]),
                neutralise(row["article_id"]),
                row["index"],
                row["split"],
                neutralise(row["text"]),
                row["label"] if row["label"] is not None else "",
                row["gold_source"],
                "" if row["agreement"] is None else repr(row["agreement"]),
                json.dumps(row["annotations"], ensure_ascii=False),
            ]
        )
        if buffer.tell() >= export.BLOCK_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class _Chunks:
    """A write-only file that hands pyarrow's output on in pieces."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data, self.pieces = b"".join(self.pieces), []
        return data


def _article_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "meta": json.dumps(row["meta"], ensure_ascii=False, sort_keys=True)}


def parquet_blocks(
    *, project: Project, options: export.ExportOptions, stats: export.ExportStats
) -> Iterator[bytes]:
    """The export as one Parquet file, sent a row group at a time."""
    schema = PARAGRAPH_SCHEMA if options.unit == "paragraph" else ARTICLE_SCHEMA
    shape = (lambda row: row) if options.unit == "paragraph" else _article_row
    sink = _Chunks()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        writer.write_table(pa.Table.from_pylist(rows, schema=schema), row_group_size=ROW_GROUP)
        rows.clear()

    for row in records(project=project, options=options, stats=stats):
        rows.append(shape(row))
        if len(rows) >= ROW_GROUP:
            flush()
            yield sink.take()
    if rows:
        flush()
    writer.close()
    yield sink.take()
