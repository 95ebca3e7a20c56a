"""Who may see what. Every lookup raises Http404 for rows the user may not reach, so a
stranger cannot even learn that a project or assignment exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404

from labels.models import Article, Assignment, Flag, Label, Membership, Paragraph, Project

ModelT = TypeVar("ModelT", bound=Model)


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


@dataclass(frozen=True)
class OwnParagraph:
    """A paragraph of the user's own assignment, with everything labelling it needs."""

    paragraph: Paragraph
    assignment: Assignment  # with article and project loaded
    labels: list[Label]  # the project's label set, in order
    flag: Flag | None  # the user's own flag on the paragraph


def paragraph_for_annotator(user: AbstractBaseUser, paragraph_id: int) -> OwnParagraph:
    """The paragraph, the user's own assignment on its article, the project's label set and
    the user's flag on the paragraph; else 404 (also once the user is no longer a member)."""
    load = _own_paragraph_postgresql if connection.vendor == "postgresql" else _own_paragraph_orm
    own = load(user_id=user.pk, paragraph_id=paragraph_id)
    if own is None:
        raise Http404("No such paragraph.")
    return own


def _own_paragraph_orm(*, user_id: int, paragraph_id: int) -> OwnParagraph | None:
    """Four ORM queries; the portable twin of _own_paragraph_postgresql."""
    paragraph = Paragraph.objects.filter(pk=paragraph_id).order_by().first()
    if paragraph is None:
        return None
    assignment = (
        Assignment.objects.select_related("article__project")
        .filter(
            article_id=paragraph.article_id,
            annotator_id=user_id,
            article__project__memberships__user_id=user_id,
        )
        .first()
    )
    if assignment is None:
        return None
    paragraph.article = assignment.article
    labels = list(
        Label.objects.filter(project_id=assignment.article.project_id).order_by("order", "pk")
    )
    flag = Flag.objects.filter(assignment=assignment, paragraph=paragraph).order_by().first()
    return OwnParagraph(paragraph=paragraph, assignment=assignment, labels=labels, flag=flag)


# Each row comes back whole as JSON. Only the paragraph, article and project are joined; the
# rest are subqueries, each planned on its own: a six-table join cost PostgreSQL more to plan
# than to run (0.55 ms against 0.07 ms).
_OWN_PARAGRAPH_SQL = """
    SELECT
        row_to_json(p),
        row_to_json(ar),
        row_to_json(pr),
        (SELECT row_to_json(a) FROM labels_assignment a
          WHERE a.article_id = ar.id AND a.annotator_id = %(user)s),
        (SELECT row_to_json(f) FROM labels_flag f
           JOIN labels_assignment a ON a.id = f.assignment_id
          WHERE f.paragraph_id = p.id AND a.annotator_id = %(user)s),
        (SELECT json_agg(l ORDER BY l."order", l.id) FROM labels_label l
          WHERE l.project_id = pr.id),
        EXISTS (SELECT FROM labels_membership m
                 WHERE m.project_id = pr.id AND m.user_id = %(user)s)
    FROM labels_paragraph p
    JOIN labels_article ar ON ar.id = p.article_id
    JOIN labels_project pr ON pr.id = ar.project_id
    WHERE p.id = %(paragraph)s
"""


def _own_paragraph_postgresql(*, user_id: int, paragraph_id: int) -> OwnParagraph | None:
    """The same as _own_paragraph_orm in one statement.

    Why raw SQL: every label keypress starts here. Building and compiling the ORM twin's
    four queries costs about 2.3 ms of CPU; this statement costs 0.2 ms, and PostgreSQL
    answers it in less time than the four (docs/benchmarks.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(_OWN_PARAGRAPH_SQL, {"user": user_id, "paragraph": paragraph_id})
        row = cursor.fetchone()
    if row is None:
        return None
    paragraph, article, project, assignment, flag, labels, is_member = row
    if assignment is None or not is_member:
        return None
    paragraph, article = _from_json(Paragraph, paragraph), _from_json(Article, article)
    assignment = _from_json(Assignment, assignment)
    article.project = _from_json(Project, project)
    paragraph.article = assignment.article = article
    return OwnParagraph(
        paragraph=paragraph,
        assignment=assignment,
        labels=[_from_json(Label, label) for label in labels or []],
        flag=_from_json(Flag, flag) if flag is not None else None,
    )


def _from_json(model: type[ModelT], row: dict[str, object]) -> ModelT:
    """A model instance from PostgreSQL's row_to_json, each value converted with the field's
    to_python as Django's deserializers do (timestamps and intervals arrive as text)."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [field.attname for field in fields],
        [field.to_python(row[field.column]) for field in fields],
    )


def paragraph_of_assignment(assignment: Assignment, paragraph_id: int | None) -> Paragraph:
    """A paragraph of the assignment's article, else 404 (ids from a form are not trusted)."""
    paragraph = Paragraph.objects.filter(pk=paragraph_id, article_id=assignment.article_id).first()
    if paragraph is None:
        raise Http404("No such paragraph in this article.")
    return paragraph
