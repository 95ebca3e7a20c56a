"""The Python client of docs/api.md, run as written against a live server and a worker."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.db import connection

from labels.models import Article, Assignment, Membership
from labels.workflow import api_tokens, projects
from tests.background import run_queued_jobs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def client_example() -> str:
    section = DOC.read_text("utf-8").split("## A Python client in thirty lines", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_documented_client_imports_labels_and_downloads_gold(
    live_server, tmp_path, monkeypatch
):
    project = projects.create_project(slug="crawl", name="Crawl", overlap=1)
    user = UserFactory(username="bot")
    Membership.objects.create(project=project, user=user, role="reviewer")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "one.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n")
    (folder / "two.txt").write_text("Pier repaired\n\nWork ended a week early.\n\nSubscribe now.\n")
    monkeypatch.setenv("LABELS_URL", live_server.url)
    monkeypatch.setenv("LABELS_PROJECT", "crawl")
    monkeypatch.setenv("LABELS_FOLDER", str(folder))
    monkeypatch.setenv("LABELS_TOKEN", api_tokens.create_token(user=user, name="bot").secret)
    monkeypatch.chdir(tmp_path)
    stop = threading.Event()

    def worker() -> None:
        try:
            while not stop.is_set():
                run_queued_jobs(worker_id="docs-worker")
                stop.wait(0.1)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        exec(compile(client_example(), str(DOC), "exec"), {"__name__": "client"})  # noqa: S102
    finally:
        stop.set()
        thread.join(timeout=30)

    assert Article.objects.filter(project=project).count() == 2
    assert Assignment.objects.filter(status="submitted").count() == 2
    table = pq.read_table(tmp_path / "gold.parquet")
    assert "label" in table.column_names
