"""Login throttling behind a load balancer: keyed on the client's address and the user name.

Every request here arrives from the balancer's address (REMOTE_ADDR = 10.0.0.2), the way
it does in production; X-Forwarded-For carries what the balancer saw.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from annotator.client_address import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"
PASSWORD = "right-password-123"


def login(username: str, password: str, *, client_ip: str, forged: str = "") -> int:
    """POST the login form through the simulated balancer; returns the status code."""
    chain = f"{forged}, {client_ip}" if forged else client_ip
    response = Client(REMOTE_ADDR=BALANCER).post(
        reverse("login"),
        {"username": username, "password": password},
        headers={"X-Forwarded-For": chain},
    )
    return response.status_code


@pytest.fixture
def behind_balancer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def test_a_stranger_cannot_lock_a_user_out_from_elsewhere(behind_balancer, settings):
    UserFactory(username="alice", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        login("alice", "guess", client_ip="203.0.113.9")

    assert login("alice", "guess", client_ip="203.0.113.9") == 429  # the stranger is locked
    assert login("alice", PASSWORD, client_ip="198.51.100.7") == 302  # alice is not


def test_one_address_guessing_many_users_is_locked_per_user(behind_balancer, settings):
    UserFactory(username="bob", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("bob", "guess", client_ip="203.0.113.9")

    assert login("bob", PASSWORD, client_ip="203.0.113.9") == 429
    assert login("bob", PASSWORD, client_ip="198.51.100.7") == 302


def test_forging_x_forwarded_for_does_not_escape_the_lockout(behind_balancer, settings):
    UserFactory(username="carol", password=PASSWORD)
    # The attacker puts a new address in front of the chain on every try; the balancer
    # appends the real one, and only that one is believed.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login("carol", "guess", client_ip="203.0.113.9", forged=f"192.0.2.{attempt}")

    assert login("carol", PASSWORD, client_ip="203.0.113.9", forged="192.0.2.200") == 429


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # the documented default
    UserFactory(username="dave", password=PASSWORD)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login("dave", "guess", client_ip=f"198.51.100.{attempt}")

    # All attempts came from one peer address: a forged header does not reset the count.
    assert login("dave", PASSWORD, client_ip="198.51.100.250") == 429


def test_a_request_that_bypasses_the_balancer_is_keyed_on_its_own_address(behind_balancer):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": "198.51.100.7"}
    )

    assert client_address(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "chain", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", BALANCER),  # shorter than the proxies: not believed
        (1, "not-an-address", BALANCER),
        (1, "", BALANCER),
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_saw(settings, count, chain, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXIES = []
    headers = {"X-Forwarded-For": chain} if chain else {}
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER, headers=headers)

    assert client_address(request) == expected
