"""factory-boy factories, one per model."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from labels.ingest import importing
from labels.models import (
    DEFAULT_COLOURS,
    DEFAULT_LABELS,
    Annotation,
    Article,
    Assignment,
    GoldLabel,
    Label,
    Membership,
    Paragraph,
    Project,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"project-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    overlap = 2

    @factory.post_generation
    def labels(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        Label.objects.bulk_create(
            Label(
                project=self,
                value=value,
                name=name,
                key=key,
                order=order,
                colour=DEFAULT_COLOURS[value],
            )
            for order, (value, name, key) in enumerate(DEFAULT_LABELS)
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.ANNOTATOR

    class Params:
        reviewer = factory.Trait(role=Membership.Role.REVIEWER)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    project = factory.SubFactory(ProjectFactory)
    external_id = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Faker("sentence")
    url = factory.LazyAttribute(lambda o: f"https://news.example.org/{o.external_id}")
    source = "news.example.org"
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    open_slots = factory.LazyAttribute(lambda o: o.project.overlap)


class ParagraphFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paragraph

    article = factory.SubFactory(ArticleFactory)
    index = factory.Sequence(lambda n: n)
    text = factory.Faker("paragraph")
    text_hash = factory.LazyAttribute(lambda o: importing.text_hash(o.text))


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    article = factory.SubFactory(ArticleFactory)
    annotator = factory.SubFactory(UserFactory)
    status = Assignment.Status.IN_PROGRESS

    class Params:
        submitted = factory.Trait(
            status=Assignment.Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )


def label_of(project: Project, value: str) -> Label:
    return Label.objects.get(project=project, value=value)


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    assignment = factory.SubFactory(AssignmentFactory)
    paragraph = factory.SubFactory(
        ParagraphFactory, article=factory.SelfAttribute("..assignment.article")
    )
    label = factory.LazyAttribute(lambda o: label_of(o.assignment.article.project, "body"))


class GoldLabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoldLabel

    paragraph = factory.SubFactory(ParagraphFactory)
    label = factory.LazyAttribute(lambda o: label_of(o.paragraph.article.project, "body"))
    source = GoldLabel.Source.ADJUDICATED
