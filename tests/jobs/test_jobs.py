"""Background jobs: progress, the Jobs page, retries, and articles held back until suggested."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from labels.ingest import import_jobs, importing
from labels.jobs import files as job_files
from labels.jobs import records, workers
from labels.models import ApiToken, Article, Job, JobFile, Worker
from labels.workflow import api_tokens, queue
from tests.background import run_queued_jobs
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def jsonl(*ids: str) -> bytes:
    return b"\n".join(
        json.dumps({"id": i, "paragraphs": [f"{i} first.", f"{i} second."]}).encode() for i in ids
    )


def test_an_import_job_reports_each_file_and_its_file_line_errors():
    project = ProjectFactory()
    job = import_jobs.start_import(
        project=project,
        files=[("good.jsonl", jsonl("a", "b")), ("bad.jsonl", b'{"id": "c"}\n{"id": 4}\n')],
    )
    assert (job.status, job.done, job.total) == ("queued", 0, 2)

    run_queued_jobs()

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == ("succeeded", 2, 2, 1)
    assert [o["path"] for o in job.result["outcomes"]] == ["good.jsonl", "bad.jsonl"]
    assert job.result["articles"] == 2
    assert len(job.errors) == 1 and job.errors[0].startswith("bad.jsonl:1:")
    assert not JobFile.objects.exists()  # the stored upload is gone once imported


def test_a_file_stored_in_parts_is_imported_whole_from_a_stream(monkeypatch):
    monkeypatch.setattr(job_files, "PART_BYTES", 7)  # every few bytes a new part
    project = ProjectFactory()
    data = jsonl("a", "b", "c")

    job = import_jobs.start_import(project=project, files=[("parts.jsonl", io.BytesIO(data))])

    parts = JobFile.objects.filter(job=job).order_by("part")
    assert parts.count() == -(-len(data) // 7)
    assert b"".join(bytes(part.data) for part in parts) == data
    run_queued_jobs()
    job.refresh_from_db()
    assert (job.status, job.result["articles"]) == ("succeeded", 3)
    assert not JobFile.objects.exists()


def test_suggestions_follow_as_a_job_and_hold_articles_back_until_ready():
    project = ProjectFactory(show_suggestions=True)
    user = MembershipFactory(project=project).user
    [outcome] = importing.import_source(project=project, data=jsonl("a"), name="a.jsonl")
    assert outcome.articles == 1

    article = Article.objects.get()
    assert not article.suggestions_ready
    assert not article.paragraphs.exclude(suggestion_version="").exists()
    assert queue.claim_next(user=user, project=project) is None  # not offered yet
    suggest_job = Job.objects.get(kind=Job.Kind.SUGGEST)

    run_queued_jobs()

    article.refresh_from_db()
    assert article.suggestions_ready
    assert not article.paragraphs.filter(suggestion_version="").exists()
    assert queue.claim_next(user=user, project=project).article == article
    suggest_job.refresh_from_db()
    assert (suggest_job.status, suggest_job.result["articles"]) == ("succeeded", 1)


def test_a_project_that_shows_no_suggestions_offers_articles_at_once():
    project = ProjectFactory(show_suggestions=False)
    user = MembershipFactory(project=project).user
    importing.import_source(project=project, data=jsonl("a"), name="a.jsonl")

    assert queue.claim_next(user=user, project=project) is not None


def test_several_imports_share_one_queued_suggestion_job():
    project = ProjectFactory()
    for name in ("a", "b", "c"):
        importing.import_source(project=project, data=jsonl(name), name=f"{name}.jsonl")

    assert Job.objects.filter(kind=Job.Kind.SUGGEST).count() == 1
    run_queued_jobs()
    assert not Article.objects.filter(suggestions_ready=False).exists()


def test_a_failed_job_says_why_and_a_retry_runs_it_again(settings):
    project = ProjectFactory()
    job = import_jobs.start_import(project=project, files=[("a.jsonl", jsonl("a"))])
    # A job whose worker vanished: running on a worker nobody has seen for a long time.
    Worker.objects.create(
        worker_id="gone", last_seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    records.start_job(job_id=job.pk, worker_id="gone")

    assert workers.fail_orphaned_jobs() == 1

    job.refresh_from_db()
    assert job.status == "failed"
    assert "the worker running this job (gone) stopped" in job.failure
    retried = records.retry_job(job=job)
    assert (retried.status, retried.failure, retried.done) == ("queued", "", 0)
    run_queued_jobs()
    retried.refresh_from_db()
    assert (retried.status, retried.attempts, retried.result["articles"]) == ("succeeded", 2, 1)
    with pytest.raises(records.JobNotRetryable, match="only a failed job can be retried"):
        records.retry_job(job=retried)


def test_the_jobs_page_polls_running_jobs_and_says_the_worker_is_stopped(
    reviewer_client, project, django_assert_max_num_queries
):
    job = import_jobs.start_import(project=project, files=[("a.jsonl", jsonl("a"))])

    with django_assert_max_num_queries(12):
        page = reviewer_client.get(reverse("labels:jobs", args=[project.slug]))

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="job-{job.pk}"' in html
    assert 'hx-trigger="every 1s"' in html  # queued: polled
    assert "Background worker: <strong>stopped</strong>" in html
    assert "No background worker is running, so this job waits" in html

    Worker.objects.create(worker_id="w1", last_seen_at=timezone.now())
    run_queued_jobs()
    fragment = reviewer_client.get(
        reverse("labels:job", args=[project.slug, job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert "Succeeded" in fragment
    assert "hx-trigger" not in fragment  # finished: polling stops
    assert "1 file(s), 1 article(s) imported" in fragment
    assert (
        "running (1 process)"
        in reviewer_client.get(reverse("labels:jobs", args=[project.slug])).content.decode()
    )


def test_retry_from_the_page_queues_a_failed_job_again(reviewer_client, project):
    job = import_jobs.start_import(project=project, files=[("a.jsonl", jsonl("a"))])
    records.start_job(job_id=job.pk, worker_id="x")
    records.fail_job(job=job, failure="boom")

    response = reviewer_client.post(
        reverse("labels:retry_job", args=[project.slug, job.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == "queued"
    assert f'id="job-{job.pk}"' in response.content.decode()


def test_an_upload_over_the_threshold_runs_as_a_job(reviewer_client, project, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BACKGROUND_UPLOAD_MB = 0.0001  # about 100 bytes
    data = jsonl(*(f"id{n}" for n in range(10)))

    response = reviewer_client.post(
        reverse("labels:upload", args=[project.slug]),
        {"files": [SimpleUploadedFile("big.jsonl", data)]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 202
    assert "Importing in the background" in response.content.decode()
    assert not Article.objects.exists()
    run_queued_jobs()
    assert Article.objects.filter(project=project).count() == 10


def test_create_api_token_prints_the_token_alone_on_the_last_line_and_stores_its_hash():
    user = UserFactory(username="crawler")
    out = StringIO()

    call_command("create_api_token", "crawler", "--name", "nightly", stdout=out)

    secret = out.getvalue().rstrip("\n").splitlines()[-1]
    token = ApiToken.objects.get()
    assert secret.startswith("lbl_") and len(secret) > 40
    assert token.name == "nightly"
    assert token.digest == api_tokens.digest_of(secret) != secret
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert api_tokens.user_for_token(secret) == user
    assert api_tokens.user_for_token(secret[:-1] + "x") is None


def test_a_token_of_an_inactive_user_stops_working():
    user = UserFactory()
    secret = api_tokens.create_token(user=user, name="t").secret
    user.is_active = False
    user.save()

    assert api_tokens.user_for_token(secret) is None


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(client):
    user = UserFactory()
    client.force_login(user)

    created = client.post(reverse("labels:api_tokens"), {"name": "crawler"})
    secret = ApiToken.objects.get().prefix
    assert created.status_code == 201
    assert secret in created.content.decode()
    shown = created.content.decode().split('id="token-secret">')[1].split("<")[0]
    assert api_tokens.user_for_token(shown) == user
    assert shown not in client.get(reverse("labels:api_tokens")).content.decode()

    client.post(reverse("labels:revoke_api_token", args=[ApiToken.objects.get().pk]))
    assert api_tokens.user_for_token(shown) is None
