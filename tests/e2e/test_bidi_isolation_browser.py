"""U+202E in every user-supplied text, in Chromium: no page lets it reorder the interface.

The hostile world and the check are in tests/security/test_bidi_isolation.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.test_bidi_isolation import (
    FIND_UNISOLATED,
    NOT_HERE,
    PASSWORD,
    RLO,
    rtl_world,  # noqa: F401  (the fixture)
)
from tests.security.test_stored_xss import html_pages


def log_in(page: object, base: str, user: object) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_no_page_lets_an_override_reorder_the_interface(rtl_world, live_server, browser):  # noqa: F811
    seen = 0
    for role in ("owner", "reviewer"):
        user = rtl_world.users[role]
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        log_in(page, live_server.url, user)
        for name, url, page_user, _ in html_pages(rtl_world):
            if page_user != user or name in NOT_HERE:
                continue
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, name
            assert RLO in page.content(), f"{name} shows none of the hostile text"
            assert page.evaluate(FIND_UNISOLATED) == [], name
            seen += 1
        context.close()
    assert seen >= 9  # owner: 3 pages; reviewer: 6 (upload aside)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_flash_message_after_a_decision_isolates_the_article_id(
    rtl_world,  # noqa: F811
    live_server,
    browser,
):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, rtl_world.users["reviewer"])
    slug = rtl_world.kwargs["slug"]
    page.goto(f"{live_server.url}{reverse('labels:next_disagreement', args=[slug])}")
    page.locator("form button[name=label]").first.click()
    page.wait_for_selector(".messages li")

    message = page.locator(".messages li").first.inner_text()
    assert "Gold for paragraph" in message and RLO in message
    assert page.evaluate(FIND_UNISOLATED) == []
    context.close()
