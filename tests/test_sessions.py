"""annotator.sessions: Django's database sessions with a plain-SQL read; same rules."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotator.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "annotator.sessions"


def test_it_loads_what_djangos_store_saved_and_the_other_way_round():
    django_store = db.SessionStore()
    django_store["answer"] = 42
    django_store.save()
    ours = SessionStore()
    ours["labels"] = ["body", "quote"]
    ours.save()

    assert SessionStore(django_store.session_key).load() == {"answer": 42}
    assert db.SessionStore(ours.session_key).load() == {"labels": ["body", "quote"]}


def test_an_expired_session_is_not_loaded_and_its_key_is_not_reused():
    store = SessionStore()
    store["user"] = "someone"
    store.save()
    key = store.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    stale = SessionStore(key)
    assert stale.load() == {}
    assert stale.session_key is None
    stale["fresh"] = True
    stale.save()
    assert stale.session_key != key


def test_an_unknown_key_from_the_client_gets_a_new_session():
    made_up = SessionStore("abcdefghijklmnopqrstuvwxyz012345")

    assert made_up.load() == {}
    made_up["x"] = 1
    made_up.save()
    assert made_up.session_key != "abcdefghijklmnopqrstuvwxyz012345"
    assert not Session.objects.filter(session_key="abcdefghijklmnopqrstuvwxyz012345").exists()


def test_a_session_cookie_stops_working_at_logout(client, settings):
    user = UserFactory()
    user.set_password("a long enough password")
    user.save()
    form = {"username": user.username, "password": "a long enough password"}
    assert client.post(reverse("login"), form).status_code == 302
    home = reverse("labels:project_list")
    assert client.get(home).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("logout"))

    replay = Client()  # someone who copied the cookie before the logout
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
