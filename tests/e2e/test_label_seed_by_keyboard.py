"""The whole foundation flow in a real browser: log in, label the seed by keyboard, export."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from labels.models import Annotation, Assignment, Membership, Project
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# The keys an annotator would press for the seed's 22 paragraphs, 1=body 2=boilerplate 3=quote 4=caption.
KEYS = [
    "1",
    "3",
    "2",
    "2",
    "4",
    "2",
    "2",
    "2",
    "2",
    "2",
    "2",
    "2",
    "1",
    "1",
    "2",
    "1",
    "1",
    "1",
    "1",
    "3",
    "3",
    "2",
]


def test_label_the_seed_with_the_keyboard_only_then_export(live_server, page):
    call_command("import_articles", str(SEEDS), "--project", "demo", stdout=StringIO())
    project = Project.objects.get(slug="demo")
    user = UserFactory(username="annie", password="s3cret-pass-word")
    Membership.objects.create(project=project, user=user)

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "annie")
    page.fill("#id_password", "s3cret-pass-word")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=project.name).click()
    page.get_by_role("button", name="Start labelling").click()
    page.wait_for_selector("#paragraphs > li.paragraph:focus")

    assert page.locator("#paragraphs > li.paragraph").count() == 22
    page.keyboard.press("j")
    page.keyboard.press("k")
    for key in KEYS:
        page.keyboard.press(key)
    page.wait_for_selector("#progress-count:text('22 / 22 labelled')")
    page.wait_for_selector("#submit-article:not([disabled])")
    page.keyboard.press("Enter")
    page.wait_for_selector("#nothing-left")

    assignment = Assignment.objects.get(annotator=user)
    assert assignment.status == Assignment.Status.SUBMITTED
    assert Annotation.objects.filter(assignment=assignment).count() == 22

    out = StringIO()
    call_command(
        "export_gold", "--project", "demo", "--min-annotations", "1", stdout=out, stderr=StringIO()
    )
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    names = {"1": "body", "2": "boilerplate", "3": "quote", "4": "caption"}
    assert [row["label"] for row in rows] == [names[key] for key in KEYS]
    assert [row["index"] for row in rows] == list(range(22))
