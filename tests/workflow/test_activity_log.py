"""The project activity log holds imports, exports, project creation and membership changes
whichever way they came: management commands, the API, background jobs and the web pages."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from labels.models import Job, Project, ProjectEvent
from labels.workflow import activity_log, api_tokens
from tests.api.conftest import ApiClient
from tests.factories import MembershipFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


def _entries(project: Project) -> list[tuple[str, str, str | None]]:
    """(action, via, actor's user name) of every entry, oldest first."""
    return [
        (event.action, event.via, event.actor.get_username() if event.actor else None)
        for event in ProjectEvent.objects.filter(project=project).order_by("pk")
    ]


def _quiet(*args: object) -> None:
    call_command(*args, stdout=StringIO(), stderr=StringIO())


def test_command_line_project_creation_import_and_exports_are_logged(tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "a1", "title": "One", "paragraphs": ["First.", "Second."]}) + "\n",
        "utf-8",
    )

    _quiet("create_project", "cli-news", "--labels", "body,boilerplate")
    _quiet("import_articles", str(articles), "--project", "cli-news", "--no-progress")
    _quiet("export_gold", "--project", "cli-news", "--out", str(tmp_path / "gold.jsonl"))
    _quiet("export_annotations", "--project", "cli-news", "--out", str(tmp_path / "a.jsonl"))

    project = Project.objects.get(slug="cli-news")
    assert _entries(project) == [
        ("project created", "command", None),
        ("imported", "command", None),
        ("exported", "command", None),
        ("annotations exported", "command", None),
    ]
    imported = ProjectEvent.objects.get(project=project, action="imported")
    assert "1 article(s) imported" in imported.detail
    exported = ProjectEvent.objects.get(project=project, action="exported")
    assert exported.detail.startswith("gold.jsonl: 0 line(s)")


def test_a_failed_command_line_export_logs_nothing(project, tmp_path):
    with pytest.raises(Exception, match="--min-agreement"):
        call_command(
            "export_gold",
            "--project",
            project.slug,
            "--min-agreement",
            "2",
            stdout=StringIO(),
            stderr=StringIO(),
        )

    assert not ProjectEvent.objects.filter(project=project, action="exported").exists()


def test_command_line_annotation_import_and_members_are_logged(project, tmp_path):
    article = make_article(project, 2)
    label(article, UserFactory(username="ann"), ["body", "quote"])
    records = tmp_path / "annotations.jsonl"
    _quiet("export_annotations", "--project", project.slug, "--out", str(records))

    _quiet("import_annotations", str(records), "--project", project.slug, "--no-progress")
    _quiet("add_members", project.slug, "lea", "ann", "--create")
    _quiet("add_members", project.slug, "lea", "--create")  # unchanged: nothing to log

    log = _entries(project)
    assert log[-2:] == [
        ("annotations imported", "command", None),
        ("members changed", "command", None),
    ]
    members = ProjectEvent.objects.get(project=project, action="members changed")
    assert "lea added as annotator" in members.detail


def test_api_project_creation_and_downloads_are_logged_in_the_callers_name(project):
    staff = UserFactory(username="lead", is_staff=True)
    MembershipFactory(project=project, user=staff, reviewer=True)
    api = ApiClient(api_tokens.create_token(user=staff, name="pipeline").secret)

    assert api.post("/api/v1/projects/", {"slug": "from-api", "name": "From the API"}).status_code
    gold = api.get(f"/api/v1/projects/{project.slug}/gold/")
    b"".join(gold.streaming_content)
    annotations = api.get(f"/api/v1/projects/{project.slug}/annotations/")
    b"".join(annotations.streaming_content)

    assert _entries(Project.objects.get(slug="from-api")) == [("project created", "api", "lead")]
    assert _entries(project) == [
        ("exported", "api", "lead"),
        ("annotations exported", "api", "lead"),
    ]


def test_background_imports_and_exports_are_logged_when_they_finish(
    project, run_jobs, settings, tmp_path
):
    settings.EXPORT_DIR = str(tmp_path)
    reviewer = MembershipFactory(project=project, reviewer=True, user__username="rev").user
    api = ApiClient(api_tokens.create_token(user=reviewer, name="t").secret)
    body = json.dumps({"id": "j1", "title": "Job", "paragraphs": ["One.", "Two."]}) + "\n"

    assert (
        api.post(
            f"/api/v1/projects/{project.slug}/imports/?name=new.jsonl",
            body.encode(),
            content_type="application/octet-stream",
        ).status_code
        == 202
    )
    assert api.post(f"/api/v1/projects/{project.slug}/exports/").status_code == 202
    assert not ProjectEvent.objects.filter(project=project, via="job").exists()

    run_jobs()

    assert set(Job.objects.values_list("status", flat=True)) == {"succeeded"}
    jobs = [entry for entry in _entries(project) if entry[1] == "job"]
    assert sorted(jobs) == [("exported", "job", "rev"), ("imported", "job", "rev")]
    imported = ProjectEvent.objects.get(project=project, action="imported", via="job")
    assert "1 article(s) imported" in imported.detail


def test_the_log_page_shows_the_way_in_and_pages_back_through_older_entries(
    client, project, monkeypatch
):
    reviewer = MembershipFactory(project=project, reviewer=True).user
    monkeypatch.setattr(activity_log, "LOG_PAGE", 3)
    for n in range(5):
        activity_log.record(
            project=project, actor=None, action="imported", detail=f"batch {n}", via="command"
        )
    client.force_login(reviewer)
    url = reverse("labels:activity_log", args=[project.slug])

    first = client.get(url).text
    assert [f"batch {n}" in first for n in range(5)] == [False, False, True, True, True]
    assert "<td>command line</td>" in first
    older = ProjectEvent.objects.get(detail="batch 2").pk
    assert f'href="?before={older}"' in first

    second = client.get(url, {"before": older}).text
    assert [f"batch {n}" in second for n in range(5)] == [True, True, False, False, False]
    assert "Older entries" not in second
    assert client.get(url, {"before": "0"}).status_code == 400
