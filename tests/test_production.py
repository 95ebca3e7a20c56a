"""The production configuration, served for real: gunicorn with gunicorn.conf.py and DEBUG off.

One server for the module: production settings (TLS redirect on, as behind a proxy that
sets X-Forwarded-Proto), static files collected by `collectstatic`, and a read replica that
lags the primary. The replica is a copy of the test database taken before one more article
was submitted, so a page shows the replica's figures or the primary's, never a mix.
"""

import gzip
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, connections

from bench.http_load import Browser
from bench.server import ROOT, gunicorn, production_environment
from labels.models import Assignment, Label, Membership, Paragraph
from labels.workflow import annotating, projects
from tests.factories import ArticleFactory

# The server uses the test database; the data is the module fixture's (committed, then flushed).
pytestmark = pytest.mark.django_db

PASSWORD = "a-long-production-test-password"
HTTPS = {"X-Forwarded-Proto": "https"}
HASHED_CSS = re.compile(r'href="(/static/labels/app\.[0-9a-f]{12}\.css)"')


@dataclass
class Deployment:
    base_url: str
    log: Path
    slug: str
    env: dict[str, str]

    def browser(self, *, https: bool = True) -> Browser:
        return Browser(self.base_url, HTTPS if https else None)

    def logged_in(self, username: str) -> Browser:
        browser = self.browser()
        browser.log_in(username, PASSWORD)
        return browser


def database_url(name: str) -> str:
    """A postgres:// URL for database ``name`` on the test database's server."""
    settings = connection.settings_dict
    netloc = f"{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    return urlunsplit(("postgres", netloc, f"/{name}", "", ""))


def label_article(assignment: Assignment, *, submit: bool) -> None:
    body = Label.objects.get(project=assignment.article.project, value="body")
    for paragraph in Paragraph.objects.filter(article=assignment.article):
        annotating.set_label(assignment=assignment, paragraph=paragraph, label=body)
    if submit:
        annotating.submit_assignment(assignment=assignment)


@pytest.fixture(scope="module")
def deployment(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("production")
    primary = connection.settings_dict["NAME"]
    replica = f"{primary}_replica"
    maintenance = urlsplit(database_url("postgres"))
    with django_db_blocker.unblock():
        project = projects.create_project(slug="production", overlap=2)
        password = make_password(PASSWORD)
        users = {
            name: get_user_model().objects.create(username=name, password=password)
            for name in ("reviewer", "anna", "ben")
        }
        Membership.objects.create(
            project=project, user=users["reviewer"], role=Membership.Role.REVIEWER
        )
        article = ArticleFactory(project=project, open_slots=0)
        for index in range(3):
            Paragraph.objects.create(article=article, index=index, text=f"Paragraph {index}.")
        assignments = {}
        for name in ("anna", "ben"):
            Membership.objects.create(project=project, user=users[name])
            assignments[name] = Assignment.objects.create(article=article, annotator=users[name])
        label_article(assignments["anna"], submit=True)
        label_article(assignments["ben"], submit=False)
        # The replica: the primary as it is now. A template copy needs no other connections.
        connections.close_all()
        with psycopg.connect(urlunsplit(maintenance), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{replica}"')
            admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')
        # Then the primary moves on: ben submits, and only the primary knows.
        annotating.submit_assignment(assignment=assignments["ben"])

    static_root = workdir / "static"
    env = production_environment(
        database_url(primary),
        SECURE_SSL_REDIRECT="1",
        DATABASE_REPLICA_URL=database_url(replica),
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="INFO",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = workdir / "gunicorn.log"
    try:
        with gunicorn(env=env, log=log, workers=2) as server:
            yield Deployment(server.base_url, log, project.slug, env)
    finally:
        with django_db_blocker.unblock():
            with psycopg.connect(urlunsplit(maintenance), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')
            # What a transactional test leaves behind: an empty database for the next tests.
            call_command("flush", interactive=False, verbosity=0)


def test_health_check_answers_over_plain_http_without_login(deployment: Deployment):
    status, _, body = deployment.browser(https=False).request("GET", "/healthz")

    assert status == 200
    assert body == '{"status": "ok"}'


def test_plain_http_is_redirected_to_https(deployment: Deployment):
    status, location, _ = deployment.browser(https=False).request("GET", "/accounts/login/")

    assert status == 301
    assert location.startswith("https://127.0.0.1:")


def test_login_page_renders_behind_https_with_the_security_headers(deployment: Deployment):
    browser = deployment.browser()
    status, _, page = browser.request("GET", "/accounts/login/")
    headers = browser.last_headers

    assert status == 200
    assert '<form method="post" action="/accounts/login/">' in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert (
        "unsafe-inline"
        not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    cookie = next(c for c in headers.get_all("Set-Cookie") if c.startswith("csrftoken="))
    assert "; Secure" in cookie


def test_no_hsts_header_on_plain_http(deployment: Deployment):
    browser = deployment.browser(https=False)
    browser.request("GET", "/healthz")

    assert "Strict-Transport-Security" not in browser.last_headers


def test_pages_link_static_files_by_hashed_name_cached_for_a_year_and_compressed(
    deployment: Deployment,
):
    browser = deployment.browser()
    _, _, page = browser.request("GET", "/accounts/login/")
    stylesheet = HASHED_CSS.search(page)
    assert stylesheet, "the login page links no hashed stylesheet"

    status, _, _ = browser.request("GET", stylesheet[1], headers={"Accept-Encoding": "gzip"})
    headers, compressed = browser.last_headers, browser.last_body
    browser.request("GET", stylesheet[1])

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed) == browser.last_body


def test_the_unhashed_static_name_is_cached_only_briefly(deployment: Deployment):
    browser = deployment.browser()
    status, _, _ = browser.request("GET", "/static/labels/app.css")

    assert status == 200
    assert "immutable" not in browser.last_headers["Cache-Control"]


def test_requests_are_written_to_the_access_log(deployment: Deployment):
    deployment.browser(https=False).request("GET", "/healthz?from=access-log-test")
    line = '"GET /healthz?from=access-log-test HTTP/1.1" 200'
    # gunicorn writes the line once the response has gone out: give it a moment.
    deadline = time.monotonic() + 5
    while line not in deployment.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)

    assert line in deployment.log.read_text()


def test_the_agreement_dashboard_reads_the_replica(deployment: Deployment):
    reviewer = deployment.logged_in("reviewer")
    status, _, page = reviewer.request("GET", f"/p/{deployment.slug}/review/")

    assert status == 200
    # The replica has anna's submitted article only; the primary has ben's too.
    assert '<dd id="annotators">1</dd>' in page


def test_the_progress_page_reads_the_replica(deployment: Deployment):
    reviewer = deployment.logged_in("reviewer")
    status, _, page = reviewer.request("GET", f"/p/{deployment.slug}/progress/")

    assert status == 200
    assert '<strong id="count-complete">0</strong>' in page
    assert '<strong id="count-in-progress">1</strong>' in page


def test_the_gold_export_download_reads_the_replica(deployment: Deployment):
    reviewer = deployment.logged_in("reviewer")
    status, _, text = reviewer.request("GET", f"/p/{deployment.slug}/export/?include_unresolved=on")
    lines = [json.loads(line) for line in text.splitlines()]

    assert status == 200
    assert len(lines) == 3
    assert all(line["annotations"] == [{"annotator": "anna", "label": "body"}] for line in lines)


def test_the_export_command_reads_the_replica(deployment: Deployment):
    result = subprocess.run(
        [sys.executable, "manage.py", "export_gold", "--project", deployment.slug]
        + ["--include-unresolved"],
        cwd=ROOT,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]

    assert result.returncode == 0, result.stderr
    assert [len(line["annotations"]) for line in lines] == [1, 1, 1]


def test_an_annotators_own_pages_read_the_primary(deployment: Deployment):
    ben = deployment.logged_in("ben")
    status, _, page = ben.request("GET", f"/p/{deployment.slug}/")

    assert status == 200
    assert "You have submitted 1 article in this project" in page


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_make_serve_refuses_to_start_without_its_settings(missing: str, tmp_path: Path):
    # Not a word from the make running the tests: its command-line variables would reach this
    # one through MAKEFLAGS.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    }
    env.update(SECRET_KEY="set-for-this-test", DATABASE_URL="postgres://nowhere/none")
    env.update(STATIC_ROOT=str(tmp_path / "static"), BIND="127.0.0.1:1")
    del env[missing]

    result = subprocess.run(
        ["make", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode != 0
    assert f"make serve: {missing} is not set; refusing to start" in result.stderr
    assert not (tmp_path / "static").exists()
