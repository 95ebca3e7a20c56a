"""`make backup` and `make restore`: a dump restored into a fresh database gives a gold export
byte for byte the same as the original's."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlunsplit

import psycopg
import pytest
from django.db import connection

from labels.models import Label, Membership
from labels.review import adjudication
from labels.workflow import projects
from tests.factories import UserFactory
from tests.labelled import label, make_article

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str) -> str:
    settings = connection.settings_dict
    netloc = f"{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    return urlunsplit(("postgres", netloc, f"/{name}", "", ""))


def run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=300,
        check=False,
    )


def export_gold(url: str, slug: str, *extra: str) -> bytes:
    result = run(
        [sys.executable, "manage.py", "export_gold", "--project", slug, *extra],
        env={"DATABASE_URL": url},
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def labelled_project() -> str:
    """A committed project with agreement, a disagreement and an adjudicated gold label."""
    project = projects.create_project(slug="backup", overlap=2)
    anna, ben, reviewer = UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.REVIEWER)
    for index in range(4):
        article = make_article(project, 3, title=f"Article {index} — ünïcode ‮ text")
        label(article, anna, ["body", "quote", "caption"])
        label(article, ben, ["body", "boilerplate", "caption"])
    paragraph = article.paragraphs.get(index=1)
    quote = Label.objects.get(project=project, value="quote")
    adjudication.adjudicate(reviewer=reviewer, paragraph=paragraph, label=quote, note="checked")
    return project.slug


def test_a_restored_backup_exports_byte_identical_gold(transactional_db, tmp_path, fresh_database):
    slug = labelled_project()
    source = database_url(connection.settings_dict["NAME"])
    dump = tmp_path / "annotator.dump"
    original = {
        unit: export_gold(source, slug, "--unit", unit, "--include-unresolved")
        for unit in ("paragraph", "article")
    }
    assert original["paragraph"].count(b"\n") == 12

    backup = run(
        ["make", "--no-print-directory", "backup", f"BACKUP_FILE={dump}"],
        env={"DATABASE_URL": source},
    )
    assert backup.returncode == 0, backup.stderr.decode()
    restore = run(
        ["make", "--no-print-directory", "restore", f"BACKUP_FILE={dump}"],
        env={"DATABASE_URL": fresh_database},
    )
    assert restore.returncode == 0, restore.stderr.decode()

    for unit, expected in original.items():
        assert export_gold(fresh_database, slug, "--unit", unit, "--include-unresolved") == expected


def test_restore_refuses_a_database_that_already_holds_data(
    transactional_db, tmp_path, fresh_database
):
    labelled_project()
    source = database_url(connection.settings_dict["NAME"])
    dump = tmp_path / "annotator.dump"
    assert (
        run(["make", "backup", f"BACKUP_FILE={dump}"], env={"DATABASE_URL": source}).returncode == 0
    )

    refused = run(["make", "restore", f"BACKUP_FILE={dump}"], env={"DATABASE_URL": source})

    assert refused.returncode != 0
    assert b"already holds the app's tables" in refused.stderr


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = run(
        ["make", "backup", f"BACKUP_FILE={tmp_path / 'x.dump'}"],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )

    assert result.returncode != 0
    assert b"must name a PostgreSQL database" in result.stderr
    assert not (tmp_path / "x.dump").exists()
