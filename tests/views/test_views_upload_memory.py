"""A worker's memory during an upload stays under 3x the uploaded file, for a 50 MB file of
one long line and for one of many lines: the upload is streamed from Django's temporary file,
never held as several copies. Measured in a subprocess (see upload_memory_probe.py), with
suggested labels deferred: they are computed per article after the import, and a single
article of 136,000 paragraphs would measure the suggester, not the upload path."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from labels.jobs import files as job_files
from labels.models import Article, JobFile, Paragraph
from tests.factories import MembershipFactory, ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("upload_memory_probe.py")
SIZE = 50_000_000
WORDS = [
    "the",
    "council",
    "said",
    "on",
    "tuesday",
    "that",
    "a",
    "new",
    "report",
    "into",
    "water",
    "quality",
    "found",
    "higher",
    "levels",
    "than",
    "expected",
    "“we",
    "have",
    "waited",
    "years”",
    "one",
    "said",
    "—",
    "a",
    "spokesperson",
    "declined",
    "café",
    "naïve",
]


def paragraphs(rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(count)]


def write_jsonl(path: Path, *, single_line: bool) -> None:
    """About SIZE bytes of JSONL: one article on one line, or many short articles."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        if single_line:
            out.write('{"id": "huge", "paragraphs": [')
            written, first = 0, True
            while written < SIZE - 2000:
                for text in paragraphs(rng, 50):
                    piece = ("" if first else ", ") + json.dumps(text, ensure_ascii=False)
                    out.write(piece)
                    written += len(piece.encode())
                    first = False
            out.write("]}\n")
        else:
            n = 0
            while out.tell() < SIZE - 20_000:
                line = {"id": f"a{n}", "paragraphs": paragraphs(rng, 20)}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                n += 1


def multipart(path: Path, body: Path, *, boundary: str) -> None:
    """A multipart body with one file field (and suggestions deferred), written in chunks."""
    with body.open("wb") as out, path.open("rb") as source:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="defer_suggestions"\r\n'
            f"\r\non\r\n".encode()
        )
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        while chunk := source.read(1 << 20):
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())


def _database_url() -> str:
    params = connection.settings_dict
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("single_line", "background_mb"),
    [(True, "100"), (False, "100"), (False, "2")],
    ids=["one-line", "many-lines", "as-a-job"],
)
def test_a_50_mb_upload_grows_the_worker_by_less_than_3x_its_size(
    tmp_path, single_line, background_mb
):
    project = ProjectFactory()
    reviewer = MembershipFactory(project=project, reviewer=True)
    data = tmp_path / "big.jsonl"
    write_jsonl(data, single_line=single_line)
    assert SIZE * 0.98 < data.stat().st_size <= settings.MAX_UPLOAD_MB * 1024 * 1024 - 1000
    warmup = tmp_path / "warmup.jsonl"
    warmup.write_text('{"id": "warm", "text": "Warm up"}\n')
    boundary = "----probe-boundary-7c1f"
    multipart(data, tmp_path / "body", boundary=boundary)
    multipart(warmup, tmp_path / "warm", boundary=boundary)

    result = subprocess.run(
        [sys.executable, str(PROBE), project.slug, str(reviewer.user.pk),
         str(tmp_path / "body"), boundary, str(tmp_path / "warm")],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # 100: imported in the request, streamed from Django's temporary file. 2: stored
            # with a background job, a part at a time (labels.jobs.files).
            "BACKGROUND_UPLOAD_MB": background_mb,
        },
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    growth = measured["growth_bytes"]
    print(f"peak RSS growth {growth / 2**20:.0f} MiB for {data.stat().st_size / 2**20:.0f} MiB")
    if background_mb == "2":
        assert measured["status"].startswith("202"), measured
        parts = JobFile.objects.filter(job__project=project).order_by("part")
        assert parts.count() == -(-data.stat().st_size // job_files.PART_BYTES)
        assert sum(len(part.data) for part in parts) == data.stat().st_size
        assert growth < 3 * data.stat().st_size
        return
    assert measured["status"].startswith("200"), measured
    assert measured["errors"] == 0
    assert Paragraph.objects.filter(article__project=project).count() > 10_000
    if single_line:
        assert Article.objects.filter(project=project, external_id="huge").exists()
    assert growth < 3 * data.stat().st_size
