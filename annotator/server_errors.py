"""What a request that failed inside the server answers: 503 while the database is away, else 500.

A PostgreSQL restart or failover drops every open connection; the requests caught in that
moment fail with a database OperationalError or InterfaceError wherever they were (session
lookup, login throttling, the view). Nothing was acknowledged to the client, and the
transaction was rolled back with the connection, so the honest answer is "try again":
503 with Retry-After, which htmx and the load balancer treat as temporary. The next request
opens a fresh connection (CONN_HEALTH_CHECKS in settings), so the app recovers by itself.
Every other failure is a bug and stays a 500.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, with 503 for a lost database connection (called inside the except)."""
    failure = sys.exc_info()[1]
    if isinstance(failure, OperationalError | InterfaceError):
        response = HttpResponse(
            "The database is not answering for a moment; nothing was saved. Try again.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return django_server_error(request)
