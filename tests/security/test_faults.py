"""A database connection dropped mid-import or mid-export rolls everything back; a re-run
then completes with exact counts. The drop is real: pg_terminate_backend from a second
connection, while the victim waits on a lock we hold, so the timing is deterministic."""

from __future__ import annotations

import json
import threading
import time
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections

from labels.ingest import importing
from labels.models import Article, Paragraph
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    ParagraphFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def admin_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def wait_for_blocked_backend(admin: psycopg.Connection, my_pid: int, timeout: float = 20) -> int:
    """The pid of the backend that is waiting on one of our locks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [my_pid]
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    raise AssertionError("no backend blocked on the lock in time")


def run_in_thread(target) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def wrapper() -> None:
        try:
            result["value"] = target()
        except BaseException as exc:  # the victim's error is what we inspect
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=wrapper)
    thread.start()
    return thread, result


def test_import_killed_mid_transaction_leaves_nothing_and_a_rerun_is_exact():
    project = ProjectFactory()
    lines = [
        json.dumps({"id": f"a{i}", "paragraphs": [f"p{i}-{j}" for j in range(5)]})
        for i in range(50)
    ]
    data = "\n".join(lines).encode()

    with admin_connection() as holder, admin_connection() as admin:
        holder.execute("BEGIN")
        # Readers may go on; the import's paragraph insert must wait for us.
        holder.execute("LOCK TABLE labels_paragraph IN EXCLUSIVE MODE")
        thread, result = run_in_thread(
            lambda: importing.import_bytes(project=project, data=data, name="big.jsonl")
        )
        victim = wait_for_blocked_backend(admin, holder.info.backend_pid)
        admin.execute("SELECT pg_terminate_backend(%s)", [victim])
        holder.execute("ROLLBACK")
        thread.join(30)

    assert "error" not in result, f"the import raised instead of reporting: {result.get('error')}"
    assert result["value"].error.startswith("big.jsonl: database error, nothing from this file")
    assert Article.objects.filter(project=project).count() == 0
    assert Paragraph.objects.filter(article__project=project).count() == 0

    outcome = importing.import_bytes(project=project, data=data, name="big.jsonl")

    assert outcome.error is None
    assert (outcome.articles, outcome.paragraphs) == (50, 250)
    assert Paragraph.objects.filter(article__project=project).count() == 250


def test_export_killed_mid_stream_leaves_no_file_and_a_rerun_is_complete(tmp_path: Path):
    project = ProjectFactory()
    for _ in range(5):
        article = ArticleFactory(project=project)
        assignment = AssignmentFactory(article=article, submitted=True)
        for i in range(4):
            AnnotationFactory(
                assignment=assignment, paragraph=ParagraphFactory(article=article, index=i)
            )
    out = tmp_path / "gold.jsonl"

    def export() -> None:
        call_command(
            "export_gold",
            "--project",
            project.slug,
            "--out",
            str(out),
            "--min-annotations",
            "1",
            stdout=StringIO(),
            stderr=StringIO(),
        )

    with admin_connection() as holder, admin_connection() as admin:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE labels_annotation IN ACCESS EXCLUSIVE MODE")
        thread, result = run_in_thread(export)
        victim = wait_for_blocked_backend(admin, holder.info.backend_pid)
        admin.execute("SELECT pg_terminate_backend(%s)", [victim])
        holder.execute("ROLLBACK")
        thread.join(30)

    assert "database error, nothing was written" in str(result["error"])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []

    export()

    assert len(out.read_text(encoding="utf-8").splitlines()) == 20
