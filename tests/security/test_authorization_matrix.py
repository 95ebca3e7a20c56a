"""Every URL of the app x every kind of user x GET/POST, with the expected answer.

The URL list is discovered from the URLconf: a new view without an entry in ACCESS fails
``test_every_url_has_an_access_rule``, so nothing can escape the matrix. A refused POST must
leave every table of the app exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from labels.datasets import export_jobs
from labels.datasets.export import ExportOptions
from labels.models import Annotation, Assignment, Membership, Project, Webhook
from labels.workflow import api_tokens
from tests.background import run_queued_jobs
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
    label_of,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "other_annotator", "owner", "reviewer", "staff")

# Who may use each URL. "any": any logged-in user; "member": members of the project (and
# staff, who see every project); "labeller": members only; "owner": the annotator whose
# assignment it is; "paragraph": annotators with their own assignment on the paragraph's
# article (the write goes to the requester's own assignment, never the owner's); "reviewer": the project's reviewers and staff; "public":
# no login needed.
ACCESS = {
    "healthz": "public",
    "labels:project_list": "any",
    "labels:project": "member",
    "labels:start": "labeller",
    "labels:progress": "reviewer",
    "labels:annotate": "owner",
    "labels:submit": "owner",
    "labels:skip": "owner",
    "labels:undo": "owner",
    "labels:label_run": "owner",
    "labels:flag": "owner",
    "labels:activity": "owner",
    "labels:set_label": "paragraph",
    "labels:upload": "reviewer",
    "labels:jobs": "reviewer",
    "labels:webhooks": "reviewer",
    "labels:delete_webhook": "reviewer",
    "labels:job": "reviewer",
    "labels:retry_job": "reviewer",
    "labels:download_export": "reviewer",
    "labels:start_export": "reviewer",
    "labels:api_tokens": "any",
    "labels:revoke_api_token": "token",
    "labels:suggestions": "reviewer",
    "labels:set_show_suggestions": "reviewer",
    "labels:site_memory": "reviewer",
    "labels:extractor_scores": "reviewer",
    "labels:apply_site_memory": "reviewer",
    "labels:accept_suggestion": "paragraph",
    "labels:accept_all_suggestions": "owner",
    "labels:review": "reviewer",
    "labels:disagreements": "reviewer",
    "labels:accept_majority": "reviewer",
    "labels:next_disagreement": "reviewer",
    "labels:adjudicate": "reviewer",
    "labels:export_gold": "reviewer",
    "labels:export_card": "reviewer",
}
ALLOWED = {
    "public": set(ROLES),
    "any": set(ROLES) - {"anonymous"},
    "member": {"other_annotator", "owner", "reviewer", "staff"},
    "labeller": {"other_annotator", "owner", "reviewer"},
    "owner": {"owner"},
    "paragraph": {"owner", "other_annotator"},
    "reviewer": {"reviewer", "staff"},
    "token": {"owner"},
}


def app_url_names() -> list[str]:
    """Named URL patterns of our own code (the labels app and the project's health check)."""
    names: list[str] = []

    def walk(patterns: list, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "labels":
                    walk(pattern.url_patterns, "labels")
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and (namespace or pattern.callback.__module__.startswith("annotator."))
            ):
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return sorted(names)


@dataclass
class World:
    users: dict[str, object]
    kwargs: dict[str, object]
    payload: dict[str, object]


@pytest.fixture
def world(settings, tmp_path) -> World:
    project = ProjectFactory(show_suggestions=True)
    article = ArticleFactory(project=project, open_slots=0)
    paragraphs = [ParagraphFactory(article=article, index=i) for i in range(3)]
    for paragraph in paragraphs:
        paragraph.suggested_label = "body"
        paragraph.save()
    owner = MembershipFactory(project=project).user
    other = MembershipFactory(project=project).user
    reviewer = MembershipFactory(project=project, reviewer=True).user
    outsider = MembershipFactory(project=ProjectFactory()).user
    staff = UserFactory(is_staff=True)
    assignment = AssignmentFactory(article=article, annotator=owner)
    AnnotationFactory(assignment=assignment, paragraph=paragraphs[0])
    # The other annotator has work of their own on the same article: acting on the owner's
    # assignment must still be refused.
    AssignmentFactory(article=article, annotator=other)
    # A finished export job: it has a file to download, and routes on jobs have one to find.
    settings.EXPORT_DIR = str(tmp_path)
    job = export_jobs.start_export(project=project, options=ExportOptions(), user=reviewer)
    run_queued_jobs()
    token = api_tokens.create_token(user=owner, name="owner's").token
    hook = Webhook.objects.create(project=project, url="https://hooks.example.org/", secret="s")
    return World(
        users={
            "outsider": outsider,
            "other_annotator": other,
            "owner": owner,
            "reviewer": reviewer,
            "staff": staff,
        },
        kwargs={
            "slug": project.slug,
            "assignment_id": assignment.pk,
            "paragraph_id": paragraphs[1].pk,
            "job_id": job.pk,
            "token_id": token.pk,
            "webhook_id": hook.pk,
        },
        payload={
            "label": label_of(project, "quote").value,
            "paragraph": paragraphs[1].pk,
            "note": "unsure",
            "reason": "too long",
            "show_suggestions": "on",
            "source": article.source,
            "text_hash": paragraphs[1].text_hash,
            "active_delta": "1",
        },
    )


def url_for(name: str, world: World) -> str:
    """The URL with whichever of the world's ids its pattern takes."""
    for size in range(len(world.kwargs) + 1):
        for keys in combinations(world.kwargs, size):
            try:
                return reverse(name, kwargs={key: world.kwargs[key] for key in keys})
            except NoReverseMatch:
                continue
    raise AssertionError(f"cannot build a URL for {name}: give World the id it needs")


def snapshot() -> dict[str, object]:
    """Row counts of every table of the app, plus the fields a refused write could change."""
    counts: dict[str, object] = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("labels").get_models()
    }
    counts["assignments"] = list(
        Assignment.objects.order_by("pk").values_list("status", "active_seconds", "skip_reason")
    )
    counts["annotations"] = list(
        Annotation.objects.order_by("pk").values_list("label_id", "from_suggestion")
    )
    counts["projects"] = list(Project.objects.order_by("pk").values_list("show_suggestions"))
    return counts


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_every_url_has_an_access_rule():
    missing = sorted(set(app_url_names()) - set(ACCESS))
    stale = sorted(set(ACCESS) - set(app_url_names()))

    assert not missing, f"add these URL names to ACCESS: {missing}"
    assert not stale, f"these ACCESS entries match no URL: {stale}"


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_refused_users_get_404_or_login_and_nothing_is_written(name, world):
    url = url_for(name, world)
    for role in ROLES:
        allowed = role in ALLOWED[ACCESS[name]]
        client = client_for(role, world)
        for method in ("get", "post"):
            before = snapshot()
            response = getattr(client, method)(url, world.payload)
            status, where = response.status_code, f"{method.upper()} {url} as {role}"
            if allowed:
                assert status < 500, f"{where}: {status}"
                assert status != 404, f"{where} was refused"
                continue
            if role == "anonymous":
                assert status == 302, f"{where}: {status}"
                assert response["Location"].startswith(reverse("login")), where
            else:
                assert status in (404, 405), f"{where}: {status}"
            assert snapshot() == before, f"refused {where} wrote to the database"


@pytest.mark.parametrize("name", sorted(n for n in ACCESS if ACCESS[n] != "public"))
def test_no_get_changes_state(name, world):
    url = url_for(name, world)
    for role in ROLES[1:]:
        before = snapshot()
        client_for(role, world).get(url, world.payload)
        assert snapshot() == before, f"GET {url} as {role} changed data"


def test_a_reviewer_who_is_not_a_member_of_the_project_sees_nothing(world):
    reviewer_elsewhere = MembershipFactory(project=ProjectFactory(), reviewer=True).user
    client = Client()
    client.force_login(reviewer_elsewhere)

    for name, rule in ACCESS.items():
        if rule in ("public", "any"):
            continue
        assert client.get(url_for(name, world)).status_code in (404, 405), name


def test_membership_role_names_are_the_two_documented_ones():
    assert set(Membership.Role.values) == {"annotator", "reviewer"}


@pytest.mark.parametrize("name", sorted(n for n in ACCESS if ACCESS[n] != "public"))
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(name, htmx, world):
    role = next(r for r in ROLES if r in ALLOWED[ACCESS[name]])
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[role])
    headers = {"HX-Request": "true"} if htmx else {}
    before = snapshot()

    response = client.post(url_for(name, world), world.payload, headers=headers)

    assert response.status_code in (403, 405), f"POST {name} as {role}: {response.status_code}"
    assert snapshot() == before
