"""A project's settings edited in the app: name, overlap, guidelines, suggestions shown, idle
timeout, and the label set (name, key, colour, order; a label in use keeps existing).

Changing the overlap recomputes every article's open slots in the same transaction
(``queue.sync_open_slots``); claims stay safe meanwhile because they recount under the
article lock. Every change goes in the project's activity log with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from labels.models import (
    Annotation,
    AnnotationEvent,
    GoldLabel,
    Label,
    LabelColour,
    Project,
    free_colour,
)
from labels.workflow import activity_log, queue


class LabelInUse(ValueError):
    """A label that annotations or gold decisions use cannot be deleted."""


class InvalidLabels(ValueError):
    """A label set that breaks a rule (duplicate keys or values, empty names)."""


@dataclass(frozen=True)
class LabelEdit:
    pk: int | None  # None: a new label
    value: str
    name: str
    key: str
    order: int
    colour: str = ""  # a LabelColour value; "" for a new label: the first colour free
    delete: bool = False


@transaction.atomic
def update_settings(
    *,
    reviewer: AbstractBaseUser,
    project: Project,
    name: str,
    overlap: int,
    guidelines: str,
    show_suggestions: bool,
    idle_minutes: int,
    min_seconds_per_paragraph: float,
    control_every: int = 0,
    control_warning: float = 0.8,
    uncertainty_first: bool = False,
    retrain_every: int = 200,
) -> list[str]:
    """Store the settings; returns the names of the fields that changed (logged)."""
    new = {
        "name": name.strip(),
        "overlap": overlap,
        "guidelines": guidelines,
        "show_suggestions": show_suggestions,
        "assignment_timeout": timedelta(minutes=idle_minutes),
        "min_seconds_per_paragraph": min_seconds_per_paragraph,
        "control_every": control_every,
        "control_warning": control_warning,
        "uncertainty_first": uncertainty_first,
        "retrain_every": retrain_every,
    }
    changed = [field for field, value in new.items() if getattr(project, field) != value]
    if not changed:
        return []
    Project.objects.filter(pk=project.pk).update(**new)
    for field, value in new.items():
        setattr(project, field, value)
    if "overlap" in changed:
        queue.sync_open_slots(project=project)
    activity_log.record(
        project=project, actor=reviewer, action="settings changed", detail=", ".join(changed)
    )
    return changed


def labels_in_use(*, project: Project) -> set[int]:
    """Ids of the project's labels that annotations, their history or gold decisions use."""
    ids = set(
        Annotation.objects.filter(label__project=project)
        .values_list("label_id", flat=True)
        .distinct()
    )
    ids |= set(
        GoldLabel.objects.filter(label__project=project)
        .values_list("label_id", flat=True)
        .distinct()
    )
    ids |= set(
        AnnotationEvent.objects.filter(label__project=project)
        .values_list("label_id", flat=True)
        .distinct()
    )
    return ids


@transaction.atomic
def update_labels(*, reviewer: AbstractBaseUser, project: Project, edits: list[LabelEdit]) -> None:
    """Apply the label set edits as a whole, or nothing (LabelInUse, InvalidLabels)."""
    existing = {
        label.pk: label for label in Label.objects.select_for_update().filter(project=project)
    }
    used = labels_in_use(project=project)
    kept = [edit for edit in edits if not edit.delete]
    for edit in edits:
        if edit.delete and edit.pk in used:
            raise LabelInUse(f"label {existing[edit.pk].name!r} is in use and cannot be deleted")
        if edit.pk is not None and edit.pk not in existing:
            raise InvalidLabels(f"label {edit.pk} is not in this project")
    for field in ("key", "value"):
        values = [getattr(edit, field) for edit in kept]
        if len(set(values)) != len(values):
            raise InvalidLabels(f"two labels have the same {field}")
    if any(not edit.name.strip() or not edit.key for edit in kept):
        raise InvalidLabels("every label needs a name and a key")
    for edit in kept:
        if edit.colour not in LabelColour.values and not (edit.pk is None and not edit.colour):
            raise InvalidLabels(
                f"colour {edit.colour!r} of label {edit.name!r} is not in the palette"
            )
    Label.objects.filter(pk__in=[edit.pk for edit in edits if edit.delete]).delete()
    # Keys are unique per project: park the kept labels on private-use characters first, so a
    # swap of two keys does not trip the constraint halfway.
    for n, edit in enumerate(edit for edit in kept if edit.pk is not None):
        Label.objects.filter(pk=edit.pk).update(key=chr(0xE000 + n))
    colours = [edit.colour for edit in kept if edit.colour]
    saved = []
    for edit in kept:
        colour = edit.colour
        if not colour:
            colour = free_colour(edit.value, colours)
            colours.append(colour)
        if edit.pk is None:
            Label.objects.create(
                project=project,
                value=edit.value,
                name=edit.name.strip(),
                key=edit.key,
                order=edit.order,
                colour=colour,
            )
        else:
            # An existing label keeps its value: exports and stored labels refer to it.
            Label.objects.filter(pk=edit.pk).update(
                name=edit.name.strip(), key=edit.key, order=edit.order, colour=colour
            )
        saved.append((edit.order, f"{edit.key} {edit.name.strip()} ({colour})"))
    activity_log.record(
        project=project,
        actor=reviewer,
        action="labels changed",
        detail=", ".join(text for _, text in sorted(saved, key=lambda item: item[0])),
    )
