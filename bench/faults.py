"""Crash faults during ``make loadtest LOADTEST_FAULTS=1`` (``python -m bench.loadtest --faults``).

While the annotators label, a fault thread:

1. SIGKILLs a gunicorn worker in the middle of labelling (every worker is busy then);
2. uploads a JSONL file of FAULT_ARTICLES articles through the upload page as a reviewer,
   finds the worker serving that very connection (its socket, from /proc) and SIGKILLs it
   while the import runs, checks that not one article of the file was stored, then
   uploads the file again, as a person would, and checks that all of it was;
3. restarts PostgreSQL with the command in LOADTEST_POSTGRES_RESTART (default: the local
   Debian cluster, ``pg_ctlcluster --skip-systemctl-redirect <version> main restart``), and
   measures how long until a label POST is acknowledged again, with the server untouched.

The loadtest's own checks then hold across the faults: every label the server acknowledged
is stored, every acknowledged submit is complete, no article is over-booked. Requests caught
by a fault are not acknowledged, so the clients do not count on them; they are reported (a
dropped connection, or 503 "try again" while the database restarts), and a 500 fails the
run as always.
"""

from __future__ import annotations

import http.client
import os
import random
import shlex
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.http_load import CSRF_FIELD, Browser
from bench.server import Server, worker_pids

FAULT_ARTICLES = 1500
FAULT_PARAGRAPHS = 8
IMPORT_SLUG = "load-import"
UPLOAD_SEED = 99
RESTART_SETTING = "LOADTEST_POSTGRES_RESTART"


def default_restart_command() -> str:
    """Restart the machine's Debian PostgreSQL cluster (the server at 127.0.0.1:5432)."""
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    version = versions[-1] if versions else "15"
    return f"pg_ctlcluster --skip-systemctl-redirect {version} main restart"


def restart_command() -> list[str]:
    """The PostgreSQL restart command: LOADTEST_POSTGRES_RESTART, else the local cluster's."""
    return shlex.split(os.environ.get(RESTART_SETTING) or default_restart_command())


@dataclass
class FaultReport:
    events: list[str] = field(default_factory=list)
    killed_while_labelling: int = 0
    killed_upload: bool = False
    articles_after_killed_upload: int | None = None  # must be 0: nothing half-imported
    articles_after_retry: int | None = None  # must be FAULT_ARTICLES
    restart_seconds: float | None = None  # the restart command's own duration
    recovered_seconds: float | None = None  # from the restart's start to an acknowledged label
    problems: list[str] = field(default_factory=list)

    def note(self, began: float, text: str) -> None:
        self.events.append(f"{time.monotonic() - began:5.1f} s: {text}")


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _connection_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the 127.0.0.1 connection from ``client_port``."""
    local = f"0100007F:{server_port:04X}"
    remote = f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    return None


def worker_serving(server: Server, client_port: int) -> int | None:
    """The gunicorn worker whose socket is the server side of our connection, if any yet."""
    server_port = int(server.base_url.rsplit(":", 1)[1])
    inode = _connection_inode(server_port, client_port)
    if inode is None:
        return None
    for pid in worker_pids(server.process.pid):
        if inode in _socket_inodes(pid):
            return pid
    return None


def multipart(fields: dict[str, str], name: str, file_name: str, data: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{file_name}"\r\nContent-Type: application/x-ndjson\r\n\r\n'.encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


class Uploader:
    """A reviewer at the upload page, on a connection of its own whose port we know."""

    def __init__(self, server: Server, username: str, password: str, data: bytes) -> None:
        self.server = server
        self.browser = Browser(server.base_url)
        self.browser.log_in(username, password)
        self.data = data
        self.status: int | None = None
        self.failure = ""

    def start(self) -> tuple[threading.Thread, int]:
        """Send the upload on a new connection from a thread; returns it and the client port."""
        status, _, page = self.browser.request("GET", f"/p/{IMPORT_SLUG}/upload/")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"upload page: HTTP {status}")
        content_type, body = multipart(
            {"csrfmiddlewaretoken": token[1]}, "files", "faults.jsonl", self.data
        )
        host, port = self.browser.host, self.browser.port
        connection = http.client.HTTPConnection(host, port, timeout=300)
        connection.connect()
        client_port = connection.sock.getsockname()[1]
        headers = {
            "Content-Type": content_type,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items()),
            "Origin": self.browser.origin,
            "X-CSRFToken": self.browser.cookies.get("csrftoken", ""),
        }

        def send() -> None:
            try:
                connection.request("POST", f"/p/{IMPORT_SLUG}/upload/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                self.status = response.status
            except (OSError, http.client.HTTPException) as exc:
                self.failure = f"{type(exc).__name__}: {exc}"
            finally:
                connection.close()

        thread = threading.Thread(target=send, daemon=True)
        thread.start()
        return thread, client_port


@dataclass
class Accounts:
    reviewer: tuple[str, str]  # (user name, password) of the reviewer who uploads
    probe: tuple[str, str, int]  # an annotator and a paragraph of their open assignment


def prepare(*, password: str, password_hash: str) -> Accounts:
    """The import project: a reviewer who uploads, and a probe annotator with one open
    assignment, whose label POSTs tell when the app answers again after the restart."""
    from django.contrib.auth import get_user_model

    from labels.models import Article, Membership, Paragraph
    from labels.workflow import projects, queue

    project = projects.create_project(slug=IMPORT_SLUG, overlap=1)
    users = get_user_model().objects
    reviewer = users.create(username="faults-reviewer", password=password_hash)
    probe = users.create(username="faults-probe", password=password_hash)
    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.REVIEWER)
    Membership.objects.create(project=project, user=probe)
    article = Article.objects.create(
        project=project, external_id="probe", title="Probe", content_hash="probe", open_slots=1
    )
    paragraph = Paragraph.objects.create(article=article, index=0, text="Probe paragraph.")
    if queue.claim_next(user=probe, project=project) is None:
        raise SystemExit("faults: the probe annotator got no assignment")
    return Accounts((reviewer.username, password), (probe.username, password, paragraph.pk))


def import_file(*, articles: int, seed: int) -> bytes:
    from bench.datasets import article_jsonl

    lines = article_jsonl(articles=articles, paragraphs=FAULT_PARAGRAPHS, seed=seed)
    return ("\n".join(lines) + "\n").encode()


def imported_articles() -> int:
    """Articles of the uploaded file that are stored, read on a fresh connection (the server
    may have restarted since the last read)."""
    from django.db import connection

    from labels.models import Article

    connection.close()
    return Article.objects.filter(
        project__slug=IMPORT_SLUG, external_id__startswith=f"bench-{UPLOAD_SEED}-"
    ).count()


def wait_for_progress(
    *, slug: str, deadline: float, assignments: int = 0, annotations: int = 0
) -> int | None:
    """Wait (until ``deadline``) for that many assignments and annotations in the project;
    returns how many annotations there are then (None when the deadline passed first)."""
    from django.db import connection

    from labels.models import Annotation, Assignment

    while time.monotonic() < deadline:
        connection.close()
        opened = Assignment.objects.filter(article__project__slug=slug).count()
        labelled = Annotation.objects.filter(assignment__article__project__slug=slug).count()
        if opened >= assignments and labelled >= annotations:
            return labelled
        time.sleep(0.2)
    return None


def wait_for_import_writes(*, timeout: float) -> bool:
    """Wait until a database session is inserting articles or paragraphs (only an import
    does); True when one was seen."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    connection.close()
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND xact_start IS NOT NULL
                  AND query ~* '^\\s*(INSERT INTO|COPY)\\s+"?labels_(article|paragraph)'
                """
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def label_acknowledged(browser: Browser, paragraph_id: int) -> bool:
    """One label POST as htmx sends it; True when the server answered with the paragraph."""
    try:
        status, _, text = browser.request(
            "POST",
            f"/paragraph/{paragraph_id}/label/",
            {"label": "body"},
            {"HX-Request": "true"},
        )
    except (OSError, RuntimeError, http.client.HTTPException):
        return False
    return status == 200 and f'id="p{paragraph_id}"' in text


def run_faults(
    *,
    server: Server,
    seconds: float,
    reviewer: tuple[str, str],
    probe: tuple[str, str, int],
    report: FaultReport,
    slug: str,
    clients: int,
) -> None:
    """Inject the faults in the middle of the labelling, whatever the machine's speed: the
    worker kill once every client has an article open, the PostgreSQL restart after two
    more labels per client, then the killed and repeated upload."""
    began = time.monotonic()
    deadline = began + seconds * 0.6
    rng = random.Random(7)
    try:
        if wait_for_progress(slug=slug, assignments=clients, deadline=deadline) is None:
            report.note(began, "not every client had started labelling; faulting anyway")
        labelled = wait_for_progress(slug=slug, deadline=time.monotonic() + 5) or 0
        victim = rng.choice(worker_pids(server.process.pid))
        os.kill(victim, signal.SIGKILL)
        report.killed_while_labelling += 1
        report.note(began, f"SIGKILL worker {victim} while labelling")

        wait_for_progress(slug=slug, annotations=labelled + 2 * clients, deadline=deadline)
        # Logged in before the restart (sessions live in the database and survive it), so
        # the wait below measures the app's recovery, not a login.
        username, password, paragraph_id = probe
        prober = Browser(server.base_url)
        prober.log_in(username, password)
        command = restart_command()
        started = time.monotonic()
        # Named by the setting, not spelled out: the command holds this machine's paths.
        named = RESTART_SETTING if os.environ.get(RESTART_SETTING) else shlex.join(command)
        report.note(began, f"restart PostgreSQL ({named})")
        finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
        report.restart_seconds = time.monotonic() - started
        if finished.returncode != 0:
            report.problems.append(f"restart failed: {finished.stderr.strip()[:200]}")
        while time.monotonic() - started < 60:
            if label_acknowledged(prober, paragraph_id):
                report.recovered_seconds = time.monotonic() - started
                break
            time.sleep(0.2)
        recovered = report.recovered_seconds
        report.note(
            began,
            "PostgreSQL back; first label acknowledged "
            + (f"{recovered:.1f} s after the restart began" if recovered else "never"),
        )

        data = import_file(articles=FAULT_ARTICLES, seed=UPLOAD_SEED)
        uploader = Uploader(server, *reviewer, data)
        thread, client_port = uploader.start()
        worker = None
        deadline = time.monotonic() + 30
        while worker is None and time.monotonic() < deadline and thread.is_alive():
            worker = worker_serving(server, client_port)
            time.sleep(0.01)
        if worker is None:
            report.problems.append("could not find the worker serving the upload")
        else:
            # Kill once the import is writing: its transaction holds uncommitted rows then.
            writing = wait_for_import_writes(timeout=60)
            if not writing:
                report.problems.append("the import never started writing within 60 s")
            if thread.is_alive():
                os.kill(worker, signal.SIGKILL)
                report.killed_upload = True
                report.note(began, f"SIGKILL worker {worker} during an upload of {len(data):,} B")
            else:
                report.problems.append(f"the upload finished before the kill ({uploader.status})")
        thread.join(300)
        report.articles_after_killed_upload = imported_articles()
        report.note(
            began,
            f"killed upload: answer {uploader.status or uploader.failure or 'none'}, "
            f"{report.articles_after_killed_upload} articles stored",
        )
        retry = Uploader(server, *reviewer, data)
        thread, _ = retry.start()
        thread.join(300)
        report.articles_after_retry = imported_articles()
        report.note(
            began,
            f"upload again: HTTP {retry.status or retry.failure}, "
            f"{report.articles_after_retry} articles stored",
        )
    except Exception as exc:  # reported with the results, never swallowed
        report.problems.append(f"{type(exc).__name__}: {exc}")


def checks(report: FaultReport) -> list[tuple[str, str]]:
    """(check, outcome) lines for the load test's list; a failed one starts with FAILED."""
    lines = []
    upload_ok = (
        report.killed_upload
        and report.articles_after_killed_upload == 0
        and report.articles_after_retry == FAULT_ARTICLES
    )
    lines.append(
        (
            "import killed mid-way",
            f"worker SIGKILLed during an upload of {FAULT_ARTICLES:,} articles: "
            f"{report.articles_after_killed_upload} stored after the kill, "
            f"{report.articles_after_retry} after the upload was repeated"
            if upload_ok
            else f"FAILED: killed={report.killed_upload}, after kill "
            f"{report.articles_after_killed_upload}, after retry {report.articles_after_retry}",
        )
    )
    lines.append(
        (
            "worker killed while labelling",
            f"{report.killed_while_labelling} worker SIGKILLed; gunicorn replaced it"
            if report.killed_while_labelling
            else "FAILED: no worker was killed",
        )
    )
    recovered = report.recovered_seconds
    lines.append(
        (
            "PostgreSQL restarted",
            f"restart took {report.restart_seconds:.1f} s; a label was acknowledged again "
            f"{recovered:.1f} s after it began, without restarting the app"
            if recovered is not None and report.restart_seconds is not None
            else "FAILED: the app did not acknowledge a label within 60 s of the restart",
        )
    )
    if report.problems:
        lines.append(("fault injection", "FAILED: " + "; ".join(report.problems)))
    return lines
