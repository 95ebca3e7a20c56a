"""A project's team managed in the app: invite by user name, set a member's role, deactivate a
member, create a project. Every change goes in the project's activity log.

Invitations need no mail server: a new user gets an unusable password and a one-time link to
set one (Django's password-reset token, which stops working once the password is set or the
user logs in). The link is shown to the reviewer to copy, and mailed when the invitation
names an address and the site has a mail server configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from labels.models import Article, Assignment, Membership, Project
from labels.workflow import activity_log, projects


@dataclass(frozen=True)
class Invitation:
    user: AbstractBaseUser
    outcome: str  # "added", "role changed", "unchanged"
    needs_password: bool  # the user cannot log in yet: hand them the link
    uidb64: str = ""
    token: str = ""


@transaction.atomic
def invite_member(
    *, reviewer: AbstractBaseUser, project: Project, username: str, role: str, email: str = ""
) -> Invitation:
    """Make ``username`` a member with ``role``, creating the user when new; a user without a
    usable password gets a one-time set-password token. Raises projects.MembershipError."""
    change = projects.add_members(project=project, usernames=[username], role=role, create=True)[0]
    user = change.user
    if email and change.created_user:
        user.email = email
        user.save(update_fields=["email"])
    activity_log.record(
        project=project,
        actor=reviewer,
        action="member invited" if change.outcome == "added" else f"member {change.outcome}",
        detail=f"{user.get_username()} as {role}",
    )
    if user.has_usable_password():
        return Invitation(user=user, outcome=change.outcome, needs_password=False)
    return Invitation(
        user=user,
        outcome=change.outcome,
        needs_password=True,
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )


class NotAMember(LookupError):
    """The user is not a member of the project."""


@transaction.atomic
def set_role(*, reviewer: AbstractBaseUser, project: Project, user_id: int, role: str) -> None:
    """Change a member's role. Raises NotAMember, or projects.MembershipError for a bad role."""
    membership = (
        Membership.objects.select_related("user").filter(project=project, user_id=user_id).first()
    )
    if membership is None:
        raise NotAMember(f"user {user_id} is not a member of {project.slug}")
    projects.add_members(project=project, usernames=[membership.user.get_username()], role=role)
    activity_log.record(
        project=project,
        actor=reviewer,
        action="role changed",
        detail=f"{membership.user.get_username()}: {membership.role} → {role}",
    )


@transaction.atomic
def deactivate_member(*, reviewer: AbstractBaseUser, project: Project, user_id: int) -> int:
    """Remove the user's membership: they no longer see the project or get articles from it.

    Their submitted work stays and still counts (agreement, gold, exports); an article they
    had in progress is released so its slot returns. Returns how many were released. A user
    who is already not a member is left as is.
    """
    membership = (
        Membership.objects.select_related("user").filter(project=project, user_id=user_id).first()
    )
    if membership is None:
        return 0
    open_work = list(
        Assignment.objects.select_for_update()
        .filter(
            annotator_id=user_id, article__project=project, status=Assignment.Status.IN_PROGRESS
        )
        .values_list("pk", "article_id")
    )
    Assignment.objects.filter(pk__in=[pk for pk, _ in open_work]).update(
        status=Assignment.Status.RELEASED, released_by=reviewer
    )
    for _, article_id in sorted(open_work, key=lambda pair: pair[1]):
        Article.objects.filter(pk=article_id).update(open_slots=F("open_slots") + 1)
    membership.delete()
    activity_log.record(
        project=project,
        actor=reviewer,
        action="member deactivated",
        detail=f"{membership.user.get_username()} ({len(open_work)} article(s) released)",
    )
    return len(open_work)


def team(*, project: Project) -> list[Membership]:
    """The project's members with their users, reviewers first, then by name."""
    return list(
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("-role", "user__username")
    )


def user_model_name_field() -> str:
    return get_user_model().USERNAME_FIELD
