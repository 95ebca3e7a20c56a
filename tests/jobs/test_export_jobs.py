"""Large exports as jobs: the worker writes the file, reviewers download the same bytes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from labels.models import Job
from labels.workflow import api_tokens
from tests.background import run_queued_jobs
from tests.factories import MembershipFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(project, settings, tmp_path):
    settings.EXPORT_DIR = str(tmp_path)
    article = make_article(project, 3)
    label(article, UserFactory(), ["body", "quote", "caption"])
    label(article, UserFactory(), ["body", "quote", "boilerplate"])
    return project


def test_a_background_export_from_the_jobs_page_downloads_the_export_gold_bytes(
    reviewer_client, labelled
):
    response = reviewer_client.post(
        reverse("labels:start_export", args=[labelled.slug]), {"format": "jsonl"}
    )
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.status == "queued"

    run_queued_jobs()

    job.refresh_from_db()
    assert (job.status, job.result["lines"]) == ("succeeded", 2)
    page = reviewer_client.get(reverse("labels:jobs", args=[labelled.slug])).content.decode()
    assert f'id="download-{job.pk}"' in page
    download = reviewer_client.get(reverse("labels:download_export", args=[labelled.slug, job.pk]))
    out = StringIO()
    call_command("export_gold", "--project", labelled.slug, stdout=out, stderr=StringIO())
    assert b"".join(download.streaming_content) == out.getvalue().encode()
    assert download["Content-Disposition"].startswith("attachment;")


def test_an_api_export_job_answers_202_and_offers_its_file_when_done(labelled):
    from tests.api.conftest import ApiClient

    reviewer = MembershipFactory(project=labelled, reviewer=True).user
    api = ApiClient(api_tokens.create_token(user=reviewer, name="t").secret)

    accepted = api.post(f"/api/v1/projects/{labelled.slug}/exports/?format=parquet")
    assert accepted.status_code == 202
    job = accepted.json()
    assert job["download"] is None
    assert api.get(f"/api/v1/jobs/{job['id']}/download/").status_code == 404
    run_queued_jobs()

    done = api.get(job["url"]).json()
    assert done["status"] == "succeeded"
    assert done["result"]["file"] == f"{labelled.slug}-gold-paragraphs.parquet"
    data = b"".join(api.get(done["download"]).streaming_content)
    assert data.startswith(b"PAR1") and data.endswith(b"PAR1")


def test_a_bad_option_is_refused_and_queues_nothing(reviewer_client, labelled):
    response = reviewer_client.post(
        reverse("labels:start_export", args=[labelled.slug]), {"format": "csv", "unit": "article"}
    )
    assert response.status_code == 400
    assert not Job.objects.exists()
