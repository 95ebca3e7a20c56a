"""A lost database connection: 503 "try again" while it is away, and recovery without a restart."""

from __future__ import annotations

import socket

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


@pytest.fixture
def signed_in(transactional_db: None) -> tuple[Client, str]:
    member = MembershipFactory()
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    return client, reverse("labels:project", args=[member.project.slug])


def test_a_request_while_the_database_is_unreachable_answers_503(signed_in):
    client, url = signed_in
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        response = client.get(url)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "nothing was saved" in response.content.decode()
    assert client.get(url).status_code == 200  # back as soon as the database is


def test_after_the_server_drops_every_connection_the_next_request_reconnects(signed_in):
    client, url = signed_in
    assert client.get(url).status_code == 200
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    settings = connection.settings_dict
    admin = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"
    with psycopg.connect(admin, autocommit=True) as other:
        # What a PostgreSQL restart or failover does to the app's open connection.
        other.execute("SELECT pg_terminate_backend(%s)", [backend])
    # Every request of a real server starts with this (Django's test client leaves it out);
    # with CONN_HEALTH_CHECKS it notices the dead connection before the request uses it.
    close_old_connections()

    assert client.get(url).status_code == 200
    assert connection.connection.info.backend_pid != backend
