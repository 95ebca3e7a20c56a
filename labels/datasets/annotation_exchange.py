"""Bring annotations in from another tool (or an earlier export) and write them out again.

``import_annotations`` checks every line against the project before writing anything, then
writes in one transaction: a file lands whole or not at all. Imported work becomes
submitted assignments, and each touched article's open slots are recounted in the same
transaction so the labelling queue stays right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from labels.datasets.annotation_records import AnnotationRecord, ErrorList, parse_records
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


@dataclass(frozen=True)
class ImportSummary:
    annotations: int  # created
    unchanged: int  # already present with the same label
    assignments: int  # created, as submitted
    users: int  # created (with --create-users)

    def describe(self) -> str:
        return (
            f"{self.annotations} annotation(s) imported, {self.unchanged} already present, "
            f"{self.assignments} submitted assignment(s) created, {self.users} user(s) created"
        )


@dataclass
class _Plan:
    """What an import will write, worked out and checked before anything is written."""

    articles: dict[str, Article]  # by external id
    paragraphs: dict[tuple[int, int], int]  # (article pk, index) -> paragraph pk
    users: dict[str, object]  # username -> user (None: to be created)
    new_assignments: dict[tuple[int, str], list[AnnotationRecord]]  # (article pk, username)
    additions: list[tuple[Assignment, list[AnnotationRecord]]]  # into existing submitted ones
    unchanged: int

    def paragraph_of(self, record: AnnotationRecord) -> int:
        return self.paragraphs[(self.articles[record.article_id].pk, record.index)]


def import_annotations(
    *, project: Project, data: bytes, name: str, create_users: bool = False
) -> ImportSummary:
    """Import an annotation JSONL file into ``project``: all of it, or nothing.

    Raises annotation_records.RecordErrors listing every bad line (``FILE:LINE: reason``):
    malformed lines, unknown articles, paragraphs or labels, unknown users (unless
    ``create_users``), and lines that contradict work already in the project.
    """
    records = parse_records(data, file=name)
    return import_records(project=project, records=records, name=name, create_users=create_users)


def import_records(
    *,
    project: Project,
    records: list[AnnotationRecord],
    name: str,
    create_users: bool = False,
) -> ImportSummary:
    """Import parsed records (see import_annotations); ``name`` stands for the file in errors."""
    with transaction.atomic():
        plan = _check(project=project, records=records, name=name, create_users=create_users)
        return _write(project=project, plan=plan)


def _check(
    *, project: Project, records: list[AnnotationRecord], name: str, create_users: bool
) -> _Plan:
    """Resolve every record against the project; raise RecordErrors if any line is bad.

    Call inside a transaction: the touched articles are locked, so no annotator claims a
    slot on them while the import recounts their slots.
    """
    errors = ErrorList(name)
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
            article__in=list(articles.values())
        ).values_list("article_id", "index", "pk")
    }
    paragraph_counts: dict[int, int] = defaultdict(int)
    for article_id, _ in paragraphs:
        paragraph_counts[article_id] += 1
    labels = {label.value for label in project.labels.all()}
    user_model = get_user_model()
    users: dict[str, object] = {
        user.username: user
        for user in user_model.objects.filter(username__in={r.annotator for r in records})
    }
    username_field = user_model._meta.get_field("username")
    validate_username = UnicodeUsernameValidator()

    resolved: list[AnnotationRecord] = []
    for record in records:
        article = articles.get(record.article_id)
        if article is None:
            errors.add(
                record.line, f"unknown article {record.article_id!r} in project {project.slug!r}"
            )
            continue
        if (article.pk, record.index) not in paragraphs:
            count = paragraph_counts[article.pk]
            errors.add(
                record.line,
                f"article {record.article_id!r} has no paragraph {record.index} "
                f"(it has {count}, numbered 0 to {count - 1})",
            )
            continue
        if record.label not in labels:
            errors.add(
                record.line,
                f"unknown label {record.label!r} (project labels: {', '.join(sorted(labels))})",
            )
            continue
        if record.annotator not in users:
            if not create_users:
                errors.add(
                    record.line,
                    f"unknown user {record.annotator!r} (pass --create-users to create it)",
                )
                continue
            try:
                validate_username(record.annotator)
                if len(record.annotator) > username_field.max_length:
                    raise ValidationError("too long")
            except ValidationError:
                errors.add(
                    record.line,
                    f"{record.annotator!r} cannot be a username (letters, digits and @.+-_ "
                    f"only, at most {username_field.max_length} characters)",
                )
                continue
        resolved.append(record)

    existing = {
        (assignment.article_id, assignment.annotator.username): assignment
        for assignment in Assignment.objects.filter(
            article__in=list(articles.values()), annotator__in=list(users.values())
        ).select_related("annotator")
    }
    given = {
        (assignment_id, paragraph_id): value
        for assignment_id, paragraph_id, value in Annotation.objects.filter(
            assignment__in=list(existing.values())
        ).values_list("assignment_id", "paragraph_id", "label__value")
    }
    groups: dict[tuple[int, str], list[AnnotationRecord]] = defaultdict(list)
    for record in resolved:
        groups[(articles[record.article_id].pk, record.annotator)].append(record)

    new_assignments: dict[tuple[int, str], list[AnnotationRecord]] = {}
    additions: list[tuple[Assignment, list[AnnotationRecord]]] = []
    unchanged = 0
    for key, group in groups.items():
        assignment = existing.get(key)
        if assignment is None:
            new_assignments[key] = group
            continue
        if assignment.status != Assignment.Status.SUBMITTED:
            errors.add(
                group[0].line,
                f"{group[0].annotator!r} has an assignment on article {group[0].article_id!r} "
                f"that is {assignment.get_status_display().lower()}; only submitted work can "
                f"take imported labels",
            )
            continue
        added = []
        for record in group:
            before = given.get((assignment.pk, paragraphs[(key[0], record.index)]))
            if before is None:
                added.append(record)
            elif before == record.label:
                unchanged += 1
            else:
                errors.add(
                    record.line,
                    f"{record.annotator!r} already labelled article {record.article_id!r} "
                    f"paragraph {record.index} as {before!r}, not {record.label!r}",
                )
        if added:
            additions.append((assignment, added))
    errors.raise_any()
    return _Plan(
        articles=articles,
        paragraphs=paragraphs,
        users={name: users.get(name) for name in {key[1] for key in groups}},
        new_assignments=new_assignments,
        additions=additions,
        unchanged=unchanged,
    )


def _write(*, project: Project, plan: _Plan) -> ImportSummary:
    """Create users, submitted assignments, annotations and their history; recount slots."""
    user_model = get_user_model()
    to_create = sorted(name for name, user in plan.users.items() if user is None)
    created_users = []
    for username in to_create:
        user = user_model(username=username)
        user.set_unusable_password()
        created_users.append(user)
    user_model.objects.bulk_create(created_users)
    users = {
        user.username: user for user in user_model.objects.filter(username__in=list(plan.users))
    }
    Membership.objects.bulk_create(
        Membership(project=project, user=users[name], role=Membership.Role.ANNOTATOR)
        for name in to_create
    )

    now = timezone.now()
    keys = sorted(plan.new_assignments)
    assignments = Assignment.objects.bulk_create(
        (
            Assignment(
                article_id=article_pk,
                annotator=users[username],
                status=Assignment.Status.SUBMITTED,
                submitted_at=max(
                    (
                        r.created_at
                        for r in plan.new_assignments[(article_pk, username)]
                        if r.created_at
                    ),
                    default=now,
                ),
            )
            for article_pk, username in keys
        ),
        batch_size=BATCH,
    )
    work = [
        (assignment, plan.new_assignments[key])
        for assignment, key in zip(assignments, keys, strict=True)
    ] + plan.additions

    labels = {label.value: label for label in Label.objects.filter(project=project)}
    annotations = []
    stamps = []
    for assignment, records in work:
        for record in records:
            annotations.append(
                Annotation(
                    assignment=assignment,
                    paragraph_id=plan.paragraph_of(record),
                    label=labels[record.label],
                )
            )
            stamps.append(record.created_at)
    Annotation.objects.bulk_create(annotations, batch_size=BATCH)
    # auto_now_add overwrites created_at on insert; put the imported times back.
    dated = []
    for annotation, stamp in zip(annotations, stamps, strict=True):
        if stamp is not None:
            annotation.created_at = annotation.updated_at = stamp
            dated.append(annotation)
    Annotation.objects.bulk_update(dated, ["created_at", "updated_at"], batch_size=BATCH)
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
    return ImportSummary(
        annotations=len(annotations),
        unchanged=plan.unchanged,
        assignments=len(assignments),
        users=len(created_users),
    )


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
