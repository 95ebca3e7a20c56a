"""A reviewer in a real browser: dashboard, a heatmap cell, then one decision by keyboard."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from labels.models import GoldLabel, Membership, Project
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_open_a_heatmap_cell_and_adjudicate_by_keyboard(live_server, page):
    call_command("seed_demo", "--seeds", str(SEEDS), stdout=StringIO(), stderr=StringIO())
    project = Project.objects.get(slug="demo")
    reviewer = UserFactory(username="rita", password="s3cret-pass-word")
    Membership.objects.create(project=project, user=reviewer, role=Membership.Role.REVIEWER)

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "s3cret-pass-word")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=project.name).click()
    page.get_by_role("link", name="Agreement dashboard").click()

    page.wait_for_selector("#alpha-value")
    assert page.locator("#annotators").inner_text() == "2"
    # In the demo, annie said quote and bob body for two paragraphs: the quote × body cell.
    cell = page.locator('#coincidence a[data-pair="quote-body"]')
    assert cell.inner_text() == "2"
    cell.click()

    page.wait_for_selector("#queue-total")
    assert page.locator("#queue-total").inner_text() == "2"
    assert page.locator("li.queue-row").count() == 2
    page.get_by_role("link", name="Decide one by one").click()

    page.wait_for_selector("#adjudicate[data-keys=ready] #gold-form")
    assert "annie" in page.locator("#given-labels").inner_text()
    decided_text = page.locator("#target-text").inner_text()
    page.keyboard.press("3")  # Quote

    # The next disagreement of the same filtered queue opens.
    page.wait_for_function(
        "text => document.querySelector('#target-text') "
        "&& document.querySelector('#target-text').innerText !== text",
        arg=decided_text,
    )
    assert "Gold for paragraph" in page.locator(".messages").inner_text()

    gold = GoldLabel.objects.select_related("label", "decided_by", "paragraph").get()
    assert (gold.label.value, gold.source, gold.decided_by) == ("quote", "adjudicated", reviewer)
    assert gold.paragraph.text.strip() == decided_text.strip()

    out = StringIO()
    call_command("export_gold", "--project", "demo", stdout=out, stderr=StringIO())
    rows = {row["index"]: row for row in map(json.loads, out.getvalue().splitlines())}
    assert rows[gold.paragraph.index]["gold_source"] == "adjudicated"
    assert rows[gold.paragraph.index]["label"] == "quote"
