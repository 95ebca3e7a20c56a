"""Gold export: JSONL rows streamed from the database, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.db.models import Prefetch

from labels.gold import derive_gold
from labels.models import Annotation, Assignment, Paragraph, Project

CHUNK = 2000


def paragraph_rows(
    *, project: Project, min_annotations: int = 1, min_agreement: float | None = None
) -> Iterator[dict]:
    """One dict per paragraph with a gold label, in article then paragraph order.

    Only submitted assignments count: work in progress is not yet an annotator's answer.
    """
    annotations = Prefetch(
        "annotations",
        queryset=Annotation.objects.filter(assignment__status=Assignment.Status.SUBMITTED)
        .select_related("label", "assignment__annotator")
        .order_by("assignment__annotator__username", "pk"),
    )
    paragraphs = (
        Paragraph.objects.filter(article__project=project)
        .select_related("article", "gold__label")
        .prefetch_related(annotations)
        .order_by("article_id", "index")
    )
    for paragraph in paragraphs.iterator(chunk_size=CHUNK):
        given = [
            {"annotator": a.assignment.annotator.username, "label": a.label.value}
            for a in paragraph.annotations.all()
        ]
        gold = getattr(paragraph, "gold", None)
        decision = derive_gold(
            [a["label"] for a in given],
            adjudicated=gold.label.value if gold else None,
            min_annotations=min_annotations,
            min_agreement=min_agreement,
        )
        if decision.label is None:
            continue
        yield {
            "id": f"{paragraph.article.external_id}#{paragraph.index}",
            "article_id": paragraph.article.external_id,
            "index": paragraph.index,
            "text": paragraph.text,
            "label": decision.label,
            "gold_source": decision.source,
            "annotations": given,
        }


def jsonl_lines(rows: Iterator[dict]) -> Iterator[str]:
    """Each row as one line of compact, UTF-8 (not ASCII-escaped) JSON."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_atomically(lines: Iterator[str], *, out: Path) -> int:
    """Write ``lines`` to ``out`` via a temporary file and rename; returns the line count.

    An interrupted export leaves the previous file (or none) in place, never a partial one.
    """
    out = out.resolve()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            count = write_lines(lines, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def write_lines(lines: Iterator[str], handle: IO[str]) -> int:
    """Write lines to an open text stream; returns how many."""
    count = 0
    for line in lines:
        handle.write(line)
        count += 1
    return count
