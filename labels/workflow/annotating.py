"""The annotator's write paths: label, label a run, undo, flag, skip, submit, active time.

Every write first locks the assignment row with one UPDATE that also checks it is still in
progress, records the activity and adds the active seconds the browser reports. That lock
serialises two tabs of one annotator and makes a write on a submitted, skipped or released
assignment fail cleanly with AssignmentClosed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from typing import NoReturn

from django.db import connection, transaction
from django.db.models import DEFERRED, Count, F, Q
from django.http import Http404
from django.utils import timezone

from labels.models import (
    Annotation,
    AnnotationEvent,
    Assignment,
    Flag,
    Label,
    Paragraph,
    Project,
)
from labels.workflow import queue

# One request never adds more than this much active time: the browser reports what it counted
# since its last successful post, and a bogus or replayed value must not inflate the stats.
MAX_ACTIVE_SECONDS_PER_POST = 3600.0

# Rows per statement of the bulk writes (runs, undo, accept-all): a 100,000-paragraph article
# is written in a few dozen statements, each under SQLite's and psycopg's parameter limits
# (tests/security/test_large_operations.py holds the whole write inside the request budget).
WRITE_BATCH = 2000


class AssignmentClosed(Exception):
    """The assignment is no longer in progress (submitted, skipped or released)."""

    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        super().__init__(f"assignment {assignment.pk} is {assignment.status}, not in progress")


class AssignmentIncomplete(Exception):
    """Submit was asked for while some paragraphs have no label."""

    def __init__(self, missing: int) -> None:
        self.missing = missing
        super().__init__(f"{missing} paragraph(s) still have no label")


def _active_seconds(active_seconds: float) -> float:
    return max(0.0, min(float(active_seconds), MAX_ACTIVE_SECONDS_PER_POST))


def lock_open_assignment(assignment: Assignment, *, active_seconds: float = 0.0) -> None:
    """Lock the assignment row, note the activity; raise AssignmentClosed unless open.

    One UPDATE both takes the row lock (serialising two tabs posting at once) and checks
    the status. Call inside a transaction.
    """
    touched = Assignment.objects.filter(
        pk=assignment.pk, status=Assignment.Status.IN_PROGRESS
    ).update(
        last_activity_at=timezone.now(),
        active_seconds=F("active_seconds") + _active_seconds(active_seconds),
    )
    if not touched:
        refuse_closed(assignment)


def refuse_closed(assignment: Assignment) -> NoReturn:
    """Raise AssignmentClosed with the assignment's current status, or Http404 when it was
    deleted since the access check (its article or project removed): gone for its annotator
    as for anyone, a 404 like every row they cannot reach."""
    try:
        assignment.refresh_from_db(fields=["status"])
    except Assignment.DoesNotExist:
        raise Http404("This article no longer exists.") from None
    raise AssignmentClosed(assignment)


# One statement per bulk write on PostgreSQL: the ids travel as arrays and unnest() turns them
# into rows, so 100,000 annotations cost one INSERT instead of 100,000 Python objects.
_ADD_ANNOTATIONS_SQL = """
    INSERT INTO labels_annotation
        (paragraph_id, assignment_id, label_id, from_suggestion, created_at, updated_at)
    SELECT row.paragraph_id, %(assignment)s, row.label_id, %(from_suggestion)s, %(now)s, %(now)s
    FROM unnest(%(paragraphs)s::bigint[], %(labels)s::bigint[]) AS row(paragraph_id, label_id)
"""
_ADD_EVENTS_SQL = """
    INSERT INTO labels_annotationevent
        (assignment_id, paragraph_id, action, label_id, previous_label_id, batch, created_at)
    SELECT %(assignment)s, row.paragraph_id, %(action)s, row.label_id, row.previous_label_id,
           %(batch)s, %(now)s
    FROM unnest(%(paragraphs)s::bigint[], %(labels)s::bigint[], %(previous)s::bigint[])
        AS row(paragraph_id, label_id, previous_label_id)
"""


def add_annotations(
    *,
    assignment: Assignment,
    paragraph_ids: list[int],
    label_ids: list[int],
    from_suggestion: bool = False,
) -> None:
    """Insert one new annotation per paragraph (none may exist yet). Call inside a transaction."""
    write = _add_annotations_sql if connection.vendor == "postgresql" else _add_annotations_orm
    write(
        assignment=assignment,
        paragraph_ids=paragraph_ids,
        label_ids=label_ids,
        from_suggestion=from_suggestion,
    )


def _add_annotations_sql(
    *,
    assignment: Assignment,
    paragraph_ids: list[int],
    label_ids: list[int],
    from_suggestion: bool,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD_ANNOTATIONS_SQL,
            {
                "assignment": assignment.pk,
                "from_suggestion": from_suggestion,
                "now": timezone.now(),
                "paragraphs": paragraph_ids,
                "labels": label_ids,
            },
        )


def _add_annotations_orm(
    *,
    assignment: Assignment,
    paragraph_ids: list[int],
    label_ids: list[int],
    from_suggestion: bool,
) -> None:
    """add_annotations through the ORM (SQLite): the twin of _add_annotations_sql."""
    Annotation.objects.bulk_create(
        (
            Annotation(
                assignment=assignment,
                paragraph_id=paragraph_id,
                label_id=label_id,
                from_suggestion=from_suggestion,
            )
            for paragraph_id, label_id in zip(paragraph_ids, label_ids, strict=True)
        ),
        batch_size=WRITE_BATCH,
    )


def add_events(
    *,
    assignment: Assignment,
    action: str,
    batch: uuid.UUID | None,
    paragraph_ids: list[int],
    label_ids: list[int | None],
    previous_label_ids: list[int | None],
) -> None:
    """Append one history row per paragraph, all of one action and batch."""
    write = _add_events_sql if connection.vendor == "postgresql" else _add_events_orm
    write(
        assignment=assignment,
        action=action,
        batch=batch,
        paragraph_ids=paragraph_ids,
        label_ids=label_ids,
        previous_label_ids=previous_label_ids,
    )


def _add_events_sql(
    *,
    assignment: Assignment,
    action: str,
    batch: uuid.UUID | None,
    paragraph_ids: list[int],
    label_ids: list[int | None],
    previous_label_ids: list[int | None],
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD_EVENTS_SQL,
            {
                "assignment": assignment.pk,
                "action": action,
                "batch": batch,
                "now": timezone.now(),
                "paragraphs": paragraph_ids,
                "labels": label_ids,
                "previous": previous_label_ids,
            },
        )


def _add_events_orm(
    *,
    assignment: Assignment,
    action: str,
    batch: uuid.UUID | None,
    paragraph_ids: list[int],
    label_ids: list[int | None],
    previous_label_ids: list[int | None],
) -> None:
    """add_events through the ORM (SQLite): the twin of _add_events_sql."""
    AnnotationEvent.objects.bulk_create(
        (
            AnnotationEvent(
                assignment=assignment,
                paragraph_id=paragraph_id,
                action=action,
                label_id=label_id,
                previous_label_id=previous,
                batch=batch,
            )
            for paragraph_id, label_id, previous in zip(
                paragraph_ids, label_ids, previous_label_ids, strict=True
            )
        ),
        batch_size=WRITE_BATCH,
    )


def _check_paragraph(assignment: Assignment, paragraph: Paragraph) -> None:
    if paragraph.article_id != assignment.article_id:
        raise ValueError("paragraph is not part of the assignment's article")


@dataclass(frozen=True)
class SavedLabel:
    """What a label write left: the annotation as stored and the article's progress after it."""

    annotation: Annotation
    labelled: int
    total: int


@transaction.atomic
def set_label(
    *,
    assignment: Assignment,
    paragraph: Paragraph,
    label: Label,
    from_suggestion: bool = False,
    active_seconds: float = 0.0,
) -> SavedLabel:
    """Record the annotator's label for one paragraph; a repeat keypress updates in place.

    Every keypress is also appended to the history (AnnotationEvent), so undo can restore
    the previous label and nothing is ever lost. The progress comes back with the write, so
    the caller redraws the progress box without another query.
    """
    _check_paragraph(assignment, paragraph)
    write = _set_label_postgresql if connection.vendor == "postgresql" else _set_label_orm
    return write(
        assignment=assignment,
        paragraph=paragraph,
        label=label,
        from_suggestion=from_suggestion,
        active_seconds=_active_seconds(active_seconds),
    )


def _set_label_orm(
    *,
    assignment: Assignment,
    paragraph: Paragraph,
    label: Label,
    from_suggestion: bool,
    active_seconds: float,
) -> SavedLabel:
    """set_label through the ORM: the portable twin of _set_label_postgresql."""
    lock_open_assignment(assignment, active_seconds=active_seconds)
    annotation = Annotation.objects.filter(assignment=assignment, paragraph=paragraph).first()
    previous = annotation.label_id if annotation else None
    if annotation is None:
        annotation = Annotation.objects.create(
            assignment=assignment, paragraph=paragraph, label=label, from_suggestion=from_suggestion
        )
    elif previous != label.pk or annotation.from_suggestion != from_suggestion:
        annotation.label = label
        annotation.from_suggestion = from_suggestion
        annotation.save(update_fields=["label", "from_suggestion", "updated_at"])
    AnnotationEvent.objects.create(
        assignment=assignment,
        paragraph=paragraph,
        label=label,
        previous_label_id=previous,
        action=_set_action(from_suggestion),
    )
    return SavedLabel(annotation=annotation, **progress(assignment))


def _set_action(from_suggestion: bool) -> str:
    if from_suggestion:
        return AnnotationEvent.Action.ACCEPT_SUGGESTION
    return AnnotationEvent.Action.SET


# Takes the assignment row lock, as _lock_open_assignment does.
_LOCK_OPEN_ASSIGNMENT_SQL = """
    UPDATE labels_assignment
    SET last_activity_at = %(now)s, active_seconds = active_seconds + %(seconds)s
    WHERE id = %(assignment)s AND status = %(open)s
"""

# Under that lock: read the previous label, upsert the annotation (a repeat of the same label
# leaves the row alone, as the ORM twin does), append the history row and count the progress.
# The counts see the table as it was before this statement, hence one more for a new row.
_UPSERT_LABEL_SQL = """
    WITH previous AS (
        SELECT id, label_id, created_at, updated_at
        FROM labels_annotation
        WHERE assignment_id = %(assignment)s AND paragraph_id = %(paragraph)s
    ), stored AS (
        INSERT INTO labels_annotation AS annotation
            (paragraph_id, assignment_id, label_id, from_suggestion, created_at, updated_at)
        VALUES (%(paragraph)s, %(assignment)s, %(label)s, %(from_suggestion)s, %(now)s, %(now)s)
        ON CONFLICT (paragraph_id, assignment_id) DO UPDATE
            SET label_id = excluded.label_id,
                from_suggestion = excluded.from_suggestion,
                updated_at = excluded.updated_at
            WHERE (annotation.label_id, annotation.from_suggestion)
                IS DISTINCT FROM (excluded.label_id, excluded.from_suggestion)
        RETURNING id, created_at, updated_at
    ), history AS (
        INSERT INTO labels_annotationevent
            (assignment_id, paragraph_id, action, label_id, previous_label_id, created_at)
        VALUES (
            %(assignment)s, %(paragraph)s, %(action)s, %(label)s,
            (SELECT label_id FROM previous), %(now)s
        )
    )
    SELECT
        coalesce(stored.id, previous.id),
        coalesce(stored.created_at, previous.created_at),
        coalesce(stored.updated_at, previous.updated_at),
        (SELECT count(*)
           FROM labels_annotation own JOIN labels_paragraph p ON p.id = own.paragraph_id
          WHERE own.assignment_id = %(assignment)s AND p.article_id = %(article)s)
            + (previous.id IS NULL)::int,
        (SELECT count(*) FROM labels_paragraph WHERE article_id = %(article)s)
    FROM (VALUES (1)) AS one
    LEFT JOIN stored ON true
    LEFT JOIN previous ON true
"""


def _set_label_postgresql(
    *,
    assignment: Assignment,
    paragraph: Paragraph,
    label: Label,
    from_suggestion: bool,
    active_seconds: float,
) -> SavedLabel:
    """set_label in two statements: the assignment lock, then one INSERT … ON CONFLICT.

    Why raw SQL: this runs on every keypress. The ORM twin sends five queries (lock, read,
    write, history, progress) and spends about 2.4 ms of CPU building and compiling them;
    these two statements cost 0.3 ms, with the same work for PostgreSQL. The lock stays a
    statement of its own: PostgreSQL takes a statement's snapshot before it waits for a row
    lock, so one statement that waited for another tab's write would not see that write's
    annotation and would record a wrong previous label in the history
    (tests/workflow/test_label_write_concurrency.py). Call inside a transaction.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _LOCK_OPEN_ASSIGNMENT_SQL,
            {
                "now": now,
                "seconds": active_seconds,
                "assignment": assignment.pk,
                "open": Assignment.Status.IN_PROGRESS,
            },
        )
        if cursor.rowcount == 0:
            refuse_closed(assignment)
        cursor.execute(
            _UPSERT_LABEL_SQL,
            {
                "assignment": assignment.pk,
                "paragraph": paragraph.pk,
                "article": assignment.article_id,
                "label": label.pk,
                "from_suggestion": from_suggestion,
                "action": _set_action(from_suggestion),
                "now": now,
            },
        )
        annotation_id, created_at, updated_at, labelled, total = cursor.fetchone()
    stored = {
        "id": annotation_id,
        "paragraph_id": paragraph.pk,
        "assignment_id": assignment.pk,
        "label_id": label.pk,
        "from_suggestion": from_suggestion,
        "created_at": created_at,
        "updated_at": updated_at,
    }
    fields = Annotation._meta.concrete_fields  # any other field loads when first read
    annotation = Annotation.from_db(
        connection.alias,
        [field.attname for field in fields],
        [stored.get(field.attname, DEFERRED) for field in fields],
    )
    annotation.paragraph, annotation.assignment, annotation.label = paragraph, assignment, label
    return SavedLabel(annotation=annotation, labelled=labelled, total=total)


@transaction.atomic
def set_label_run(
    *, assignment: Assignment, paragraph: Paragraph, label: Label, active_seconds: float = 0.0
) -> list[int]:
    """Label ``paragraph`` and every unlabelled paragraph after it up to the next labelled one.

    When the project shows suggestions the run also stops before the first paragraph whose
    suggested label differs from ``label`` (a run over a page's leading menu stops where the
    article starts). Returns the ids of the paragraphs it labelled, in order. One transaction;
    the run is computed from the stored labels under the assignment lock, and its history
    events share a batch, so one undo reverts the whole run.
    """
    _check_paragraph(assignment, paragraph)
    lock_open_assignment(assignment, active_seconds=active_seconds)
    labelled = set(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", flat=True)
    )
    following = Paragraph.objects.filter(
        article_id=assignment.article_id, index__gt=paragraph.index
    ).order_by("index")
    follow_suggestions = assignment.article.project.show_suggestions
    run = [paragraph.pk]
    rows = following.values_list("pk", "suggested_label").iterator(chunk_size=WRITE_BATCH)
    for pk, suggested in rows:
        if pk in labelled or (follow_suggestions and suggested != label.value):
            break
        run.append(pk)

    focused = (
        Annotation.objects.filter(assignment=assignment, paragraph=paragraph).first()
        if paragraph.pk in labelled
        else None
    )
    previous = focused.label_id if focused else None
    if focused is None:
        Annotation.objects.create(assignment=assignment, paragraph=paragraph, label=label)
    elif focused.label_id != label.pk or focused.from_suggestion:
        focused.label = label
        focused.from_suggestion = False
        focused.save(update_fields=["label", "from_suggestion", "updated_at"])
    add_annotations(
        assignment=assignment, paragraph_ids=run[1:], label_ids=[label.pk] * (len(run) - 1)
    )
    add_events(
        assignment=assignment,
        action=AnnotationEvent.Action.SET,
        batch=uuid.uuid4() if len(run) > 1 else None,
        paragraph_ids=run,
        label_ids=[label.pk] * len(run),
        previous_label_ids=[previous] + [None] * (len(run) - 1),
    )
    return run


@transaction.atomic
def set_label_selection(
    *,
    assignment: Assignment,
    paragraph_ids: Iterable[int],
    label: Label,
    active_seconds: float = 0.0,
) -> list[int]:
    """Give every selected paragraph of the assignment's article the same label.

    Returns the ids it changed, in document order. One transaction; the history events share
    a batch, so one undo restores each paragraph's previous label (or none). Paragraphs that
    already had this label are left out, so they are not in the undo step either. Raises
    ValueError if any id is not a paragraph of the article.
    """
    lock_open_assignment(assignment, active_seconds=active_seconds)
    wanted = set(paragraph_ids)
    paragraphs = list(
        Paragraph.objects.filter(article_id=assignment.article_id, pk__in=wanted)
        .order_by("index")
        .values_list("pk", flat=True)
    )
    if len(paragraphs) != len(wanted):
        raise ValueError("a selected paragraph is not part of the assignment's article")
    existing = {
        annotation.paragraph_id: annotation
        for annotation in Annotation.objects.filter(assignment=assignment, paragraph_id__in=wanted)
    }
    changed = [
        pk
        for pk in paragraphs
        if pk not in existing or existing[pk].label_id != label.pk or existing[pk].from_suggestion
    ]
    Annotation.objects.filter(assignment=assignment, paragraph_id__in=changed).update(
        label=label, from_suggestion=False, updated_at=timezone.now()
    )
    Annotation.objects.bulk_create(
        Annotation(assignment=assignment, paragraph_id=pk, label=label)
        for pk in changed
        if pk not in existing
    )
    batch = uuid.uuid4() if len(changed) > 1 else None
    AnnotationEvent.objects.bulk_create(
        AnnotationEvent(
            assignment=assignment,
            paragraph_id=pk,
            label=label,
            previous_label_id=existing[pk].label_id if pk in existing else None,
            batch=batch,
        )
        for pk in changed
    )
    return changed


@dataclass(frozen=True)
class HistoryEntry:
    """One AnnotationEvent as undo reads it."""

    pk: int
    action: str
    batch: uuid.UUID | None
    paragraph_id: int
    label_id: int | None
    previous_label_id: int | None


def keypresses(history: Iterable[HistoryEntry]) -> Iterator[list[HistoryEntry]]:
    """Group a newest-first history into keypresses: events of one batch belong together."""
    group: list[HistoryEntry] = []
    for entry in history:
        if group and entry.batch is not None and entry.batch == group[0].batch:
            group.append(entry)
            continue
        if group:
            yield group
        group = [entry]
    if group:
        yield group


def last_undoable(history: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """The events of the newest change not yet undone, from a newest-first history; [] if none.

    Undo is a stack: each undo cancels the newest change still standing, so pressing undo
    repeatedly walks back through the article. Undo does not redo an undo.
    """
    undone = 0
    for group in keypresses(history):
        if group[0].action == AnnotationEvent.Action.UNDO:
            undone += 1
        elif undone:
            undone -= 1
        else:
            return group
    return []


@transaction.atomic
def undo_last_change(*, assignment: Assignment, active_seconds: float = 0.0) -> list[int]:
    """Revert the newest standing change of this assignment; returns the paragraph ids it touched
    (in the order they were changed).

    A paragraph whose change had no previous label becomes unlabelled again (the annotation
    row is removed; the history keeps every step, the undo included).
    """
    lock_open_assignment(assignment, active_seconds=active_seconds)
    history = (
        HistoryEntry(*row)
        for row in AnnotationEvent.objects.filter(assignment=assignment)
        .order_by("-pk")
        .values_list("pk", "action", "batch", "paragraph_id", "label_id", "previous_label_id")
        .iterator(chunk_size=500)
    )
    target = last_undoable(history)
    if not target:
        return []
    # Oldest first: for a run that is document order, so the caller can focus its start.
    paragraph_ids = [entry.paragraph_id for entry in reversed(target)]
    current: dict[int, tuple[int, int]] = {}  # paragraph id -> (annotation id, label id)
    for start in range(0, len(paragraph_ids), WRITE_BATCH):
        current.update(
            (paragraph_id, (pk, label_id))
            for pk, paragraph_id, label_id in Annotation.objects.filter(
                assignment=assignment, paragraph_id__in=paragraph_ids[start : start + WRITE_BATCH]
            ).values_list("pk", "paragraph_id", "label_id")
        )
    # Set-wise writes, so a run over a whole huge article is undone in a few dozen statements.
    to_delete: list[int] = []
    to_relabel: dict[int, list[int]] = {}  # previous label -> annotation ids
    to_create: dict[int, int] = {}  # paragraph id -> previous label
    for entry in target:
        annotation_id, _ = current.get(entry.paragraph_id, (None, None))
        if entry.previous_label_id is None:
            if annotation_id is not None:
                to_delete.append(annotation_id)
        elif annotation_id is None:
            to_create[entry.paragraph_id] = entry.previous_label_id
        else:
            to_relabel.setdefault(entry.previous_label_id, []).append(annotation_id)
    for start in range(0, len(to_delete), WRITE_BATCH):
        Annotation.objects.filter(pk__in=to_delete[start : start + WRITE_BATCH]).delete()
    now = timezone.now()
    for label_id, ids in to_relabel.items():
        for start in range(0, len(ids), WRITE_BATCH):
            Annotation.objects.filter(pk__in=ids[start : start + WRITE_BATCH]).update(
                label_id=label_id, from_suggestion=False, updated_at=now
            )
    add_annotations(
        assignment=assignment,
        paragraph_ids=list(to_create),
        label_ids=list(to_create.values()),
    )
    add_events(
        assignment=assignment,
        action=AnnotationEvent.Action.UNDO,
        batch=uuid.uuid4() if len(target) > 1 else None,
        paragraph_ids=[entry.paragraph_id for entry in target],
        label_ids=[entry.previous_label_id for entry in target],
        previous_label_ids=[current.get(e.paragraph_id, (None, None))[1] for e in target],
    )
    return paragraph_ids


@transaction.atomic
def flag_paragraph(
    *, assignment: Assignment, paragraph: Paragraph, note: str = "", active_seconds: float = 0.0
) -> Flag:
    """Mark the paragraph as unsure for reviewers; flagging again replaces the note."""
    _check_paragraph(assignment, paragraph)
    lock_open_assignment(assignment, active_seconds=active_seconds)
    flag, _ = Flag.objects.update_or_create(
        assignment=assignment, paragraph=paragraph, defaults={"note": note.strip()}
    )
    return flag


@transaction.atomic
def unflag_paragraph(
    *, assignment: Assignment, paragraph: Paragraph, active_seconds: float = 0.0
) -> bool:
    """Remove the annotator's flag from the paragraph; returns whether there was one."""
    _check_paragraph(assignment, paragraph)
    lock_open_assignment(assignment, active_seconds=active_seconds)
    deleted, _ = Flag.objects.filter(assignment=assignment, paragraph=paragraph).delete()
    return bool(deleted)


@transaction.atomic
def skip_assignment(
    *, assignment: Assignment, reason: str = "", active_seconds: float = 0.0
) -> Assignment:
    """Give the article back: the slot returns to the pool and it is never offered to this user again.

    Labels already given stay in the database (and in the history) for reviewers to read.
    """
    lock_open_assignment(assignment, active_seconds=active_seconds)
    queue.return_slot(
        assignment=assignment, status=Assignment.Status.SKIPPED, skip_reason=reason.strip()
    )
    return assignment


@transaction.atomic
def record_activity(*, assignment: Assignment, active_seconds: float) -> None:
    """Add active seconds the browser counted (sent when the tab is hidden or closed)."""
    lock_open_assignment(assignment, active_seconds=active_seconds)


@transaction.atomic
def submit_assignment(*, assignment: Assignment, active_seconds: float = 0) -> Assignment:
    """Mark the assignment submitted; every paragraph of the article must have a label."""
    lock_open_assignment(assignment, active_seconds=active_seconds)
    counts = progress(assignment)
    if counts["labelled"] < counts["total"]:
        raise AssignmentIncomplete(counts["total"] - counts["labelled"])
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        status=Assignment.Status.SUBMITTED, submitted_at=now, last_activity_at=now
    )
    assignment.refresh_from_db()
    return assignment


def progress(assignment: Assignment) -> dict[str, int]:
    """Paragraphs in the assignment's article and how many of them it has labelled (one query)."""
    # The join brings in every annotator's annotations: count paragraphs, not joined rows,
    # or other people's work would inflate the total (and leak how many labelled it).
    return Paragraph.objects.filter(article_id=assignment.article_id).aggregate(
        total=Count("pk", distinct=True),
        labelled=Count("annotations", filter=Q(annotations__assignment=assignment)),
    )


def submitted_counts(*, annotator_id: int, project: Project) -> dict[str, int]:
    """Articles of the project the annotator submitted today (local time) and in all (one query)."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    submitted = Q(status=Assignment.Status.SUBMITTED)
    return Assignment.objects.filter(annotator_id=annotator_id, article__project=project).aggregate(
        today=Count("pk", filter=submitted & Q(submitted_at__gte=midnight)),
        total=Count("pk", filter=submitted),
    )
