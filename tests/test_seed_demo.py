"""seed_demo, what `make run` uses: the text seed plus a handful of real corpus pages."""

from io import StringIO

import pytest
from django.core.management import call_command

from labels.models import Article, Membership, Project

pytestmark = pytest.mark.django_db


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
