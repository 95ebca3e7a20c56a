"""Creating projects, their label sets and their members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from labels.models import DEFAULT_LABELS, Label, Membership, Project, ProjectEvent, free_colour
from labels.workflow import activity_log

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
    *,
    slug: str,
    name: str | None = None,
    labels: Sequence[str] | None = None,
    overlap: int = 2,
    actor: AbstractBaseUser | None = None,
    via: str = ProjectEvent.Via.COMMAND,
) -> Project:
    """Create a project with its ordered label set (the default four when none given); the
    activity log's first entry says who created it and how."""
    if overlap < 1:
        raise InvalidLabelSet("overlap must be at least 1")
    specs = label_specs(labels)
    project = Project.objects.create(slug=slug, name=name or slug, overlap=overlap)
    colours: list[str] = []
    for value, _, _ in specs:
        colours.append(free_colour(value, colours))
    Label.objects.bulk_create(
        Label(project=project, value=value, name=label_name, key=key, order=order, colour=colour)
        for order, ((value, label_name, key), colour) in enumerate(zip(specs, colours, strict=True))
    )
    activity_log.record(
        project=project,
        actor=actor,
        action="project created",
        detail=f"{project.slug}: " + ", ".join(f"{key} {name}" for _, name, key in specs),
        via=via,
    )
    return project


def get_or_create_project(*, slug: str) -> tuple[Project, bool]:
    """The project with this slug, created with the default labels when missing."""
    project = Project.objects.filter(slug=slug).first()
    if project is not None:
        return project, False
    return create_project(slug=slug), True


class MembershipError(ValueError):
    """Members that cannot be added as asked (unknown or invalid user names)."""


@dataclass(frozen=True)
class MemberChange:
    """What add_members did for one user name."""

    user: AbstractBaseUser
    outcome: str  # "added", "role changed", "unchanged"
    created_user: bool = False
    previous_role: str = ""


@transaction.atomic
def add_members(
    *, project: Project, usernames: Sequence[str], role: str, create: bool = False
) -> list[MemberChange]:
    """Make the users members of the project with ``role`` (an existing member's role changes).

    With ``create``, missing users are created with an unusable password (they set one through
    a reset link or ``changepassword``). Without it, any missing name fails the whole call and
    nothing is written.
    """
    if role not in Membership.Role.values:
        raise MembershipError(f"unknown role {role!r} (choose {', '.join(Membership.Role.values)})")
    user_model = get_user_model()
    names = list(dict.fromkeys(usernames))  # keep order, drop repeats
    existing = {
        user.get_username(): user
        for user in user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__in": names})
    }
    missing = [name for name in names if name not in existing]
    if missing and not create:
        raise MembershipError(
            f"no such user(s): {', '.join(missing)} (pass --create to create them)"
        )
    username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    for name in missing:
        try:
            username_field.run_validators(name)
        except ValidationError as exc:
            raise MembershipError(f"invalid user name {name!r}: {' '.join(exc.messages)}") from None

    changes = []
    for name in names:
        user = existing.get(name)
        created_user = user is None
        if created_user:
            user = user_model.objects.create_user(**{user_model.USERNAME_FIELD: name})
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, added = Membership.objects.get_or_create(
            project=project, user=user, defaults={"role": role}
        )
        if added:
            changes.append(MemberChange(user=user, outcome="added", created_user=created_user))
        elif membership.role != role:
            previous = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            changes.append(MemberChange(user=user, outcome="role changed", previous_role=previous))
        else:
            changes.append(MemberChange(user=user, outcome="unchanged"))
    return changes
