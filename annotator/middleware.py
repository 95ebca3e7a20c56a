"""Project-wide response hardening: Content-Security-Policy, no caching of signed-in pages, and
htmx-aware login redirects."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers

# No inline or eval'd script anywhere: every script is a same-origin static file. Inline
# style attributes stay allowed (bar widths, heatmap cells); they cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[HttpRequest], HttpResponse]


class ContentSecurityPolicyMiddleware:
    """Send the CSP (and a Permissions-Policy) on every response that lacks one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in user is stored by a browser or a proxy on the way.

    Every page and download of a signed-in user carries ``Cache-Control: no-store`` (with
    ``private, no-cache``), so the back button after logout, a shared computer or a caching
    proxy never shows one user's labels, articles or exports to someone else.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended gets a full-page redirect to the login page.

    Without this, htmx would follow the 302 and swap the login form into a paragraph row.
    After logging in the user returns to the page they were on, not the POST endpoint.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code != 302:
            return response
        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response.get("Location", "")).path != login_path:
            return response
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        back_to = parts.path + (f"?{parts.query}" if parts.query else "") if current else "/"
        if parts.netloc and parts.netloc != request.get_host():
            back_to = "/"
        login = redirect_to_login(back_to or "/")
        relogin = HttpResponse(status=204)
        relogin["HX-Redirect"] = login["Location"]
        return relogin
