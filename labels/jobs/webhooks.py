"""Webhooks: a project's events POSTed, signed, to the URLs its reviewers registered.

Events: ``article.completed`` (an article reached its overlap of submitted assignments),
``gold.decided`` (a reviewer adjudicated or accepted majorities), ``import.finished`` (an
import job ended) and ``export.finished`` (a gold export was produced to the end).

Each delivery is a ``WebhookDelivery`` row (the log reviewers read) and a django-tasks task
(run by the worker, never inside the request that caused the event). The body is JSON; the
``X-Labels-Signature`` header is ``t=<unix time>,sha256=<hex>``, the HMAC-SHA256 with the
webhook's secret of ``<unix time>.`` followed by the body bytes (the time stops replays).
A failed attempt (no answer in TIMEOUT seconds, or a status outside 2xx) is tried again after
BACKOFF_SECONDS, doubling each time, up to MAX_ATTEMPTS; redirects are not followed.

SSRF guard: a target whose host resolves to a loopback, private, link-local, multicast,
reserved or unspecified address is refused, when registered and again at every delivery,
unless ``WEBHOOK_ALLOW_PRIVATE`` is on. Plain-http deliveries connect to the address that was
checked, so a name that resolves differently the second time (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from labels.models import Article, Assignment, Project, Webhook, WebhookDelivery

EVENTS = ("article.completed", "gold.decided", "import.finished", "export.finished")
SIGNATURE_HEADER = "X-Labels-Signature"
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 10
TIMEOUT = 5.0


class RefusedTarget(ValueError):
    """A webhook URL we will not send to; the message names the reason."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"url: {reason}")


def resolve_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, checked IP address, port, host) of an allowed target; raises RefusedTarget."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget(url, "must be an http:// or https:// URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget(url, f"the host {parts.hostname!r} does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise RefusedTarget(
                    url,
                    f"{parts.hostname} resolves to {address}, a loopback, private or link-local "
                    "address (set WEBHOOK_ALLOW_PRIVATE=1 to allow it)",
                )
    return parts.scheme, str(addresses[0]), port, parts.hostname


def add_webhook(
    *, project: Project, url: str, events: Iterable[str], user: AbstractBaseUser | None = None
) -> Webhook:
    """Register a URL for some of the project's events, with a new signing secret."""
    events = sorted(set(events))
    unknown = [event for event in events if event not in EVENTS]
    if unknown or not events:
        raise RefusedTarget(url, f"events must be some of {', '.join(EVENTS)}")
    resolve_target(url)
    return Webhook.objects.create(
        project=project, url=url, events=events, secret=secrets.token_hex(32), created_by=user
    )


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value of a body sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},sha256={mac.hexdigest()}"


def notify(*, project: Project, event: str, data: dict[str, Any]) -> int:
    """Queue one delivery of ``event`` to each of the project's webhooks that wants it.

    The rows and their tasks commit with the caller's transaction. Returns how many.
    """
    hooks = [
        hook
        for hook in Webhook.objects.filter(project=project, active=True)
        if event in hook.events
    ]
    payload = {
        "event": event,
        "project": project.slug,
        "sent_for": timezone.now().isoformat(),
        "data": data,
    }
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        deliver_webhook.enqueue(delivery.pk)
    return len(hooks)


def notify_if_article_completed(*, assignment: Assignment) -> None:
    """Send article.completed when this submission brought the article to its overlap."""
    article = Article.objects.select_related("project").get(pk=assignment.article_id)
    submitted = Assignment.objects.filter(
        article=article, status=Assignment.Status.SUBMITTED
    ).count()
    if submitted == article.project.overlap:
        notify(
            project=article.project,
            event="article.completed",
            data={"article_id": article.external_id, "submitted": submitted},
        )


def export_finished(
    blocks: Iterable[bytes], *, project: Project, file_name: str, stats: Any
) -> Iterator[bytes]:
    """Pass an export's blocks through, then send export.finished (only if it ran to the end)."""
    yield from blocks
    notify(
        project=project,
        event="export.finished",
        data={
            "file": file_name,
            "lines": stats.lines,
            "bytes": stats.bytes,
            "sha256": stats.sha256,
        },
    )


def post(*, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; returns the status. Raises RefusedTarget or OSError."""
    scheme, address, port, host = resolve_target(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=TIMEOUT
        )
    else:
        connection = http.client.HTTPConnection(address, port, timeout=TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Host": parts.netloc})
        return connection.getresponse().status
    finally:
        connection.close()


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a delivery; queues the next attempt (with backoff) when it fails."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "nothing to do"
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "paragraph-labelling-webhooks/1",
        "X-Labels-Event": delivery.event,
        "X-Labels-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(
            secret=delivery.webhook.secret, timestamp=int(time.time()), body=body
        ),
    }
    status, error = None, ""
    try:
        status = post(url=delivery.webhook.url, body=body, headers=headers)
        if not 200 <= status < 300:
            error = f"the target answered {status}"
    except RefusedTarget as exc:
        error = f"refused: {exc.reason}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    attempts = delivery.attempts + 1
    with transaction.atomic():
        if not error:
            outcome = WebhookDelivery.Status.DELIVERED
        elif attempts >= MAX_ATTEMPTS:
            outcome = WebhookDelivery.Status.FAILED
        else:
            outcome = WebhookDelivery.Status.PENDING
            delay = timedelta(seconds=BACKOFF_SECONDS * 2 ** (attempts - 1))
            deliver_webhook.using(run_after=timezone.now() + delay).enqueue(delivery.pk)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=outcome,
            attempts=F("attempts") + 1,
            response_status=status,
            error=error,
            last_attempt_at=timezone.now(),
        )
    return outcome
