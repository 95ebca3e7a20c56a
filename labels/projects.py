"""Creating projects and their label sets."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify

from labels.models import DEFAULT_LABELS, Label, Project

_KEYS = "1234567890"


class InvalidLabelSet(ValueError):
    """A label list that cannot become a project's label set."""


def label_specs(values: Sequence[str] | None) -> list[tuple[str, str, str]]:
    """(value, name, key) for each label; keys are 1-9 then 0, in the order given."""
    if not values:
        return list(DEFAULT_LABELS)
    cleaned = [v.strip() for v in values if v.strip()]
    if not cleaned:
        raise InvalidLabelSet("the label list is empty")
    if len(cleaned) > len(_KEYS):
        raise InvalidLabelSet(f"at most {len(_KEYS)} labels (one digit key each)")
    for value in cleaned:
        if slugify(value) != value:
            raise InvalidLabelSet(f"label {value!r} must be lower-case letters, digits, - or _")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidLabelSet("labels must be unique")
    defaults = {value: name for value, name, _ in DEFAULT_LABELS}
    return [
        (value, defaults.get(value, value.replace("_", " ").capitalize()), key)
        for value, key in zip(cleaned, _KEYS, strict=False)
    ]


@transaction.atomic
def create_project(
    *, slug: str, name: str | None = None, labels: Sequence[str] | None = None, overlap: int = 2
) -> Project:
    """Create a project with its ordered label set (the default four when none given)."""
    if overlap < 1:
        raise InvalidLabelSet("overlap must be at least 1")
    specs = label_specs(labels)
    project = Project.objects.create(slug=slug, name=name or slug, overlap=overlap)
    Label.objects.bulk_create(
        Label(project=project, value=value, name=label_name, key=key, order=order)
        for order, (value, label_name, key) in enumerate(specs)
    )
    return project


def get_or_create_project(*, slug: str) -> tuple[Project, bool]:
    """The project with this slug, created with the default labels when missing."""
    project = Project.objects.filter(slug=slug).first()
    if project is not None:
        return project, False
    return create_project(slug=slug), True
