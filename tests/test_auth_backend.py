"""annotator.auth.UserBackend: Django's ModelBackend with a plain-SQL get_user; same rules."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from annotator.auth import UserBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_authenticates_with_it_behind_the_lockout():
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "annotator.auth.UserBackend",
    ]


def test_get_user_loads_the_same_user_as_the_orm():
    user = UserFactory(first_name="Zoë", email="zoe@example.org", is_staff=True)
    stored = get_user_model().objects.get(pk=user.pk)

    loaded = UserBackend().get_user(user.pk)

    fields = get_user_model()._meta.concrete_fields
    assert [getattr(loaded, f.attname) for f in fields] == [
        getattr(stored, f.attname) for f in fields
    ]
    assert loaded.get_session_auth_hash() == stored.get_session_auth_hash()


def test_get_user_refuses_unknown_and_inactive_users():
    inactive = UserFactory(is_active=False)

    assert UserBackend().get_user(inactive.pk) is None
    assert UserBackend().get_user(inactive.pk + 1000) is None


def test_a_logged_in_user_who_is_deactivated_is_logged_out(client):
    user = UserFactory()
    user.set_password("a long enough password")
    user.save()
    form = {"username": user.username, "password": "a long enough password"}
    assert client.post(reverse("login"), form).status_code == 302
    home = reverse("labels:project_list")
    assert client.get(home).status_code == 200

    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_change_elsewhere_ends_the_session(client):
    user = UserFactory()
    user.set_password("a long enough password")
    user.save()
    client.post(reverse("login"), {"username": user.username, "password": "a long enough password"})
    home = reverse("labels:project_list")
    assert client.get(home).status_code == 200

    user.set_password("another long enough password")
    user.save()

    assert client.get(home).status_code == 302
