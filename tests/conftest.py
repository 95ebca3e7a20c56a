"""Shared fixtures, built from factories. Tests run against the real PostgreSQL."""

from collections.abc import Callable

import pytest
from django.test import Client

from labels.models import Assignment, Membership, Project
from tests.background import run_queued_jobs
from tests.factories import (
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
)


@pytest.fixture
def project(db: None) -> Project:
    return ProjectFactory()


@pytest.fixture
def member(project: Project) -> Membership:
    return MembershipFactory(project=project)


@pytest.fixture
def annotator_client(client: Client, member: Membership) -> Client:
    client.force_login(member.user)
    return client


@pytest.fixture
def reviewer_client(project: Project) -> Client:
    reviewer = MembershipFactory(project=project, reviewer=True)
    client = Client()
    client.force_login(reviewer.user)
    return client


@pytest.fixture
def make_assignment(project: Project) -> Callable[..., Assignment]:
    """An in-progress assignment of ``user`` on a fresh article with ``paragraphs`` paragraphs."""

    def make(user: object, paragraphs: int = 3, **kwargs: object) -> Assignment:
        article = ArticleFactory(project=project, open_slots=project.overlap - 1)
        for index in range(paragraphs):
            ParagraphFactory(article=article, index=index)
        return AssignmentFactory(article=article, annotator=user, **kwargs)

    return make


@pytest.fixture
def other_user(db: None) -> object:
    return UserFactory()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    """PBKDF2's deliberate slowness is the point in production and pure waste in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_jobs(db: None) -> Callable[[], None]:
    """Run every queued background job now, in this process, with the real database worker."""
    return run_queued_jobs
