"""No signed-in page or download may be kept by a browser cache or a proxy."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.factories import UserFactory
from tests.security.test_authorization_matrix import (
    ACCESS,
    ALLOWED,
    ROLES,
    client_for,
    url_for,
    world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db


def assert_not_stored(response, where: str) -> None:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, f"{where}: Cache-Control {response.get('Cache-Control')!r}"
    assert "private" in directives, where
    assert get_max_age(response) in (None, 0), where


@pytest.mark.parametrize("name", sorted(n for n in ACCESS if ACCESS[n] != "public"))
def test_every_signed_in_answer_of_the_matrix_says_no_store(name, world):  # noqa: F811
    url = url_for(name, world)
    for role in ROLES[1:]:
        client = client_for(role, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url, world.payload)
            assert_not_stored(response, f"{method.upper()} {url} as {role}")
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)  # close the export's transaction


def test_gold_downloads_say_no_store(world):  # noqa: F811
    client = client_for("reviewer", world)
    slug = world.kwargs["slug"]

    for url in (
        reverse("labels:export_gold", args=[slug]),
        reverse("labels:export_card", args=[slug]) + "?card=md",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert_not_stored(response, url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)


def test_admin_and_account_pages_of_a_signed_in_user_say_no_store():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in ("/admin/", "/admin/labels/project/", reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response, url)


def test_allowed_roles_exist_for_every_rule():
    # Guards the loop above: a rule nobody may use would test nothing.
    assert all(ALLOWED[rule] & set(ROLES[1:]) for rule in set(ACCESS.values()) - {"public"})
