"""Webhooks: signed deliveries, retries with backoff, the delivery log, and the SSRF guard."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from labels.jobs import webhooks
from labels.models import Webhook, WebhookDelivery
from labels.workflow import annotating
from tests.background import run_queued_jobs
from tests.factories import MembershipFactory
from tests.labelled import label, make_article

pytestmark = pytest.mark.django_db


class Listener:
    """An HTTP server on loopback that records what it receives and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.received.append((dict(self.headers), body))
                self.send_response(listener.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.status = status
        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_a_loopback_target_is_refused_and_the_listener_receives_nothing(
    project, listener, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.RefusedTarget, match="loopback, private or link-local"):
        webhooks.add_webhook(project=project, url=listener.url, events=["import.finished"])

    # Registered while allowed, then the setting is switched off: the delivery is refused too.
    settings.WEBHOOK_ALLOW_PRIVATE = True
    webhooks.add_webhook(project=project, url=listener.url, events=["import.finished"])
    settings.WEBHOOK_ALLOW_PRIVATE = False
    webhooks.notify(project=project, event="import.finished", data={})
    run_queued_jobs()

    assert listener.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"  # retried later, with backoff
    assert delivery.error.startswith("refused: 127.0.0.1 resolves to 127.0.0.1")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/h",
        "http://192.168.1.1/h",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/h",
        "http://0.0.0.0/h",
        "ftp://example.org/h",
    ],
)
def test_private_link_local_and_odd_targets_are_refused(project, url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.RefusedTarget):
        webhooks.add_webhook(project=project, url=url, events=["gold.decided"])
    assert not Webhook.objects.exists()


def test_a_delivery_is_signed_with_hmac_sha256_of_time_and_body(project, listener, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    hook = webhooks.add_webhook(project=project, url=listener.url, events=["article.completed"])
    user = MembershipFactory(project=project).user
    project.overlap = 1
    project.save()
    article = make_article(project, 1)
    assignment = label(article, user, ["body"], status="in_progress")
    annotating.submit_assignment(assignment=assignment)
    webhooks.notify_if_article_completed(assignment=assignment)
    run_queued_jobs()

    [(headers, body)] = listener.received
    timestamp, digest = (part.split("=", 1)[1] for part in headers["X-Labels-Signature"].split(","))
    expected = hmac.new(hook.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(digest, expected.hexdigest())
    payload = json.loads(body)
    assert (payload["event"], payload["project"]) == ("article.completed", project.slug)
    assert payload["data"]["article_id"] == article.external_id
    assert headers["X-Labels-Event"] == "article.completed"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)


def test_a_failing_target_is_retried_with_backoff_then_given_up(project, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = Listener(status=500)
    try:
        webhooks.add_webhook(project=project, url=server.url, events=["gold.decided"])
        webhooks.notify(project=project, event="gold.decided", data={"paragraphs": 1})
        run_queued_jobs()

        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.error) == (
            "pending",
            1,
            "the target answered 500",
        )
        retry = DBTaskResult.objects.filter(status="READY").get()
        delay = (retry.run_after - retry.enqueued_at).total_seconds()
        assert webhooks.BACKOFF_SECONDS - 1 < delay <= webhooks.BACKOFF_SECONDS + 1

        for _ in range(webhooks.MAX_ATTEMPTS - 1):  # the worker would wait; we run them now
            DBTaskResult.objects.filter(status="READY").update(run_after=retry.enqueued_at)
            run_queued_jobs()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
        assert len(server.received) == webhooks.MAX_ATTEMPTS
        assert not DBTaskResult.objects.filter(status="READY").exists()
    finally:
        server.close()


def test_reviewers_read_the_delivery_log_and_register_hooks(reviewer_client, project, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    refused = reviewer_client.post(
        reverse("labels:webhooks", args=[project.slug]),
        {"url": "http://127.0.0.1:9/x", "events": ["gold.decided"]},
    )
    assert refused.status_code == 400
    assert "loopback, private or link-local" in refused.content.decode()
    settings.WEBHOOK_ALLOW_PRIVATE = True
    reviewer_client.post(
        reverse("labels:webhooks", args=[project.slug]),
        {"url": "http://127.0.0.1:9/x", "events": ["gold.decided"]},
    )
    webhooks.notify(project=project, event="gold.decided", data={})

    page = reviewer_client.get(reverse("labels:webhooks", args=[project.slug])).content.decode()

    assert 'id="delivery-log"' in page
    assert "gold.decided" in page and "Pending" in page
