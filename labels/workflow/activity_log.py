"""The project activity log: one ProjectEvent per change a team lead wants to trace later
(imports, exports, decisions, work control, membership and settings). Written by the
function that makes the change, in its transaction, so a rolled-back change leaves no entry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from labels.models import Project, ProjectEvent

LOG_PAGE = 200


def record(
    *, project: Project, actor: AbstractBaseUser | None, action: str, detail: str = ""
) -> None:
    """Append one entry to the project's log."""
    ProjectEvent.objects.create(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:4000],
    )


def latest(*, project: Project, limit: int = LOG_PAGE) -> QuerySet[ProjectEvent]:
    """The newest entries first, with the actor loaded."""
    return (
        ProjectEvent.objects.filter(project=project).select_related("actor").order_by("-pk")[:limit]
    )
