"""Deterministic synthetic projects for the benchmarks, built with PostgreSQL COPY.

Everything comes from a seeded ``random.Random``: the same seed builds the same rows, so two
runs of ``make bench`` measure the same data. Rows go in through COPY (text format) with
explicit ids; the sequences are moved past them at the end. Columns a builder does not name
get their model default, so a field added later with a default does not break the bench.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model

from labels.ingest import importing
from labels.models import Annotation, Article, Assignment, Membership, Paragraph, Project
from labels.workflow import projects

SAMPLE = (
    "the council said on tuesday that a new report into water quality found higher levels "
    "than expected across several districts residents were told officials will publish "
    "further figures next month while critics argued the plan came too late “we have "
    "waited years” one said — a spokesperson declined to comment café naïve über zoë "
    "subscribe now for unlimited access share this story photo courtesy related content"
)
WORDS = SAMPLE.split(" ")
LABELS = ("body", "boilerplate", "quote", "caption")
EPOCH = "2025-01-01 00:00:00+00"
ROWS_PER_WRITE = 20_000


def copy_escape(value: str) -> str:
    """A value in PostgreSQL COPY text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_default(field: object) -> str:
    value = field.get_db_prep_save(field.get_default(), connection)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper
        return copy_escape(json.dumps(value.obj))
    return copy_escape(str(value))


@dataclass
class CopyTable:
    """COPY into a model's table: named columns from the caller, defaults for the rest."""

    model: type[Model]
    columns: tuple[str, ...]

    def copy(self, rows: Iterable[str]) -> int:
        """Rows are tab-joined, escaped values for ``columns``; returns how many."""
        named = set(self.columns)
        rest = [f for f in self.model._meta.concrete_fields if f.column not in named]
        suffix = "".join("\t" + _copy_default(f) for f in rest)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in (*self.columns, *(f.column for f in rest)))
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            pending: list[str] = []
            for row in rows:
                pending.append(row + suffix + "\n")
                if len(pending) >= ROWS_PER_WRITE:
                    copy.write("".join(pending))
                    count += len(pending)
                    pending = []
            copy.write("".join(pending))
            count += len(pending)
        return count


def next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
        return cursor.fetchone()[0]


def reset_sequences(*models: type[Model]) -> None:
    """Move each id sequence past the explicit ids COPY wrote, then refresh planner stats."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")


def text_pool(rng: random.Random, size: int = 4000) -> list[str]:
    """Paragraph texts of realistic, varied length (a headline to a long body paragraph)."""
    pool = []
    for _ in range(size):
        length = rng.choice((4, 8, 12, 30, 45, 60, 80, 120))
        words = [rng.choice(WORDS) for _ in range(length)]
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def truth_label(rng: random.Random, index: int) -> str:
    """The label a careful annotator would give: page furniture first, then mostly body."""
    if index < 2:
        return rng.choice(("boilerplate", "caption"))
    return rng.choices(LABELS, weights=(70, 15, 10, 5))[0]


def article_jsonl(*, articles: int, paragraphs: int, seed: int) -> Iterator[str]:
    """JSONL lines of ``articles`` articles with ``paragraphs`` paragraphs each (for import)."""
    rng = random.Random(seed)
    pool = text_pool(rng)
    for n in range(articles):
        texts = [f"{rng.choice(pool)} [{n}.{i}]" for i in range(paragraphs)]
        yield json.dumps(
            {
                "id": f"bench-{seed}-{n:06d}",
                "title": texts[0][:80],
                "url": f"https://news.example.org/{seed}/{n}",
                "meta": {"section": rng.choice(("world", "local", "sport"))},
                "paragraphs": texts,
            },
            ensure_ascii=False,
        )


@dataclass
class BuiltProject:
    project: Project
    articles: int
    paragraphs: int
    assignments: int
    annotations: int


def create_annotators(*, prefix: str, count: int, project: Project, password_hash: str) -> list:
    """``count`` annotator accounts sharing one pre-hashed password, members of ``project``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"{prefix}{n:03d}", password=password_hash) for n in range(count)
    )
    Membership.objects.bulk_create(Membership(project=project, user=user) for user in users)
    return users


def build_labelled_project(
    *,
    slug: str,
    articles: int,
    paragraphs: int,
    annotators: int,
    seed: int,
    agreement: float = 0.9,
) -> BuiltProject:
    """Every article fully labelled and submitted by two of ``annotators`` annotators.

    Each annotator gives the article's true label with probability ``agreement``, else
    another one, so the agreement figures and the gold policy have real work to do.
    """
    rng = random.Random(seed)
    project = projects.create_project(slug=slug, overlap=2)
    label_ids = dict(project.labels.values_list("value", "pk"))
    users = create_annotators(
        prefix=f"{slug}-", count=annotators, project=project, password_hash="!"
    )
    texts = text_pool(rng)
    pool = [copy_escape(text) for text in texts]
    hashes = [importing.text_hash(text) for text in texts]
    first_article = next_id(Article)
    first_paragraph = next_id(Paragraph)
    first_assignment = next_id(Assignment)
    first_annotation = next_id(Annotation)

    def article_rows() -> Iterator[str]:
        for n in range(articles):
            digest = hashlib.sha256(f"{slug}:{n}".encode()).hexdigest()
            yield (
                f"{first_article + n}\t{project.pk}\t{slug}-{n:07d}\tArticle {n}\t"
                f"https://news.example.org/{slug}/{n}\tnews.example.org\t{{}}\t{digest}\t0\t{EPOCH}"
            )

    CopyTable(
        Article,
        (
            "id",
            "project_id",
            "external_id",
            "title",
            "url",
            "source",
            "meta",
            "content_hash",
            "open_slots",
            "imported_at",
        ),
    ).copy(article_rows())

    # Paragraph texts are drawn once per paragraph and reused by the annotation pass below.
    choices = [rng.randrange(len(pool)) for _ in range(articles * paragraphs)]

    def paragraph_rows() -> Iterator[str]:
        for n in range(articles):
            for i in range(paragraphs):
                k = n * paragraphs + i
                text = choices[k]
                yield (
                    f"{first_paragraph + k}\t{first_article + n}\t{i}\t{pool[text]}\t{{}}\t"
                    f"{hashes[text]}"
                )

    CopyTable(Paragraph, ("id", "article_id", "index", "text", "meta", "text_hash")).copy(
        paragraph_rows()
    )

    pairs = [rng.sample(range(annotators), 2) for _ in range(articles)]

    def assignment_rows() -> Iterator[str]:
        for n, pair in enumerate(pairs):
            for j, who in enumerate(pair):
                yield (
                    f"{first_assignment + 2 * n + j}\t{first_article + n}\t{users[who].pk}\t"
                    f"submitted\t{EPOCH}\t{EPOCH}\t{EPOCH}\t60\t"
                )

    CopyTable(
        Assignment,
        (
            "id",
            "article_id",
            "annotator_id",
            "status",
            "started_at",
            "submitted_at",
            "last_activity_at",
            "active_seconds",
            "skip_reason",
        ),
    ).copy(assignment_rows())

    def annotation_rows() -> Iterator[str]:
        row_id = first_annotation
        for n in range(articles):
            for i in range(paragraphs):
                truth = truth_label(rng, i)
                paragraph_id = first_paragraph + n * paragraphs + i
                for j in range(2):
                    given = truth if rng.random() < agreement else rng.choice(LABELS)
                    yield (
                        f"{row_id}\t{paragraph_id}\t{first_assignment + 2 * n + j}\t"
                        f"{label_ids[given]}\tf\t{EPOCH}\t{EPOCH}"
                    )
                    row_id += 1

    count = CopyTable(
        Annotation,
        (
            "id",
            "paragraph_id",
            "assignment_id",
            "label_id",
            "from_suggestion",
            "created_at",
            "updated_at",
        ),
    ).copy(annotation_rows())
    reset_sequences(Article, Paragraph, Assignment, Annotation)
    return BuiltProject(project, articles, articles * paragraphs, 2 * articles, count)


def build_queue_project(*, slug: str, articles: int, seed: int, background: int = 20) -> Project:
    """A project mid-way through labelling, for next-article latency.

    The first 30 % of articles are finished (two submitted assignments), the next 10 % have
    one submitted assignment and wait for a second annotator, the rest are untouched.
    """
    rng = random.Random(seed)
    project = projects.create_project(slug=slug, overlap=2)
    users = create_annotators(
        prefix=f"{slug}-bg-", count=background, project=project, password_hash="!"
    )
    finished, started = int(articles * 0.3), int(articles * 0.4)
    first_article = next_id(Article)
    first_assignment = next_id(Assignment)

    def open_slots(n: int) -> int:
        return 0 if n < finished else 1 if n < started else 2

    CopyTable(
        Article,
        (
            "id",
            "project_id",
            "external_id",
            "title",
            "url",
            "source",
            "meta",
            "content_hash",
            "open_slots",
            "imported_at",
        ),
    ).copy(
        f"{first_article + n}\t{project.pk}\t{slug}-{n:07d}\tArticle {n}\t\t\t{{}}\t"
        f"{hashlib.sha256(f'{slug}:{n}'.encode()).hexdigest()}\t{open_slots(n)}\t{EPOCH}"
        for n in range(articles)
    )

    def assignment_rows() -> Iterator[str]:
        row_id = first_assignment
        for n in range(started):
            for user in rng.sample(users, 2 if n < finished else 1):
                yield (
                    f"{row_id}\t{first_article + n}\t{user.pk}\tsubmitted\t{EPOCH}\t"
                    f"{EPOCH}\t{EPOCH}\t30\t"
                )
                row_id += 1

    CopyTable(
        Assignment,
        (
            "id",
            "article_id",
            "annotator_id",
            "status",
            "started_at",
            "submitted_at",
            "last_activity_at",
            "active_seconds",
            "skip_reason",
        ),
    ).copy(assignment_rows())
    reset_sequences(Article, Assignment)
    return project
