"""Builders for labelled articles, shared by the agreement and review tests."""

from labels.models import Annotation, Article, Assignment, Label, Project
from tests.factories import ArticleFactory, AssignmentFactory, ParagraphFactory


def make_article(project: Project, paragraphs: int, **kwargs: object) -> Article:
    """An article of ``project`` with ``paragraphs`` paragraphs, indexed from 0."""
    article = ArticleFactory(project=project, **kwargs)
    for index in range(paragraphs):
        ParagraphFactory(article=article, index=index)
    return article


def label(
    article: Article,
    user: object,
    values: list[str | None],
    status: str = Assignment.Status.SUBMITTED,
) -> Assignment:
    """``user``'s assignment on ``article`` with one label per paragraph (None: left out)."""
    assignment = AssignmentFactory(article=article, annotator=user, status=status)
    labels = {lab.value: lab for lab in Label.objects.filter(project=article.project)}
    paragraphs = list(article.paragraphs.order_by("index"))
    Annotation.objects.bulk_create(
        Annotation(assignment=assignment, paragraph=paragraph, label=labels[value])
        for paragraph, value in zip(paragraphs, values, strict=True)
        if value is not None
    )
    return assignment
