"""seed_demo, what `make run` uses: the seed with two annotators' labels, plus real web pages."""

from io import StringIO

import pytest
from django.core.management import call_command

from labels.management.commands.seed_demo import DEMO_LABELS
from labels.models import Annotation, Article, Assignment, Membership, Project
from labels.review import reliability
from labels.workflow import queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED_ID = "000_d93e8ff5672328ba"


def test_seed_demo_imports_the_seed_and_five_corpus_pages_with_suggestions_shown():
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())

    project = Project.objects.get(slug="demo")
    assert project.show_suggestions is True
    assert "Corpus pages: 5 file(s), 5 article(s) imported" in out.getvalue()
    web = Article.objects.filter(project=project, meta__format="html")
    assert web.count() == 5
    assert {a.source for a in web} >= {"news.sky.com", "spacenews.com", "hosted.ap.org"}
    assert not project.articles.filter(paragraphs__suggested_label="").exists()
    assert Membership.objects.filter(project=project).count() == 3


def test_seed_demo_twice_imports_nothing_new():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("seed_demo", stdout=out, stderr=StringIO())

    assert (
        "Corpus pages: 5 file(s), 0 article(s) imported, 5 duplicate(s) skipped" in out.getvalue()
    )
    assert Article.objects.count() == 6


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_demo_has_annie_and_bob_submitted_with_a_few_disagreements():
    output = seed()

    assert "Demo labels: 44 annotation(s) imported" in output
    project = Project.objects.get(slug="demo")
    article = Article.objects.get(project=project, external_id=SEED_ID)
    assignments = Assignment.objects.filter(article=article).select_related("annotator")
    assert {(a.annotator.username, a.status) for a in assignments} == {
        ("annie", Assignment.Status.SUBMITTED),
        ("bob", Assignment.Status.SUBMITTED),
    }
    assert Annotation.objects.filter(assignment__article=article).count() == 44
    assert article.open_slots == project.overlap - 2
    labels = DEMO_LABELS[article.external_id]
    disagreements = sum(a != b for a, b in zip(labels["annie"], labels["bob"], strict=True))
    assert 0 < disagreements <= 4
    report = reliability.project_agreement(project=project, resamples=100)
    assert report["annotators"] == 2 and report["units"] == 22
    assert 0.6 < report["krippendorff_alpha"] < 0.95
    assert report["articles_with_disagreements"] == 1


def test_seeding_twice_adds_nothing_and_keeps_the_slots():
    seed()
    before = (Annotation.objects.count(), Assignment.objects.count())

    output = seed()

    assert "Demo labels: already there" in output
    assert (Annotation.objects.count(), Assignment.objects.count()) == before
    assert Article.objects.get(external_id=SEED_ID).open_slots == 1


def test_after_the_demo_labels_a_third_person_can_still_label_the_seed():
    seed()
    project = Project.objects.get(slug="demo")

    newcomer = UserFactory()
    Membership.objects.create(project=project, user=newcomer)
    assignment = queue.claim_next(user=newcomer, project=project)

    assert assignment is not None
    assert Article.objects.get(external_id=SEED_ID).open_slots == 0


def test_the_printed_password_command_runs_as_printed(monkeypatch):
    import os
    import re
    import shlex
    import subprocess
    from pathlib import Path

    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())

    printed = re.search(r"reset with: (.+changepassword annie)\)", out.getvalue()).group(1)
    words = shlex.split(printed)
    env = dict(word.split("=", 1) for word in words if "=" in word and not word.startswith("."))
    command = [word for word in words if word.split("=", 1)[0] not in env]
    assert env == {"DEBUG": "1"}
    assert command[1:] == ["manage.py", "changepassword", "annie"]
    # changepassword asks for the password on a terminal; --help proves the rest of the line
    # (interpreter, settings without SECRET_KEY, the command) works from the project root.
    root = Path(__file__).resolve().parents[1]
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [*command, "--help"], cwd=root, env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Change a user's password" in result.stdout


def test_make_run_s_sqlite_database_migrates_and_seeds_from_empty(tmp_path):
    """`make run` migrates a new SQLite file: every migration must work there too (SQLite
    rebuilds tables to add columns, which its triggers can refuse)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, manage, *command], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
    assert "Demo labels: 44 annotation(s) imported" in done.stdout
