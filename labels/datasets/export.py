"""Gold export: one consistent snapshot, streamed in article batches, written atomically.

Reads go in batches of articles by primary key (keyset pagination): a few indexed queries per
batch, so memory stays flat however large the project is, and the same code runs on
PostgreSQL and SQLite. On PostgreSQL the export is one REPEATABLE READ, READ ONLY
transaction: annotators writing meanwhile never produce a paragraph with half its labels, and
the dataset card counts exactly the lines written. Read-only also means an export can run
against a read replica.

Shapes (docs/formats.md, "Gold export"): ``--unit paragraph`` and ``--unit article`` JSONL, and
``--format articlebody``, the ``ground-truth.json`` of public article-extraction benchmarks.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from annotator.db_router import replica_reads
from labels.datasets.gold import (
    ADJUDICATED,
    DEFAULT_POLICY,
    STORED_SOURCES,
    UNRESOLVED,
    GoldDecision,
    GoldPolicy,
    derive_gold,
)
from labels.datasets.splits import DEFAULT_SPLIT, Split, split_of
from labels.models import Annotation, Article, Assignment, GoldLabel, Label, Paragraph, Project

FORMATS = ("jsonl", "articlebody", "csv", "parquet")
CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "articlebody": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8; header=present",
    "parquet": "application/vnd.apache.parquet",
}
UNITS = ("paragraph", "article")
# articlebody keeps these labels' paragraphs, in order; captions and boilerplate are not body.
BODY_LABELS = ("body", "quote")
ARTICLES_PER_BATCH = 500
BLOCK_BYTES = 1 << 16
PSEUDONYM_SALT = "labels.export.pseudonym"
NOTHING_TO_DECIDE = GoldDecision(None, UNRESOLVED, None)
# json.dumps(ensure_ascii=False) leaves these raw, and str.splitlines() (and some JSONL
# readers) split lines on them. They only ever occur inside JSON strings, where the escape
# means the same text, so every line of the file stays one JSON document for every reader.
LINE_BREAKS_TO_ESCAPE = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


class InvalidOptions(ValueError):
    """Export options that do not fit together; ``field`` names the option at fault."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field} {reason}")


@dataclass(frozen=True)
class ExportOptions:
    """Everything that shapes one export; the command and the download view both build one."""

    fmt: str = "jsonl"
    unit: str = "paragraph"
    policy: GoldPolicy = DEFAULT_POLICY
    include_unresolved: bool = False
    split: Split = DEFAULT_SPLIT
    anonymize: bool = False

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise InvalidOptions("format", f"must be one of {', '.join(FORMATS)}")
        if self.unit not in UNITS:
            raise InvalidOptions("unit", f"must be one of {', '.join(UNITS)}")
        if self.fmt in ("articlebody", "csv") and self.unit != "paragraph":
            raise InvalidOptions("unit", "applies to the jsonl and parquet formats only")
        if self.fmt == "articlebody" and self.include_unresolved:
            raise InvalidOptions(
                "include_unresolved",
                "does not apply to articlebody, which holds complete articles only",
            )

    @property
    def file_name(self) -> str:
        if self.fmt == "articlebody":
            return "ground-truth.json"
        return f"gold-{self.unit}s.{self.fmt}"


@dataclass
class SplitCounts:
    lines: int = 0
    paragraphs: int = 0
    labels: Counter[str] = field(default_factory=Counter)


@dataclass
class ExportStats:
    """What one export wrote (tallied while streaming) and what the project held."""

    articles: int = 0
    lines_by_split: Counter[str] = field(default_factory=Counter)
    # One count per paragraph written: (split, label or "null", gold_source). One tally
    # instead of a counter per figure keeps the per-paragraph cost of a large export low.
    tally: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    annotators: Counter[str] = field(default_factory=Counter)  # annotations in the output
    project_paragraphs: int = 0
    project_gold: int = 0
    project_unresolved: int = 0  # annotated, but no rule decided
    project_unlabelled: int = 0  # no submitted annotation and no stored gold
    label_set: list[dict[str, str]] = field(default_factory=list)
    agreement: dict | None = None
    agreement_note: str = ""
    exported_at: datetime | None = None  # when the snapshot was taken
    sha256: str | None = None  # set once the whole output has been produced
    bytes: int = 0

    @property
    def lines(self) -> int:
        return sum(self.lines_by_split.values())

    @property
    def paragraphs(self) -> int:
        return sum(self.tally.values())

    @property
    def labels(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (_, label, _), n in self.tally.items():
            counts[label] += n
        return counts

    @property
    def gold_sources(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (_, _, source), n in self.tally.items():
            counts[source] += n
        return counts

    @property
    def splits(self) -> defaultdict[str, SplitCounts]:
        splits: defaultdict[str, SplitCounts] = defaultdict(SplitCounts)
        for name, n in self.lines_by_split.items():
            splits[name].lines = n
        for (name, label, _), n in self.tally.items():
            splits[name].paragraphs += n
            splits[name].labels[label] += n
        return splits


class GoldParagraph(NamedTuple):
    index: int
    text: str
    decision: GoldDecision
    annotations: tuple[tuple[str, str], ...]  # (annotator name or pseudonym, label), sorted


class GoldArticle(NamedTuple):
    external_id: str
    title: str
    url: str
    meta: dict
    split: str
    paragraphs: list[GoldParagraph]


@contextmanager
def snapshot(using: str = "default") -> Iterator[None]:
    """One transaction on database ``using`` whose reads all see the same committed state.

    On PostgreSQL: REPEATABLE READ, READ ONLY. Inside a caller's transaction the caller's
    isolation applies (the level can only be set by a transaction's first statement).
    """
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def pseudonym(*, project_id: int, user_id: int) -> str:
    """A stable per-project stand-in for an annotator: HMAC of project and user ids.

    Keyed with settings.PSEUDONYM_KEY (SECRET_KEY unless set), so nobody without the key can
    map it back, the same person gets unrelated pseudonyms in two projects, and an export
    stays a pure read (no mapping table to write, so it also runs on a read replica).
    """
    digest = salted_hmac(
        PSEUDONYM_SALT,
        f"{project_id}:{user_id}",
        secret=settings.PSEUDONYM_KEY,
        algorithm="sha256",
    )
    return f"annotator-{digest.hexdigest()[:12]}"


def annotator_names(*, project: Project, anonymize: bool) -> dict[int, str]:
    """user id -> the name the export prints, for everyone with a submitted assignment.

    Only the username (or its pseudonym) ever leaves: no email or other account field.
    """
    users = (
        get_user_model()
        .objects.filter(
            assignments__article__project=project,
            assignments__status=Assignment.Status.SUBMITTED,
        )
        .distinct()
        .values_list("pk", "username")
    )
    if anonymize:
        return {pk: pseudonym(project_id=project.pk, user_id=pk) for pk, _ in users}
    return dict(users)


def pseudonyms_by_username(*, project: Project) -> dict[str, str]:
    """username -> pseudonym for everyone who could be named in a report on the project:
    its members and anyone with an assignment in it."""
    users = (
        get_user_model()
        .objects.filter(Q(memberships__project=project) | Q(assignments__article__project=project))
        .distinct()
        .values_list("pk", "username")
    )
    return {name: pseudonym(project_id=project.pk, user_id=pk) for pk, name in users}


def renamed(value: object, names: dict[str, str]) -> object:
    """``value`` (a JSON-ready report) with every string equal to a key of ``names`` replaced,
    in dict keys and values at any depth: pseudonymises a report that names annotators."""
    if isinstance(value, dict):
        return {renamed(k, names): renamed(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [renamed(item, names) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


class _Memo(dict):
    """key -> function(key), computed once per key while at most ``limit`` keys are held."""

    def __init__(self, function: Callable[[Any], Any], limit: int = 100_000) -> None:
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, key: Any) -> Any:
        if len(self) >= self.limit:
            self.clear()  # bounded: memory stays flat however many distinct keys occur
        value = self[key] = self.function(key)
        return value


def gold_articles(
    *,
    project: Project,
    options: ExportOptions,
    stats: ExportStats,
    batch_size: int = ARTICLES_PER_BATCH,
) -> Iterator[GoldArticle]:
    """Every article of the project in import order, each paragraph with its gold decision.

    Counts the project-wide figures into ``stats``. Call inside ``snapshot()``.
    """
    labels = list(Label.objects.filter(project=project).order_by("order", "pk"))
    stats.label_set = [{"value": x.value, "name": x.name, "key": x.key} for x in labels]
    label_values = {label.pk: label.value for label in labels}
    names = annotator_names(project=project, anonymize=options.anonymize)

    def decide(
        key: tuple[tuple[tuple[int, int], ...], tuple[int, str] | None],
    ) -> tuple[tuple[tuple[str, str], ...], GoldDecision]:
        given, gold = key
        annotations = tuple(sorted((names[user], label_values[label]) for user, label in given))
        if not (annotations or gold):
            return annotations, NOTHING_TO_DECIDE
        labels = [label for _, label in annotations]
        if gold is None:
            return annotations, derive_gold(labels, policy=options.policy)
        gold_id, stored_source = gold
        return annotations, derive_gold(
            labels,
            adjudicated=label_values[gold_id],
            adjudicated_source=STORED_SOURCES.get(stored_source, ADJUDICATED),
            policy=options.policy,
        )

    # A paragraph's outcome depends only on who gave which label and any stored gold; the
    # same few combinations recur across a project, so each is worked out once.
    decisions = _Memo(decide)
    after = 0
    while True:
        articles = list(
            Article.objects.filter(project=project, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "external_id", "title", "url", "meta")[:batch_size]
        )
        if not articles:
            return
        first, after = articles[0][0], articles[-1][0]
        ids = [pk for pk, *_ in articles]
        # The reads below select the batch's articles by id, with no join to the project: an
        # index range when the ids are contiguous (bulk imports make them so, and then no
        # other project's article lies between), else the id list.
        if after - first + 1 == len(ids):
            batch = {"article_id__gte": first, "article_id__lte": after}
        else:
            batch = {"article_id__in": ids}
        through_assignment = {f"assignment__{k}": v for k, v in batch.items()}
        through_paragraph = {f"paragraph__{k}": v for k, v in batch.items()}
        given: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        for paragraph_id, label_id, user_id in (
            Annotation.objects.filter(
                **through_assignment, assignment__status=Assignment.Status.SUBMITTED
            )
            .order_by()
            .values_list("paragraph_id", "label_id", "assignment__annotator_id")
        ):
            given[paragraph_id].append((user_id, label_id))
        stored = {
            paragraph_id: (label_id, source)
            for paragraph_id, label_id, source in GoldLabel.objects.filter(
                **through_paragraph
            ).values_list("paragraph_id", "label_id", "source")
        }
        by_article: defaultdict[int, list[GoldParagraph]] = defaultdict(list)
        # Unordered in SQL (an ORDER BY over an id list would sort on disk); each article's
        # paragraphs are put in index order below.
        for paragraph_id, article_id, index, text in (
            Paragraph.objects.filter(**batch)
            .order_by()
            .values_list("pk", "article_id", "index", "text")
        ):
            annotations, decision = decisions[
                (tuple(given.pop(paragraph_id, ())), stored.get(paragraph_id))
            ]
            stats.project_paragraphs += 1
            if decision.label is not None:
                stats.project_gold += 1
            elif annotations:
                stats.project_unresolved += 1
            else:
                stats.project_unlabelled += 1
            by_article[article_id].append(GoldParagraph(index, text, decision, annotations))
        for pk, external_id, title, url, meta in articles:
            split = split_of(external_id, options.split)
            paragraphs = by_article.pop(pk, [])
            paragraphs.sort()  # by index, the tuple's first field (unique per article)
            yield GoldArticle(external_id, title, url, meta, split, paragraphs)


def _count(stats: ExportStats, split: str, paragraph: GoldParagraph) -> None:
    decision = paragraph.decision
    stats.tally[(split, decision.label or "null", decision.source)] += 1
    for name, _ in paragraph.annotations:
        stats.annotators[name] += 1


def _agreement(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The string encoder json.dumps(ensure_ascii=False) itself uses.
_string = json.encoder.encode_basestring


def _json(value: object) -> str:
    return _ENCODER.encode(value)


def _annotations_json(annotations: tuple[tuple[str, str], ...]) -> str:
    return _json([{"annotator": name, "label": label} for name, label in annotations])


def paragraph_lines(
    articles: Iterable[GoldArticle], *, options: ExportOptions, stats: ExportStats
) -> Iterator[str]:
    """--unit paragraph: one line per gold paragraph (plus unresolved annotated ones if asked).

    The hot loop of a large export: the line is assembled from pre-encoded pieces in the key
    order json.dumps would write (tests check they agree byte for byte).
    """
    include_unresolved = options.include_unresolved
    values = _Memo(_json)
    annotation_lists = _Memo(_annotations_json)
    for article in articles:
        written = 0
        article_id = values[article.external_id]
        split = values[article.split]
        for paragraph in article.paragraphs:
            index, text, (label, source, agreement), annotations = paragraph
            if label is None and not (include_unresolved and annotations):
                continue
            _count(stats, article.split, paragraph)
            written += 1
            share = "null" if agreement is None else repr(round(agreement, 4))
            yield (
                f'{{"id":{_string(f"{article.external_id}#{index}")},"article_id":{article_id},'
                f'"index":{index},"split":{split},"text":{_string(text)},'
                f'"label":{values[label]},"gold_source":{values[source]},"agreement":{share},'
                f'"annotations":{annotation_lists[annotations]}}}\n'
            )
        if written:
            stats.articles += 1
            stats.lines_by_split[article.split] += written


def article_lines(
    articles: Iterable[GoldArticle], *, options: ExportOptions, stats: ExportStats
) -> Iterator[str]:
    """--unit article: one line per article with a gold paragraph, every paragraph in order."""
    for article in articles:
        decided = any(p.decision.label is not None for p in article.paragraphs)
        annotated = any(p.annotations for p in article.paragraphs)
        if not (decided or (options.include_unresolved and annotated)):
            continue
        stats.lines_by_split[article.split] += 1
        stats.articles += 1
        for paragraph in article.paragraphs:
            _count(stats, article.split, paragraph)
        yield (
            _json(
                {
                    "article_id": article.external_id,
                    "title": article.title,
                    "url": article.url,
                    "split": article.split,
                    "meta": article.meta,
                    "paragraphs": [
                        {
                            "index": p.index,
                            "text": p.text,
                            "label": p.decision.label,
                            "gold_source": p.decision.source,
                            "agreement": _agreement(p.decision.agreement),
                            "annotations": [
                                {"annotator": name, "label": label} for name, label in p.annotations
                            ],
                        }
                        for p in article.paragraphs
                    ],
                }
            )
            + "\n"
        )


def articlebody_chunks(
    articles: Iterable[GoldArticle], *, options: ExportOptions, stats: ExportStats
) -> Iterator[str]:
    """--format articlebody: one JSON object {id: {articleBody, url}} of complete articles.

    An article is written only when every paragraph has a gold label; its articleBody is
    the body and quote paragraphs in order, joined by a blank line.
    """
    yield "{"
    separator = "\n"
    for article in articles:
        if not article.paragraphs or any(p.decision.label is None for p in article.paragraphs):
            continue
        stats.lines_by_split[article.split] += 1
        stats.articles += 1
        for paragraph in article.paragraphs:
            _count(stats, article.split, paragraph)
        body = "\n\n".join(p.text for p in article.paragraphs if p.decision.label in BODY_LABELS)
        entry = {"articleBody": body, "url": article.url}
        yield f"{separator}{_json(article.external_id)}:{_json(entry)}"
        separator = ",\n"
    yield "\n}\n"


FORMATTERS = {
    ("jsonl", "paragraph"): paragraph_lines,
    ("jsonl", "article"): article_lines,
    ("articlebody", "paragraph"): articlebody_chunks,
}


def export_text(
    *,
    project: Project,
    options: ExportOptions,
    stats: ExportStats,
    with_agreement: bool = False,
    batch_size: int = ARTICLES_PER_BATCH,
) -> Iterator[str]:
    """The export as text pieces, read from one snapshot held while it is iterated.

    With ``with_agreement`` the project's agreement figures are read in the same snapshot.
    """
    formatter = FORMATTERS[(options.fmt, options.unit)]
    # Exports are the heavy reads a replica is for (annotator/db_router.py); without one
    # configured every read stays on the primary.
    with replica_reads() as alias, snapshot(using=alias):
        stats.exported_at = timezone.now()
        articles = gold_articles(
            project=project, options=options, stats=stats, batch_size=batch_size
        )
        yield from formatter(articles, options=options, stats=stats)
        if with_agreement:
            # Imported here: the card module builds on this one.
            from labels.datasets.card import agreement_figures

            figures, stats.agreement_note = agreement_figures(project=project)
            if options.anonymize and figures is not None:
                # The agreement report may name annotators (pairwise kappas, per annotator).
                figures = renamed(figures, pseudonyms_by_username(project=project))
            stats.agreement = figures


def _encode(text: str) -> bytes:
    for raw, escaped in LINE_BREAKS_TO_ESCAPE:
        if raw in text:  # rare: a fast scan, and no copy when absent
            text = text.replace(raw, escaped)
    return text.encode("utf-8")


def export_bytes(
    *,
    project: Project,
    options: ExportOptions,
    stats: ExportStats,
    with_agreement: bool = False,
    batch_size: int = ARTICLES_PER_BATCH,
) -> Iterator[bytes]:
    """The export as UTF-8 blocks of about 64 KiB; sets ``stats.sha256`` and ``stats.bytes``."""
    if options.fmt in ("csv", "parquet"):
        yield from _tabular_bytes(project=project, options=options, stats=stats)
        return
    digest = hashlib.sha256()
    pending: list[str] = []
    size = 0
    for piece in export_text(
        project=project,
        options=options,
        stats=stats,
        with_agreement=with_agreement,
        batch_size=batch_size,
    ):
        pending.append(piece)
        size += len(piece)
        if size >= BLOCK_BYTES:
            block = _encode("".join(pending))
            digest.update(block)
            stats.bytes += len(block)
            yield block
            pending, size = [], 0
    block = _encode("".join(pending))
    if block:
        digest.update(block)
        stats.bytes += len(block)
        yield block
    stats.sha256 = digest.hexdigest()


def _tabular_bytes(
    *, project: Project, options: ExportOptions, stats: ExportStats
) -> Iterator[bytes]:
    """CSV or Parquet (labels.datasets.tabular), with the same digest and byte count."""
    # Imported here: tabular builds on this module.
    from labels.datasets import tabular

    digest = hashlib.sha256()
    if options.fmt == "csv":
        blocks: Iterator[bytes] = (
            text.encode("utf-8")
            for text in tabular.csv_blocks(project=project, options=options, stats=stats)
        )
    else:
        blocks = tabular.parquet_blocks(project=project, options=options, stats=stats)
    for block in blocks:
        if block:
            digest.update(block)
            stats.bytes += len(block)
            yield block
    stats.sha256 = digest.hexdigest()


def write_atomically(blocks: Iterable[bytes], *, out: Path) -> int:
    """Write ``blocks`` to ``out`` via a temporary file and rename; returns the bytes written.

    An interrupted export leaves the previous file (or none) in place, never a partial one.
    """
    out = out.resolve()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    written = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for block in blocks:
                handle.write(block)
                written += len(block)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return written
