"""Stored XSS in a real browser: hostile data on every page opens no dialog and runs nothing."""

import pytest
from django.urls import reverse

from tests.security.test_authorization_matrix import World
from tests.security.test_stored_xss import build_hostile_world, html_pages


@pytest.fixture
def hostile_world(transactional_db: None, settings, tmp_path) -> World:
    settings.EXPORT_DIR = str(tmp_path)
    return build_hostile_world(export_dir=tmp_path)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_in_chromium_no_dialog_opens_and_no_payload_runs(hostile_world, live_server, browser):
    for role in ("owner", "reviewer"):
        user = hostile_world.users[role]
        user.set_password("pw-for-the-browser-1")
        user.save()
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []

        def record(dialog: object, seen: list[str] = dialogs) -> None:
            seen.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record)
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw-for-the-browser-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for name, url, page_user, _ in html_pages(hostile_world):
            if page_user != user:
                continue
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, name
            for key in ("?", "Escape"):
                page.keyboard.press(key)  # open and close overlays that render guidelines
            assert page.evaluate("window.__xss") is None, f"payload ran on {name}"
        assert dialogs == [], f"dialogs opened: {dialogs}"
        context.close()
