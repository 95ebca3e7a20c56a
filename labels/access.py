"""Who may see what. Every lookup raises Http404 for rows the user may not reach, so a
stranger cannot even learn that a project or assignment exists."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from labels.models import Assignment, Membership, Paragraph, Project


def visible_projects(user: AbstractBaseUser) -> QuerySet[Project]:
    """Projects the user is a member of; staff see every project."""
    if user.is_staff:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user).distinct()


def project_for_member(user: AbstractBaseUser, slug: str) -> Project:
    """The project if the user is a member (or staff), else 404."""
    project = visible_projects(user).filter(slug=slug).first()
    if project is None:
        raise Http404("No such project.")
    return project


def is_reviewer(user: AbstractBaseUser, project: Project) -> bool:
    """Staff and the project's reviewers review."""
    if user.is_staff:
        return True
    return Membership.objects.filter(
        project=project, user=user, role=Membership.Role.REVIEWER
    ).exists()


def project_for_reviewer(user: AbstractBaseUser, slug: str) -> Project:
    """The project if the user reviews it, else 404."""
    project = project_for_member(user, slug)
    if not is_reviewer(user, project):
        raise Http404("No such project.")
    return project


def project_for_annotator(user: AbstractBaseUser, slug: str) -> Project:
    """The project if the user is a member who may label it (either role), else 404.

    Staff see every project but label only where they are members: the queue serialises a
    user's claims on their membership row.
    """
    project = Project.objects.filter(slug=slug, memberships__user=user).first()
    if project is None:
        raise Http404("No such project.")
    return project


def assignment_for_annotator(user: AbstractBaseUser, assignment_id: int) -> Assignment:
    """The user's own assignment (any status) with article and project loaded, else 404.

    A user removed from the project loses access to their old assignments too.
    """
    assignment = (
        Assignment.objects.select_related("article__project")
        .filter(pk=assignment_id, annotator=user, article__project__memberships__user=user)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def paragraph_for_annotator(
    user: AbstractBaseUser, paragraph_id: int
) -> tuple[Paragraph, Assignment]:
    """The paragraph and the user's own assignment on its article, else 404."""
    paragraph = Paragraph.objects.filter(pk=paragraph_id).first()
    if paragraph is None:
        raise Http404("No such paragraph.")
    assignment = (
        Assignment.objects.select_related("article__project")
        .filter(
            article_id=paragraph.article_id,
            annotator=user,
            article__project__memberships__user=user,
        )
        .first()
    )
    if assignment is None:
        raise Http404("No such paragraph.")
    return paragraph, assignment


def paragraph_of_assignment(assignment: Assignment, paragraph_id: int | None) -> Paragraph:
    """A paragraph of the assignment's article, else 404 (ids from a form are not trusted)."""
    paragraph = Paragraph.objects.filter(pk=paragraph_id, article_id=assignment.article_id).first()
    if paragraph is None:
        raise Http404("No such paragraph in this article.")
    return paragraph
