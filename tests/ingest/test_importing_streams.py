"""Imports stream: bounded batches inside one transaction per file, progress as they go,
and a file far larger than the memory the process may use still imports."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from labels.ingest import importing
from labels.ingest.progress import ImportProgress, TerminalProgress
from labels.models import Article, Paragraph
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]


def jsonl(*objects: dict) -> bytes:
    return "".join(json.dumps(o) + "\n" for o in objects).encode()


def article(n: int, paragraphs: int = 3) -> dict:
    return {"id": f"a{n}", "paragraphs": [f"Paragraph {n}.{i}" for i in range(paragraphs)]}


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "ARTICLES_PER_BATCH", 2)


@pytest.mark.django_db
def test_a_file_is_written_in_several_batches_and_lands_whole_in_order(tiny_batches):
    project = ProjectFactory()
    data = jsonl(*(article(n) for n in range(7)))

    outcome = importing.import_bytes(project=project, data=data, name="many.jsonl")

    assert (outcome.articles, outcome.paragraphs, outcome.error) == (7, 21, None)
    assert list(Article.objects.order_by("pk").values_list("external_id", flat=True)) == [
        f"a{n}" for n in range(7)
    ]
    assert list(
        Paragraph.objects.filter(article__external_id="a6").values_list("text", flat=True)
    ) == ["Paragraph 6.0", "Paragraph 6.1", "Paragraph 6.2"]


@pytest.mark.django_db
def test_a_bad_line_after_several_written_batches_leaves_nothing(tiny_batches):
    project = ProjectFactory()
    data = jsonl(*(article(n) for n in range(8))) + b'{"id": "bad", "text": "x\\u0000y"}\n'

    outcome = importing.import_bytes(project=project, data=data, name="late.jsonl")

    assert outcome.error == "late.jsonl:9: text: contains NUL (U+0000), which is not allowed"
    assert (outcome.articles, outcome.paragraphs) == (0, 0)
    assert not Article.objects.exists()
    assert not Paragraph.objects.exists()


@pytest.mark.django_db
def test_duplicates_are_found_across_batches_of_the_same_file(tiny_batches):
    project = ProjectFactory()
    same = {"id": "copy", "paragraphs": ["Paragraph 0.0", "Paragraph 0.1", "Paragraph 0.2"]}
    data = jsonl(*(article(n) for n in range(5)), same)

    outcome = importing.import_bytes(project=project, data=data, name="dups.jsonl")

    assert (outcome.articles, outcome.duplicates, outcome.error) == (5, 1, None)


@pytest.mark.django_db
def test_an_id_reused_in_a_later_batch_names_its_line(tiny_batches):
    project = ProjectFactory()
    data = jsonl(*(article(n) for n in range(5)), {"id": "a1", "paragraphs": ["Other"]})

    outcome = importing.import_bytes(project=project, data=data, name="ids.jsonl")

    assert outcome.error == "ids.jsonl:6: id: article id 'a1' already exists with different content"
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_progress_is_reported_per_batch_up_to_the_whole_input(tiny_batches, tmp_path):
    project = ProjectFactory()
    path = tmp_path / "p.jsonl"
    path.write_bytes(jsonl(*(article(n) for n in range(5))))
    seen: list[tuple[int, int, int]] = []

    def record(state: ImportProgress) -> None:
        seen.append((state.done_bytes, state.articles, state.paragraphs))

    importing.import_paths(project=project, paths=[path], progress=record)

    assert seen[-1] == (path.stat().st_size, 5, 15)
    assert len(seen) >= 3  # one per batch of two, and one at the end of the file
    assert seen == sorted(seen)


def test_terminal_progress_draws_a_bar_in_place_on_a_tty():
    out = io.StringIO()
    progress = TerminalProgress(out, tty=True, clock=iter([0.0, 1.0, 2.0]).__next__)

    progress(ImportProgress(total_bytes=100, done_bytes=50, articles=2, paragraphs=100))
    progress.close()

    assert out.getvalue().startswith("\r\x1b[2Kimport: [" + "#" * 15 + "-" * 15 + "]  50.0%")
    assert "2 articles, 100 paragraphs" in out.getvalue()
    assert out.getvalue().endswith("\n")


def test_terminal_progress_writes_a_plain_line_every_few_seconds_when_not_a_tty():
    out = io.StringIO()
    times = iter([0.0, 1.0, 6.0, 7.0, 12.0])
    progress = TerminalProgress(out, tty=False, every=5.0, clock=times.__next__)
    state = ImportProgress(total_bytes=1000, done_bytes=0)

    for done in (100, 500, 600, 1000):
        state.done_bytes = done
        progress(state)

    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == ["import:  50.0%", "import: 100.0%"]
    assert "\r" not in out.getvalue()


def test_a_whole_file_format_refuses_a_file_larger_than_it_reads(monkeypatch):
    monkeypatch.setattr(importing, "MAX_WHOLE_FILE_BYTES", 10)

    with pytest.raises(importing.parsing.ParseError, match="^big.txt: a txt file is one article"):
        importing.parse_bytes(b"x" * 11, name="big.txt")


def _database_url() -> str:
    params = connection.settings_dict
    return f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


LIMITED_IMPORT = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import django
    django.setup()
    from django.core.management import call_command
    call_command("import_articles", sys.argv[2], "--project", "big", "--no-suggestions")
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_file_far_larger_than_the_memory_limit_imports(tmp_path):
    # 420 MB of JSONL under a 300 MB address-space limit: the interpreter, Django and the
    # database driver already take about 100 MB of it, so holding the file cannot work.
    limit = 300 * 2**20
    path = tmp_path / "big.jsonl"
    articles, paragraphs = 500, 10
    with path.open("w") as out:
        for n in range(articles):
            texts = [f"{n}.{i} " + f"word{n % 97} " * 12_000 for i in range(paragraphs)]
            out.write(json.dumps({"id": f"big-{n}", "paragraphs": texts}) + "\n")
    assert path.stat().st_size > 1.3 * limit

    result = subprocess.run(
        [sys.executable, "-c", LIMITED_IMPORT, str(limit), str(path)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "annotator.settings",
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{articles} imported" in result.stdout
    assert Article.objects.filter(project__slug="big").count() == articles
    assert Paragraph.objects.filter(article__project__slug="big").count() == articles * paragraphs


def test_the_limit_in_the_large_file_test_is_real():
    # The same limit refuses a program that does hold 400 MB, so the test above can fail.
    code = "import resource; resource.setrlimit(resource.RLIMIT_AS, (300 * 2**20,) * 2); b'x' * (400 * 2**20)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode != 0
    assert "MemoryError" in result.stderr
