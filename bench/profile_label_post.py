"""The label POST alone, in one process: queries, app CPU and PostgreSQL CPU per request.

``bench/run.py`` measures the whole server under load; this isolates the one request that
dominates it, without HTTP, gunicorn or other clients, so a change to the write path shows
up as a CPU figure that does not move with the machine's load. It calls Django's WSGI handler
exactly as gunicorn does (production settings, CSRF enforced, a real logged-in session) and
alternates new labels and relabels over the paragraphs of one claimed article.

    .venv/bin/python bench/profile_label_post.py --database-url postgres://.../annotator_bench_x
    .venv/bin/python bench/profile_label_post.py --cprofile 30   # top 30 functions by own time

The database is dropped and re-created (its name must contain "bench").
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    PASSWORD,
    SEED,
    production_environment,
    recreate_database,
)
from bench.server import process_cpu_seconds  # noqa: E402


class InProcessBrowser:
    """Calls the WSGI application directly, keeping cookies like a browser."""

    def __init__(self, application: object) -> None:
        self.application = application
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, htmx: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        body = urlencode(form or {}).encode() if method == "POST" else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
        }
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            environ["HTTP_X_CSRFTOKEN"] = self.cookies["csrftoken"]
        if htmx:
            environ["HTTP_HX_REQUEST"] = "true"
        captured: dict[str, object] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = headers

        chunks = self.application(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        headers: dict[str, str] = {}
        for name, value in captured["headers"]:
            if name.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            headers[name] = value
        return captured["status"], headers, content


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/annotator_bench_profile"
    )
    arguments.add_argument("--posts", type=int, default=2000, help="label POSTs to measure")
    arguments.add_argument("--cprofile", type=int, metavar="N", help="print the top N functions")
    options = arguments.parse_args()

    env = production_environment(options.database_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    os.chdir(ROOT)
    recreate_database(options.database_url)
    import django

    django.setup()
    import re

    from django.contrib.auth.hashers import make_password
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    from bench.datasets import article_jsonl, create_annotators
    from labels.ingest import importing
    from labels.workflow import projects

    call_command("migrate", verbosity=0)
    project = projects.create_project(slug="profile", overlap=2)
    with tempfile.TemporaryDirectory(prefix="profile-") as workdir:
        path = Path(workdir) / "articles.jsonl"
        path.write_text("\n".join(article_jsonl(articles=20, paragraphs=25, seed=SEED)) + "\n")
        importing.import_paths(project=project, paths=[path], suggest=False)
    (user,) = create_annotators(
        prefix="profile-", count=1, project=project, password_hash=make_password(PASSWORD)
    )

    browser = InProcessBrowser(WSGIHandler())
    status, _, page = browser.request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
    form = {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    status, _, _ = browser.request("POST", "/accounts/login/", form)
    assert status == 302, status
    status, headers, _ = browser.request("POST", f"/p/{project.slug}/start/", {})
    status, _, page = browser.request("GET", headers["Location"])
    paragraph_ids = [int(x) for x in re.findall(rb'<li id="p(\d+)"', page)]
    labels = ["body", "boilerplate", "quote", "caption"]

    queries: list[int] = []
    counter = [0]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    def post(n: int) -> None:
        paragraph = paragraph_ids[n % len(paragraph_ids)]
        status, _, content = browser.request(
            "POST", f"/paragraph/{paragraph}/label/", {"label": labels[n % 4]}, htmx=True
        )
        if status != 200 or b'hx-swap-oob="true"' not in content:
            raise SystemExit(f"label POST answered {status}: {content[:300]!r}")

    for n in range(50):  # warm up: connections, template cache, first inserts
        post(n)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    # CPU time, not wall time: waiting for PostgreSQL is not what the app spends.
    profiler = cProfile.Profile(time.process_time) if options.cprofile else None
    with connection.execute_wrapper(count):
        db_before, cpu_before = process_cpu_seconds(backend), time.process_time()
        wall_before = time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(options.posts):
            before = counter[0]
            post(n)
            queries.append(counter[0] - before)
        if profiler:
            profiler.disable()
        cpu = time.process_time() - cpu_before
        wall = time.perf_counter() - wall_before
        db = process_cpu_seconds(backend) - db_before
    per = 1000 / options.posts
    print("| measure (label POST, in process) | figure |")
    print("| --- | --- |")
    print(f"| queries per POST (min / max) | {min(queries)} / {max(queries)} |")
    print(f"| app CPU per POST | {cpu * per:.2f} ms |")
    print(f"| PostgreSQL CPU per POST | {db * per:.2f} ms |")
    print(f"| wall per POST | {wall * per:.2f} ms |")
    print(f"\n{options.posts} POSTs; load average {os.getloadavg()[0]:.1f}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(options.cprofile)
        stats.sort_stats("cumulative").print_stats(options.cprofile)


if __name__ == "__main__":
    main()
