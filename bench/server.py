"""The production server on the loopback, for `make bench`, `make loadtest` and the tests.

gunicorn with gunicorn.conf.py and production settings (DEBUG off, a random SECRET_KEY, the
access log on stdout), bound to a free 127.0.0.1 port. Only what a caller overrides differs
from a deploy; the benchmarks switch the TLS redirect off, as the loopback has no TLS.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def production_environment(database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a deploy, but plain http on 127.0.0.1 (no TLS redirect)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def recreate_database(url: str, *, marks: tuple[str, ...] = ("bench", "load")) -> None:
    """Drop and create the database in ``url``; its name must contain one of ``marks``."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not any(mark in name for mark in marks):
        raise SystemExit(
            f"refusing to drop {name!r}: its name must contain one of {', '.join(marks)}"
        )
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    workers: int
    threads: int

    def describe(self) -> str:
        if self.threads > 1:
            return f"gunicorn, {self.workers} workers × {self.threads} threads"
        return f"gunicorn, {self.workers} sync workers"


def wait_until_healthy(server: Server, *, log: Path, timeout: float = 60) -> None:
    """Poll /healthz (exempt from the TLS redirect) until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {log}")


def worker_pids(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far, from /proc; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(server: Server) -> float:
    """CPU seconds used so far by the server's worker processes."""
    return sum(process_cpu_seconds(pid) for pid in worker_pids(server.process.pid))


def workers_peak_memory_mb(server: Server) -> list[float]:
    """Each worker's peak resident memory so far (VmHWM), in MB."""
    peaks = []
    for pid in worker_pids(server.process.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


@contextmanager
def gunicorn(
    *, env: dict[str, str], log: Path, workers: int | None = None, threads: int | None = None
) -> Iterator[Server]:
    """Run gunicorn.conf.py's server until the block ends; its stdout and stderr go to ``log``."""
    port = free_port()
    # The control socket is off so that parallel runs (other worktrees, CI) cannot clash.
    server_env = {**env, "BIND": f"127.0.0.1:{port}"}
    if workers:
        server_env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        server_env["GUNICORN_THREADS"] = str(threads)
    command = [
        str(VENV_BIN / "gunicorn"),
        "--config=gunicorn.conf.py",
        "--no-control-socket",
        "annotator.wsgi:application",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=output, stderr=output)
        server = Server(f"http://127.0.0.1:{port}", process, workers=0, threads=1)
        try:
            wait_until_healthy(server, log=log)
            # The master forks all its workers before any of them can answer.
            server.workers = len(worker_pids(process.pid))
            server.threads = int(server_env.get("GUNICORN_THREADS", "1"))
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
