"""Password reset: off without mail; with mail, it works and takes as long for an unknown
address as for a known one."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from annotator.password_reset import wait_for_deliveries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SMTP_SECONDS = 0.3


class SlowBackend(EmailBackend):
    """The test outbox, answering as slowly as a real SMTP server a network away."""

    def send_messages(self, messages):
        time.sleep(SMTP_SECONDS)
        return super().send_messages(messages)


@pytest.fixture
def mail_on(settings):
    settings.PASSWORD_RESET_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    wait_for_deliveries()


def test_without_mail_the_reset_pages_do_not_exist(client, settings):
    assert settings.PASSWORD_RESET_ENABLED is False  # nothing in the test environment
    UserFactory(email="known@example.org")

    for url in (reverse("password_reset"), reverse("password_reset_done")):
        assert client.get(url).status_code == 404
    assert client.post(reverse("password_reset"), {"email": "known@example.org"}).status_code == 404
    assert "Forgot your password" not in client.get(reverse("login")).text
    wait_for_deliveries()
    assert mail.outbox == []


def test_with_mail_a_user_resets_their_password_from_the_link(client, mail_on):
    user = UserFactory(username="erin", email="erin@example.org", password="old-password-123")
    assert "Forgot your password" in client.get(reverse("login")).text

    response = client.post(reverse("password_reset"), {"email": "ERIN@example.org"})

    assert response.status_code == 302
    wait_for_deliveries()
    assert [m.to for m in mail.outbox] == [["erin@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-password-456", "new_password2": "a-new-password-456"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-password-456")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mail_on):
    UserFactory(email="known@example.org")

    known = client.post(reverse("password_reset"), {"email": "known@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    wait_for_deliveries()
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_known_and_unknown_addresses_take_the_same_time(client, mail_on, settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    UserFactory(email="known@example.org")
    timings: dict[str, list[float]] = {"known@example.org": [], "nobody@example.org": []}

    for _ in range(5):
        for address, samples in timings.items():
            started = time.perf_counter()
            response = client.post(reverse("password_reset"), {"email": address})
            samples.append(time.perf_counter() - started)
            assert response.status_code == 302

    known, unknown = (statistics.median(samples) for samples in timings.values())
    # Sending inside the request would make the known address SMTP_SECONDS slower.
    assert abs(known - unknown) < SMTP_SECONDS / 3, (known, unknown)
    wait_for_deliveries()
    assert len(mail.outbox) == 5


def test_the_console_backend_prints_the_reset_mail(client, mail_on, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    UserFactory(email="frank@example.org")

    client.post(reverse("password_reset"), {"email": "frank@example.org"})
    wait_for_deliveries()

    printed = capsys.readouterr().out
    assert "To: frank@example.org" in printed
    assert "/accounts/reset/" in printed


def test_reset_pages_work_for_anonymous_visitors_only_with_mail(mail_on):
    assert Client().get(reverse("password_reset")).status_code == 200
    assert Client().get(reverse("password_reset_done")).status_code == 200
