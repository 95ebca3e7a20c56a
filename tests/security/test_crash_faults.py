"""Crash faults under load (``make loadtest LOADTEST_FAULTS=1``), proven on a private PostgreSQL.

The load test restarts PostgreSQL mid-run, so it runs here against a throw-away cluster this
module starts (initdb + pg_ctl on a free port in a temporary directory), never the shared
server of the test suite. LOADTEST_POSTGRES_RESTART points the restart at that cluster.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from bench import faults

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PrivatePostgres:
    url: str  # of its maintenance database
    port: int
    data: Path
    restart: str  # the shell command that restarts it

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_server_user(command: str) -> list[str]:
    """PostgreSQL refuses to run as root: run as the postgres account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", "sh", "-c", command]
    return ["sh", "-c", command]


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert binaries, "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    bin_dir = Path(binaries[-1]).parent
    # Not under pytest's tmp_path: its parents are private to us, and the server runs as
    # another account when we are root.
    base = Path(tempfile.mkdtemp(prefix="private-postgres-"))
    data, port = base / "data", free_port()
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
    pg_ctl = f"{bin_dir / 'pg_ctl'} -D {data} -l {base / 'log'}"
    subprocess.run(
        as_server_user(f"{bin_dir / 'initdb'} -D {data} -A trust -U postgres >/dev/null"),
        check=True,
        timeout=120,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run(
        as_server_user(f"{pg_ctl} -o {shlex.quote(options)} -w start >/dev/null"),
        check=True,
        timeout=120,
    )
    restart = shlex.join(as_server_user(f"{pg_ctl} -w -m fast restart >/dev/null"))
    try:
        yield PrivatePostgres(f"postgres://postgres@127.0.0.1:{port}/postgres", port, data, restart)
    finally:
        subprocess.run(as_server_user(f"{pg_ctl} -m immediate stop"), timeout=60, check=False)
        shutil.rmtree(base, ignore_errors=True)


def test_the_restart_step_restarts_the_server_its_setting_names(private_postgres, monkeypatch):
    monkeypatch.setenv(faults.RESTART_SETTING, private_postgres.restart)
    before = private_postgres.postmaster_pid()
    with psycopg.connect(private_postgres.url, autocommit=True) as old:
        subprocess.run(faults.restart_command(), check=True, timeout=120)
        with pytest.raises(psycopg.OperationalError):
            old.execute("SELECT 1")  # the restart dropped every connection

    assert private_postgres.postmaster_pid() != before
    with psycopg.connect(private_postgres.url) as new:
        assert new.execute("SELECT 1").fetchone() == (1,)


def test_without_the_setting_the_restart_targets_the_local_cluster(monkeypatch):
    monkeypatch.delenv(faults.RESTART_SETTING, raising=False)

    command = faults.restart_command()

    assert command[:2] == ["pg_ctlcluster", "--skip-systemctl-redirect"]
    assert command[-2:] == ["main", "restart"]


def test_a_half_import_or_no_recovery_fails_the_fault_checks():
    half = faults.FaultReport(
        killed_while_labelling=1,
        killed_upload=True,
        articles_after_killed_upload=312,
        articles_after_retry=faults.FAULT_ARTICLES,
        restart_seconds=1.0,
        recovered_seconds=None,
    )

    outcomes = dict(faults.checks(half))

    assert outcomes["import killed mid-way"].startswith("FAILED")
    assert outcomes["PostgreSQL restarted"].startswith("FAILED")


def test_loadtest_with_faults_loses_no_acknowledged_label_and_recovers(private_postgres):
    env = {
        **os.environ,
        faults.RESTART_SETTING: private_postgres.restart,
        "LOADTEST_FAULTS": "1",
    }
    env.pop("DATABASE_URL", None)
    url = f"postgres://postgres@127.0.0.1:{private_postgres.port}/annotator_load_faults"

    run = subprocess.run(
        [sys.executable, "-m", "bench.loadtest", "--database-url", url]
        + ["--clients", "4", "--articles", "2", "--seconds", "40"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-4000:]
    assert "lost labels: 0 of" in report
    assert "0 stored after the kill" in report
    assert f"{faults.FAULT_ARTICLES} after the upload was repeated" in report
    assert "without restarting the app" in report


def test_the_operations_page_holds_the_fault_run_figures():
    from bench.loadtest import FAULTS_END, FAULTS_START

    page = (ROOT / "docs" / "operations.md").read_text("utf-8")
    makefile = (ROOT / "Makefile").read_text("utf-8")

    assert page.count(FAULTS_START) == page.count(FAULTS_END) == 1
    assert page.index(FAULTS_START) < page.index(FAULTS_END)
    assert "--faults --database-url $(LOADTEST_DATABASE_URL) --readme docs/operations.md" in (
        makefile
    )
