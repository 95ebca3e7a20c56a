"""The project activity log: one ProjectEvent per change a team lead wants to trace later
(imports, exports, decisions, work control, membership and settings), whichever way it came:
the web pages, the API, a management command or a background job (``via``). Written by the
function that makes the change, in its transaction, so a rolled-back change leaves no entry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from labels.models import Project, ProjectEvent

LOG_PAGE = 200


def record(
    *,
    project: Project,
    actor: AbstractBaseUser | None,
    action: str,
    detail: str = "",
    via: str = ProjectEvent.Via.WEB,
) -> None:
    """Append one entry to the project's log (``actor`` None: a command or the system)."""
    ProjectEvent.objects.create(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        via=via,
        action=action,
        detail=detail[:4000],
    )


def record_command(*, project: Project, action: str, detail: str = "") -> None:
    """An entry for a management command: no user name, since a shell has none."""
    record(project=project, actor=None, action=action, detail=detail, via=ProjectEvent.Via.COMMAND)


def latest(
    *, project: Project, before: int | None = None, limit: int = LOG_PAGE
) -> QuerySet[ProjectEvent]:
    """The newest entries first (older than entry ``before`` when given), actor loaded."""
    events = ProjectEvent.objects.filter(project=project)
    if before is not None:
        events = events.filter(pk__lt=before)
    return events.select_related("actor").order_by("-pk")[:limit]
