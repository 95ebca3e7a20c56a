"""Response hardening: CSP, htmx re-login, health check, login throttling, open redirects."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from labels.models import Annotation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def without_csrf_token(html: str) -> str:
    return re.sub(r'"x-csrftoken": "[^"]+"', "", html)


def test_every_page_sends_a_csp_without_inline_scripts(annotator_client):
    response = annotator_client.get(reverse("labels:project_list"))

    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.text  # every script is a static file


def test_an_htmx_post_after_logout_gets_a_relogin_redirect_and_writes_nothing(
    client, member, make_assignment
):
    paragraph = make_assignment(member.user).article.paragraphs.first()
    page = reverse("labels:annotate", args=[paragraph.article.assignments.get().pk])

    response = client.post(
        reverse("labels:set_label", args=[paragraph.pk]),
        {"label": "body"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert response.content == b""
    assert not Annotation.objects.exists()


def test_health_check_needs_no_login_and_reports_the_database(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_repeated_failed_logins_lock_out_without_revealing_whether_the_user_exists():
    UserFactory(username="real", password="right-password-123")
    answers = {}
    for username in ("real", "ghost"):
        client = Client()
        for _ in range(5):
            client.post(reverse("login"), {"username": username, "password": "wrong"})
        answers[username] = client.post(
            reverse("login"), {"username": username, "password": "wrong"}
        )

    assert answers["real"].status_code == answers["ghost"].status_code == 429
    assert without_csrf_token(answers["real"].text) == without_csrf_token(answers["ghost"].text)
    locked = Client().post(reverse("login"), {"username": "real", "password": "right-password-123"})
    assert locked.status_code == 429


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_login_next_only_ever_redirects_to_this_site(target):
    UserFactory(username="u", password="right-password-123")

    response = Client().post(
        f"{reverse('login')}?next={target}",
        {"username": "u", "password": "right-password-123", "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("labels:project_list")
