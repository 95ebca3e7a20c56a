"""A large upload runs as a job: the page polls its progress bar until the worker is done."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from labels.models import Article, Membership
from labels.workflow import projects
from tests.background import run_queued_jobs
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass-word"


def test_a_large_upload_shows_a_polled_job_until_the_worker_finishes(
    live_server, page, settings, tmp_path
):
    settings.BACKGROUND_UPLOAD_MB = 0.001  # about 1 KB: this upload goes to the worker
    project = projects.create_project(slug="wire", name="Wire")
    Membership.objects.create(
        project=project, user=UserFactory(username="rita", password=PASSWORD), role="reviewer"
    )
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        "\n".join(
            json.dumps({"id": f"w{n}", "paragraphs": [f"Story {n} begins.", "Subscribe now."]})
            for n in range(40)
        )
        + '\n{"id": "broken"}\n'
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Log out")

    page.goto(f"{live_server.url}/p/wire/upload/")
    page.set_input_files("#id_files", str(feed))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_selector("#upload-job")
    card = page.locator("article.job")
    assert "Queued" in card.inner_text()
    assert "No background worker is running" in card.inner_text()
    assert not Article.objects.exists()

    def work() -> None:
        try:
            run_queued_jobs(worker_id="e2e-worker")
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)

    # No reload: htmx polls the job card and swaps in the finished one.
    page.wait_for_selector("article.job .status-succeeded")
    text = page.locator("article.job").inner_text()
    assert (
        "1 file(s), 0 article(s) imported" in text
    )  # a file with an error lands whole or not at all
    assert "feed.jsonl:41:" in text  # the FILE:LINE error of the bad line
    assert "hx-trigger" not in page.locator("article.job").evaluate("e => e.outerHTML")
    # Screenshots at both sizes, kept with the test's own files (they are for looking at).
    shots = tmp_path / "shots"
    shots.mkdir()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(shots / "upload-job-1366.png"), full_page=True)

    page.goto(f"{live_server.url}/p/wire/jobs/")
    page.wait_for_selector("#worker-state")
    page.screenshot(path=str(shots / "jobs-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / "jobs-390.png"), full_page=True)
