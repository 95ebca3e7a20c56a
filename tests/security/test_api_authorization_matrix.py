"""Every API operation x every kind of user (by personal token), with the expected answer.

The operations are read from the OpenAPI schema: an operation without a rule in ACCESS fails
``test_every_api_operation_has_an_access_rule``. A refused call must leave every table of the
app (and the job queue) exactly as it was.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django_tasks_db.models import DBTaskResult

from labels.api.v1 import api
from labels.datasets import export_jobs
from labels.datasets.export import ExportOptions
from labels.models import Assignment
from labels.workflow import api_tokens
from tests.background import run_queued_jobs
from tests.factories import (
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "revoked", "outsider", "other_annotator", "owner", "reviewer", "staff")

# "any": any valid token; "staff": staff users; "member": members of the project and staff;
# "labeller": members only (staff label only where they are members); "owner": the annotator
# whose assignment it is; "reviewer": the project's reviewers and staff; "job": the job's
# creator and the project's reviewers.
ACCESS = {
    ("get", "/api/v1/projects/"): "any",
    ("post", "/api/v1/projects/"): "staff",
    ("get", "/api/v1/projects/{slug}/"): "member",
    ("post", "/api/v1/projects/{slug}/imports/"): "reviewer",
    ("get", "/api/v1/jobs/{job_id}/"): "job",
    ("get", "/api/v1/jobs/{job_id}/download/"): "job",
    ("post", "/api/v1/projects/{slug}/exports/"): "reviewer",
    ("get", "/api/v1/projects/{slug}/articles/"): "reviewer",
    ("get", "/api/v1/projects/{slug}/gold/"): "reviewer",
    ("get", "/api/v1/projects/{slug}/annotations/"): "reviewer",
    ("post", "/api/v1/projects/{slug}/annotations/"): "reviewer",
    ("get", "/api/v1/projects/{slug}/agreement/"): "reviewer",
    ("post", "/api/v1/projects/{slug}/next/"): "labeller",
    ("put", "/api/v1/assignments/{assignment_id}/labels/"): "owner",
    ("post", "/api/v1/assignments/{assignment_id}/submit/"): "owner",
}
ALLOWED = {
    "any": {"outsider", "other_annotator", "owner", "reviewer", "staff"},
    "staff": {"staff"},
    "member": {"other_annotator", "owner", "reviewer", "staff"},
    "labeller": {"other_annotator", "owner", "reviewer"},
    "owner": {"owner"},
    "reviewer": {"reviewer", "staff"},
    "job": {"reviewer", "staff"},
}
BODIES = {
    "/api/v1/projects/": {"slug": "made-by-api"},
    "/api/v1/assignments/{assignment_id}/labels/": {"labels": [{"index": 0, "label": "quote"}]},
}
RAW = {
    "/api/v1/projects/{slug}/imports/": b'{"id": "new", "paragraphs": ["A new article."]}\n',
    "/api/v1/projects/{slug}/annotations/": b"",
}


def operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted((method, path) for path, methods in schema["paths"].items() for method in methods)


@pytest.fixture
def world(settings, tmp_path) -> dict[str, object]:
    project = ProjectFactory()
    article = ArticleFactory(project=project, open_slots=0)
    for index in range(2):
        ParagraphFactory(article=article, index=index)
    owner = MembershipFactory(project=project).user
    other = MembershipFactory(project=project).user
    reviewer = MembershipFactory(project=project, reviewer=True).user
    outsider = MembershipFactory(project=ProjectFactory()).user
    staff = UserFactory(is_staff=True)
    assignment = AssignmentFactory(article=article, annotator=owner)
    # A finished export job: it has a file to download, and routes on jobs have one to find.
    settings.EXPORT_DIR = str(tmp_path)
    job = export_jobs.start_export(project=project, options=ExportOptions(), user=reviewer)
    run_queued_jobs()
    users = {
        "outsider": outsider,
        "other_annotator": other,
        "owner": owner,
        "reviewer": reviewer,
        "staff": staff,
    }
    tokens = {
        role: api_tokens.create_token(user=user, name=role).secret for role, user in users.items()
    }
    revoked = api_tokens.create_token(user=reviewer, name="old")
    api_tokens.revoke_token(user=reviewer, token_id=revoked.token.pk)
    tokens["revoked"] = revoked.secret
    return {
        "tokens": tokens,
        "ids": {"slug": project.slug, "assignment_id": assignment.pk, "job_id": job.pk},
    }


def snapshot() -> dict[str, object]:
    counts: dict[str, object] = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("labels").get_models()
    }
    counts["queue"] = DBTaskResult.objects.count()
    counts["assignments"] = list(
        Assignment.objects.order_by("pk").values_list("status", "active_seconds")
    )
    return counts


def call(method: str, path: str, world: dict, role: str):
    url = path.format(**world["ids"])
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world['tokens'][role]}"}
    client = Client()
    if path in RAW:
        return client.generic(
            method.upper(), url, RAW[path], content_type="application/x-ndjson", headers=headers
        )
    import json

    return client.generic(
        method.upper(),
        url,
        json.dumps(BODIES.get(path, {})),
        content_type="application/json",
        headers=headers,
    )


def test_every_api_operation_has_an_access_rule():
    missing = sorted(set(operations()) - set(ACCESS))
    stale = sorted(set(ACCESS) - set(operations()))

    assert not missing, f"add these API operations to ACCESS: {missing}"
    assert not stale, f"these ACCESS entries match no API operation: {stale}"


@pytest.mark.parametrize("operation", sorted(ACCESS))
def test_refused_tokens_get_401_or_404_and_nothing_is_written(operation, world):
    method, path = operation
    for role in ROLES:
        allowed = role in ALLOWED[ACCESS[operation]]
        before = snapshot()
        response = call(method, path, world, role)
        if allowed:
            assert response.status_code not in (401, 403, 404), (role, response.status_code)
            assert response.status_code < 500
            continue
        expected = {401} if role in ("anonymous", "revoked") else {403, 404}
        assert response.status_code in expected, (role, response.status_code)
        assert set(response.json()) == {"error", "details"}
        assert snapshot() == before, f"{role} refused on {method} {path} but something changed"


def test_the_schema_and_docs_are_public_and_load_only_our_static_files():
    client = Client()

    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
