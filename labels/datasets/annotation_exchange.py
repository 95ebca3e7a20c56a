"""Bring annotations in from another tool (or an earlier export) and write them out again.

``import_annotations`` reads its JSONL a line at a time and works in batches of BATCH lines,
all inside one transaction: each batch is checked against the project (articles,
paragraphs, labels, users, work already there) and its good lines written, and at the end
any bad line anywhere rolls the whole file back. A file lands whole or not at all, and
memory holds one batch, never the file.

Later batches see what earlier ones wrote (the same transaction), which is how a line that
repeats an earlier line's (article, paragraph, annotator) is caught without remembering
every line: an annotation found with a primary key above the highest one before the import
began was written by this import. Imported work becomes submitted assignments, and each
touched article's open slots are recounted in the same transaction so the labelling queue
stays right.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from labels.datasets.annotation_records import (
    AnnotationRecord,
    ErrorList,
    again,
    iter_records,
)
from labels.ingest.progress import ImportProgress, ProgressCallback
from labels.models import (
    Annotation,
    AnnotationEvent,
    Article,
    Assignment,
    Label,
    Membership,
    Paragraph,
    Project,
)

BATCH = 5000
# bulk_update writes one CASE per statement; beyond a few hundred rows its cost grows with
# the square of the rows.
STAMP_BATCH = 500


@dataclass
class ImportSummary:
    annotations: int = 0  # created
    unchanged: int = 0  # already present with the same label
    assignments: int = 0  # created, as submitted
    users: int = 0  # created (with --create-users)

    def describe(self) -> str:
        return (
            f"{self.annotations} annotation(s) imported, {self.unchanged} already present, "
            f"{self.assignments} submitted assignment(s) created, {self.users} user(s) created"
        )


@dataclass
class _Floors:
    """The highest primary keys before the import began: rows above them are the import's."""

    annotation: int
    assignment: int


def import_annotations(
    *,
    project: Project,
    data: bytes | BinaryIO,
    name: str,
    create_users: bool = False,
    progress: ProgressCallback | None = None,
    total_bytes: int = 0,
) -> ImportSummary:
    """Import an annotation JSONL file (bytes, or a binary file read line by line) into
    ``project``: all of it, or nothing.

    Raises annotation_records.RecordErrors listing the bad lines (``FILE:LINE: field:
    reason``): malformed lines, unknown articles, paragraphs or labels, unknown users
    (unless ``create_users``), and lines that contradict work already in the project or an
    earlier line. ``progress`` is called after each batch.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    state = ImportProgress(total_bytes=total_bytes or (len(data) if isinstance(data, bytes) else 0))
    state.current = name
    errors = ErrorList(name)
    lines = _CountedLines(stream, state)
    return _import(
        project=project,
        records=iter_records(lines, file=name, errors=errors),
        errors=errors,
        create_users=create_users,
        state=state,
        progress=progress,
    )


def import_records(
    *,
    project: Project,
    records: list[AnnotationRecord],
    name: str,
    create_users: bool = False,
) -> ImportSummary:
    """Import parsed records (see import_annotations); ``name`` stands for the file in errors."""
    return _import(
        project=project,
        records=iter(records),
        errors=ErrorList(name),
        create_users=create_users,
        state=ImportProgress(),
        progress=None,
    )


class _CountedLines:
    """Lines of a binary stream, counting bytes; keeps no reference to a line it gave."""

    def __init__(self, stream: BinaryIO, state: ImportProgress) -> None:
        self.stream = stream
        self.state = state

    def __iter__(self) -> _CountedLines:
        return self

    def __next__(self) -> bytes:
        line = self.stream.readline()
        if not line:
            raise StopIteration
        self.state.done_bytes += len(line)
        return line


def _import(
    *,
    project: Project,
    records: Iterator[AnnotationRecord],
    errors: ErrorList,
    create_users: bool,
    state: ImportProgress,
    progress: ProgressCallback | None,
) -> ImportSummary:
    summary = ImportSummary()
    with transaction.atomic():
        floors = _Floors(
            annotation=Annotation.objects.aggregate(top=Max("pk"))["top"] or 0,
            assignment=Assignment.objects.aggregate(top=Max("pk"))["top"] or 0,
        )
        batch: list[AnnotationRecord] = []
        seen_any = False
        for record in records:
            seen_any = True
            batch.append(record)
            if len(batch) >= BATCH:
                _import_batch(project, batch, errors, create_users, floors, summary)
                batch = []
                _report(state, errors, summary, progress)
        if batch:
            _import_batch(project, batch, errors, create_users, floors, summary)
        _report(state, errors, summary, progress)
        if not seen_any and not errors.total:
            errors.add(None, "no annotations in the file")
        errors.raise_any()  # inside the transaction: any bad line rolls the file back
    return summary


def _report(
    state: ImportProgress,
    errors: ErrorList,
    summary: ImportSummary,
    progress: ProgressCallback | None,
) -> None:
    state.annotations = summary.annotations + summary.unchanged
    state.errors = errors.total
    if progress is not None:
        progress(state)


def _import_batch(
    project: Project,
    records: list[AnnotationRecord],
    errors: ErrorList,
    create_users: bool,
    floors: _Floors,
    summary: ImportSummary,
) -> None:
    """Check one batch against the project, then write its good lines. Call inside the
    import's transaction: the touched articles are locked, so no annotator claims a slot on
    them while the import recounts their slots."""
    records = _without_repeats(records, errors)
    articles = {
        article.external_id: article
        for article in Article.objects.filter(
            project=project, external_id__in={r.article_id for r in records}
        )
        .order_by("pk")
        .select_for_update()
    }
    paragraphs = {
        (article_id, index): pk
        for article_id, index, pk in Paragraph.objects.filter(
            article__in=list(articles.values()), index__in={r.index for r in records}
        ).values_list("article_id", "index", "pk")
    }
    labels = {label.value: label for label in Label.objects.filter(project=project)}
    user_model = get_user_model()
    users: dict[str, object] = {
        user.username: user
        for user in user_model.objects.filter(username__in={r.annotator for r in records})
    }
    resolved = [
        record
        for record in records
        if _resolves(record, project, articles, paragraphs, labels, users, create_users, errors)
    ]

    existing = {
        (assignment.article_id, assignment.annotator.username): assignment
        for assignment in Assignment.objects.filter(
            article__in=list(articles.values()), annotator__in=list(users.values())
        ).select_related("annotator")
    }
    given = {
        (assignment_id, paragraph_id): (pk, value)
        for pk, assignment_id, paragraph_id, value in Annotation.objects.filter(
            assignment__in=list(existing.values()),
            paragraph_id__in=[paragraphs[(articles[r.article_id].pk, r.index)] for r in resolved],
        ).values_list("pk", "assignment_id", "paragraph_id", "label__value")
    }
    groups: dict[tuple[int, str], list[AnnotationRecord]] = defaultdict(list)
    for record in resolved:
        groups[(articles[record.article_id].pk, record.annotator)].append(record)

    new_groups: dict[tuple[int, str], list[AnnotationRecord]] = {}
    additions: list[tuple[Assignment, list[AnnotationRecord]]] = []
    for key, group in groups.items():
        assignment = existing.get(key)
        if assignment is None:
            new_groups[key] = group
            continue
        if assignment.status != Assignment.Status.SUBMITTED:
            errors.add(
                group[0].line,
                f"{group[0].annotator!r} has an assignment on article {group[0].article_id!r} "
                f"that is {assignment.get_status_display().lower()}; only submitted work can "
                f"take imported labels",
                field="annotator",
            )
            continue
        added = []
        for record in group:
            before = given.get((assignment.pk, paragraphs[(key[0], record.index)]))
            if before is None:
                added.append(record)
            elif before[0] > floors.annotation:
                errors.add(record.line, again(record, first=None))
            elif before[1] == record.label:
                summary.unchanged += 1
            else:
                errors.add(
                    record.line,
                    f"{record.annotator!r} already labelled article {record.article_id!r} "
                    f"paragraph {record.index} as {before[1]!r}, not {record.label!r}",
                    field="label",
                )
        if added:
            additions.append((assignment, added))
    _write(
        project=project,
        articles=articles,
        paragraphs=paragraphs,
        labels=labels,
        users=users,
        new_groups=new_groups,
        additions=additions,
        floors=floors,
        summary=summary,
    )


def _without_repeats(records: list[AnnotationRecord], errors: ErrorList) -> list[AnnotationRecord]:
    """The batch without lines that repeat an earlier line of the batch (each an error)."""
    seen: dict[tuple[str, int, str], int] = {}
    kept = []
    for record in records:
        key = (record.article_id, record.index, record.annotator)
        if key in seen:
            errors.add(record.line, again(record, first=seen[key]))
            continue
        seen[key] = record.line
        kept.append(record)
    return kept


_validate_username = UnicodeUsernameValidator()


def _resolves(
    record: AnnotationRecord,
    project: Project,
    articles: dict[str, Article],
    paragraphs: dict[tuple[int, int], int],
    labels: dict[str, Label],
    users: dict[str, object],
    create_users: bool,
    errors: ErrorList,
) -> bool:
    """Whether the record names things that exist (or may be created); if not, an error."""
    article = articles.get(record.article_id)
    if article is None:
        errors.add(
            record.line,
            f"unknown article {record.article_id!r} in project {project.slug!r}",
            field="article_id",
        )
        return False
    if (article.pk, record.index) not in paragraphs:
        count = Paragraph.objects.filter(article=article).count()
        errors.add(
            record.line,
            f"article {record.article_id!r} has no paragraph {record.index} "
            f"(it has {count}, numbered 0 to {count - 1})",
            field="index",
        )
        return False
    if record.label not in labels:
        errors.add(
            record.line,
            f"unknown label {record.label!r} (project labels: {', '.join(sorted(labels))})",
            field="label",
        )
        return False
    if record.annotator in users:
        return True
    if not create_users:
        errors.add(
            record.line,
            f"unknown user {record.annotator!r} (pass --create-users to create it)",
            field="annotator",
        )
        return False
    max_length = get_user_model()._meta.get_field("username").max_length
    try:
        _validate_username(record.annotator)
        if len(record.annotator) > max_length:
            raise ValidationError("too long")
    except ValidationError:
        errors.add(
            record.line,
            f"{record.annotator!r} cannot be a username (letters, digits and @.+-_ "
            f"only, at most {max_length} characters)",
            field="annotator",
        )
        return False
    return True


def _write(
    *,
    project: Project,
    articles: dict[str, Article],
    paragraphs: dict[tuple[int, int], int],
    labels: dict[str, Label],
    users: dict[str, object],
    new_groups: dict[tuple[int, str], list[AnnotationRecord]],
    additions: list[tuple[Assignment, list[AnnotationRecord]]],
    floors: _Floors,
    summary: ImportSummary,
) -> None:
    """Create users, submitted assignments, annotations and their history; recount slots."""
    user_model = get_user_model()
    to_create = sorted({username for _, username in new_groups} - set(users))
    created_users = []
    for username in to_create:
        user = user_model(username=username)
        user.set_unusable_password()
        created_users.append(user)
    user_model.objects.bulk_create(created_users)
    if to_create:
        users = {
            **users,
            **{u.username: u for u in user_model.objects.filter(username__in=to_create)},
        }
    Membership.objects.bulk_create(
        Membership(project=project, user=users[name], role=Membership.Role.ANNOTATOR)
        for name in to_create
    )

    now = timezone.now()
    keys = sorted(new_groups)
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(
                article_id=article_pk,
                annotator=users[username],
                status=Assignment.Status.SUBMITTED,
                submitted_at=_latest(new_groups[(article_pk, username)], default=now),
            )
            for article_pk, username in keys
        ),
        batch_size=BATCH,
    )
    # An assignment this import created in an earlier batch ends at its latest label.
    later = []
    for assignment, records in additions:
        latest = _latest(records, default=None)
        if assignment.pk > floors.assignment and latest and latest > assignment.submitted_at:
            assignment.submitted_at = latest
            later.append(assignment)
    Assignment.objects.bulk_update(later, ["submitted_at"], batch_size=STAMP_BATCH)
    work = [
        (assignment, new_groups[key]) for assignment, key in zip(assignments, keys, strict=True)
    ] + additions

    annotations = []
    stamps = []
    for assignment, records in work:
        for record in records:
            annotations.append(
                Annotation(
                    assignment=assignment,
                    paragraph_id=paragraphs[(articles[record.article_id].pk, record.index)],
                    label=labels[record.label],
                )
            )
            stamps.append(record.created_at)
    Annotation.objects.bulk_create(annotations, batch_size=BATCH)
    restore_timestamps(annotations=annotations, stamps=stamps)
    AnnotationEvent.objects.bulk_create(
        (
            AnnotationEvent(
                assignment=annotation.assignment,
                paragraph_id=annotation.paragraph_id,
                label=annotation.label,
                action=AnnotationEvent.Action.SET,
            )
            for annotation in annotations
        ),
        batch_size=BATCH,
    )
    recount_open_slots(project=project, article_ids=sorted({article_pk for article_pk, _ in keys}))
    summary.annotations += len(annotations)
    summary.assignments += len(assignments)
    summary.users += len(created_users)


def restore_timestamps(*, annotations: list[Annotation], stamps: list[object]) -> None:
    """Give the just-inserted annotations their imported times (auto_now_add overwrote them).

    One UPDATE per row, sent with executemany (pipelined on PostgreSQL): bulk_update's CASE
    costs grow with the square of the rows and took most of a large import's time.
    """
    dated = []
    for annotation, stamp in zip(annotations, stamps, strict=True):
        if stamp is not None:
            annotation.created_at = annotation.updated_at = stamp
            dated.append((stamp, stamp, annotation.pk))
    if not dated:
        return
    table = connection.ops.quote_name(Annotation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET created_at = %s, updated_at = %s WHERE id = %s", dated
        )


def _latest(records: list[AnnotationRecord], *, default: object) -> object:
    return max((r.created_at for r in records if r.created_at), default=default)


def recount_open_slots(*, project: Project, article_ids: list[int]) -> None:
    """Set each article's open slots to overlap minus live assignments, never below 0.

    Call inside the transaction that changed the assignments, with the articles locked.
    """
    live = (
        Assignment.objects.filter(article=OuterRef("pk"), status__in=Assignment.LIVE)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Article.objects.filter(project=project, pk__in=article_ids).update(
        open_slots=Greatest(Value(project.overlap) - Coalesce(Subquery(live), Value(0)), Value(0))
    )


def annotation_records(*, project: Project) -> Iterator[AnnotationRecord]:
    """Every annotation of a submitted assignment, by article (import order), paragraph, annotator.

    Work in progress is left out: it is not yet an annotator's answer, and importing it back
    would turn it into submitted work.
    """
    rows = (
        Annotation.objects.filter(
            assignment__article__project=project, assignment__status=Assignment.Status.SUBMITTED
        )
        .order_by("assignment__article_id", "paragraph__index", "assignment__annotator__username")
        .values_list(
            "assignment__article__external_id",
            "paragraph__index",
            "assignment__annotator__username",
            "label__value",
            "created_at",
        )
    )
    for article_id, index, annotator, label, created_at in rows.iterator(chunk_size=BATCH):
        yield AnnotationRecord(
            article_id=article_id,
            index=index,
            annotator=annotator,
            label=label,
            created_at=created_at,
        )
