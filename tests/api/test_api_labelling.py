"""Import, wait for the job, label through next / labels / submit, download gold: over the API."""

from __future__ import annotations

import json

import pytest

from labels.models import Annotation, AnnotationEvent, Article, Assignment, Job
from tests.background import run_queued_jobs
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db

PAGES = b"\n".join(
    json.dumps(
        {"id": f"a{n}", "title": f"Story {n}", "paragraphs": [f"Para {n}.{i}" for i in range(3)]}
    ).encode()
    for n in range(2)
)


def test_import_answers_202_with_a_job_that_the_worker_finishes(api_for):
    project = ProjectFactory()
    reviewer = MembershipFactory(project=project, reviewer=True).user
    api = api_for(reviewer)

    response = api.post(
        f"/api/v1/projects/{project.slug}/imports/?name=batch.jsonl", PAGES, "application/x-ndjson"
    )

    assert response.status_code == 202
    job = response.json()
    assert (job["kind"], job["status"], job["progress"]) == (
        "import",
        "queued",
        {"done": 0, "total": 1},
    )
    assert not Article.objects.exists()  # nothing until the worker runs

    run_queued_jobs()

    done = api.get(job["url"]).json()
    assert done["status"] == "succeeded"
    assert done["progress"] == {"done": 1, "total": 1}
    assert done["result"]["articles"] == 2
    assert done["result"]["outcomes"][0]["path"] == "batch.jsonl"
    assert Article.objects.filter(project=project).count() == 2


def test_a_bad_line_is_reported_as_file_colon_line_in_the_job(api_for):
    project = ProjectFactory()
    api = api_for(MembershipFactory(project=project, reviewer=True).user)

    response = api.post(
        f"/api/v1/projects/{project.slug}/imports/",
        {"files": [_upload("bad.jsonl", b'{"id": "x", "paragraphs": ["ok"]}\n{"id": 5}\n')]},
        "multipart/form-data",
    )
    run_queued_jobs()

    job = api.get(response.json()["url"]).json()
    assert job["status"] == "succeeded"
    assert len(job["errors"]) == 1
    assert job["errors"][0].startswith("bad.jsonl:2:")


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_next_labels_submit_then_204_when_nothing_is_left(api_for):
    project = ProjectFactory(overlap=1)
    annotator = MembershipFactory(project=project).user
    reviewer = MembershipFactory(project=project, reviewer=True).user
    api_for(reviewer).post(
        f"/api/v1/projects/{project.slug}/imports/?name=a.jsonl", PAGES, "application/x-ndjson"
    )
    run_queued_jobs()
    api = api_for(annotator)

    for _ in range(2):
        claimed = api.post(f"/api/v1/projects/{project.slug}/next/")
        assert claimed.status_code == 200
        body = claimed.json()
        assert [p["index"] for p in body["paragraphs"]] == [0, 1, 2]
        assignment = body["assignment"]

        incomplete = api.post(f"/api/v1/assignments/{assignment}/submit/")
        assert incomplete.status_code == 409
        assert incomplete.json()["error"] == "assignment incomplete"

        labelled = api.put(
            f"/api/v1/assignments/{assignment}/labels/",
            {
                "labels": [
                    {"index": 0, "label": "body"},
                    {"index": 1, "label": "quote"},
                    {"index": 2, "label": "body"},
                ]
            },
        )
        assert labelled.json() == {
            "assignment": assignment,
            "status": "in_progress",
            "labelled": 3,
            "total": 3,
        }
        assert api.post(f"/api/v1/assignments/{assignment}/submit/").json()["status"] == "submitted"

    assert api.post(f"/api/v1/projects/{project.slug}/next/").status_code == 204
    assert Assignment.objects.filter(status="submitted").count() == 2
    assert AnnotationEvent.objects.count() == 6  # the same history as the keyboard


def test_a_bad_label_entry_names_its_field_and_writes_nothing(api_for, make_assignment, project):
    annotator = MembershipFactory(project=project).user
    assignment = make_assignment(annotator, paragraphs=2)
    api = api_for(annotator)

    response = api.put(
        f"/api/v1/assignments/{assignment.pk}/labels/",
        {"labels": [{"index": 0, "label": "body"}, {"index": 7, "label": "nonsense"}]},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid labels"
    assert response.json()["details"] == [
        "labels[1].index: the article has no paragraph 7 (it has 0 to 1)",
        "labels[1].label: 'nonsense' is not one of body, boilerplate, caption, quote",
    ]
    assert not Annotation.objects.exists()


def test_a_malformed_body_gets_422_in_the_error_shape(api_for, make_assignment, project):
    annotator = MembershipFactory(project=project).user
    assignment = make_assignment(annotator)

    response = api_for(annotator).put(
        f"/api/v1/assignments/{assignment.pk}/labels/", {"labels": [{"index": "x"}]}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid request"
    assert any(detail.startswith("labels.0.index") for detail in body["details"])


def test_projects_list_shows_only_the_users_projects_and_only_staff_create(api_for):
    mine = ProjectFactory(slug="mine")
    ProjectFactory(slug="theirs")
    user = MembershipFactory(project=mine).user
    api = api_for(user)

    assert [p["slug"] for p in api.get("/api/v1/projects/").json()] == ["mine"]
    refused = api.post("/api/v1/projects/", {"slug": "new"})
    assert refused.status_code == 403
    assert refused.json() == {"error": "only staff users create projects", "details": []}

    staff = api_for(UserFactory(is_staff=True))
    created = staff.post("/api/v1/projects/", {"slug": "new", "labels": ["body", "other"]})
    assert created.status_code == 201
    assert [label["value"] for label in created.json()["labels"]] == ["body", "other"]
    taken = staff.post("/api/v1/projects/", {"slug": "new"})
    assert taken.json() == {"error": "invalid project", "details": ["slug: 'new' is taken"]}


def test_project_detail_counts_articles_by_status(api_for, project):
    reviewer = MembershipFactory(project=project, reviewer=True).user
    api = api_for(reviewer)
    api.post(
        f"/api/v1/projects/{project.slug}/imports/?name=a.jsonl", PAGES, "application/x-ndjson"
    )
    run_queued_jobs()

    body = api.get(f"/api/v1/projects/{project.slug}/").json()

    assert body["articles"] == {
        "total": 2,
        "complete": 0,
        "in_progress": 0,
        "untouched": 2,
        "awaiting_suggestions": 0,
    }
    assert body["paragraphs"] == 6


def test_articles_page_with_a_cursor_and_filters(api_for, project):
    reviewer = MembershipFactory(project=project, reviewer=True).user
    api = api_for(reviewer)
    pages = b"\n".join(
        json.dumps({"id": f"n{n}", "paragraphs": [f"Text {n}"]}).encode() for n in range(5)
    )
    api.post(
        f"/api/v1/projects/{project.slug}/imports/?name=a.jsonl", pages, "application/x-ndjson"
    )
    run_queued_jobs()

    first = api.get(f"/api/v1/projects/{project.slug}/articles/", limit=2).json()
    second = api.get(
        f"/api/v1/projects/{project.slug}/articles/", limit=2, cursor=first["next_cursor"]
    ).json()
    third = api.get(
        f"/api/v1/projects/{project.slug}/articles/", limit=2, cursor=second["next_cursor"]
    ).json()

    ids = [a["external_id"] for page in (first, second, third) for a in page["results"]]
    assert ids == ["n0", "n1", "n2", "n3", "n4"]
    assert third["next_cursor"] is None
    assert (
        api.get(f"/api/v1/projects/{project.slug}/articles/", q="n3").json()["results"][0][
            "external_id"
        ]
        == "n3"
    )
    assert (
        api.get(f"/api/v1/projects/{project.slug}/articles/", status="complete").json()["results"]
        == []
    )
    bad = api.get(f"/api/v1/projects/{project.slug}/articles/", cursor="%%%")
    assert bad.status_code == 400


def test_gold_over_the_api_is_the_same_bytes_as_export_gold(api_for, project):
    from io import StringIO

    from django.core.management import call_command

    article = make_article(project, 3)
    label(article, UserFactory(), ["body", "quote", "caption"])
    label(article, UserFactory(), ["body", "quote", "boilerplate"])
    reviewer = MembershipFactory(project=project, reviewer=True).user
    body = b"".join(
        api_for(reviewer).get(f"/api/v1/projects/{project.slug}/gold/").streaming_content
    )
    out = StringIO()
    call_command("export_gold", "--project", project.slug, stdout=out, stderr=StringIO())
    assert body.count(b"\n") == 2  # two unanimous paragraphs
    assert body == out.getvalue().encode("utf-8")


def test_no_token_or_a_revoked_token_is_401(api_for, project):
    from labels.workflow import api_tokens

    user = MembershipFactory(project=project).user
    new = api_tokens.create_token(user=user, name="ci")
    from tests.api.conftest import ApiClient

    assert ApiClient(None).get("/api/v1/projects/").status_code == 401
    assert ApiClient(new.secret).get("/api/v1/projects/").status_code == 200
    api_tokens.revoke_token(user=user, token_id=new.token.pk)
    refused = ApiClient(new.secret).get("/api/v1/projects/")
    assert refused.status_code == 401
    assert refused.json()["error"] == "authentication required"
    assert Job.objects.count() == 0
