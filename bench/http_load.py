"""One simulated annotator labelling through the app's real HTTP endpoints.

Plain ``http.client`` over a keep-alive connection, with the cookie and CSRF handling a
browser does: log in through the login form, then loop start/next article -> one label POST
per paragraph (as htmx sends it) -> submit, until the time is up. Runs in its own process so
eight of them measure the server, not one interpreter's lock.
"""

from __future__ import annotations

import http.client
import random
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

PARAGRAPH = re.compile(r'<li id="p(\d+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSIGNMENT = re.compile(r"/a/(\d+)/$")


@dataclass
class ClientResult:
    username: str
    label_ms: list[float] = field(default_factory=list)
    next_ms: list[float] = field(default_factory=list)
    sent: list[tuple[int, str]] = field(default_factory=list)  # (paragraph id, label) saved
    articles: int = 0
    statuses: dict[int, int] = field(default_factory=dict)  # unexpected status -> count
    ran_out: bool = False  # every article was labelled before the time was up
    cpu_seconds: float = 0.0  # this client's own CPU in the measured loop (it shares the cores)
    error: str = ""


class Browser:
    """Just enough of a browser: one connection, a cookie jar, redirects left to the caller."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        """(status, Location header, body text)."""
        body = urlencode(form) if form is not None else None
        sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST" and "csrftoken" in self.cookies:
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; a browser reconnects too.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def log_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        status, _, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username}: HTTP {status}")


def label_for_ever(
    *,
    base_url: str,
    username: str,
    password: str,
    slug: str,
    labels: list[str],
    start_at: float,
    seconds: float,
    seed: int,
) -> ClientResult:
    """Log in, wait for wall-clock ``start_at``, then label until ``seconds`` after it."""
    result = ClientResult(username)
    rng = random.Random(seed)
    browser = Browser(base_url)
    htmx = {"HX-Request": "true"}
    cpu_before = None
    try:
        browser.log_in(username, password)
        time.sleep(max(0.0, start_at - time.time()))
        deadline = time.perf_counter() + (start_at + seconds - time.time())
        cpu_before = time.process_time()

        def note(status: int) -> None:
            result.statuses[status] = result.statuses.get(status, 0) + 1

        # The first article comes from "Start labelling", the next ones from submit.
        began = time.perf_counter()
        status, location, _ = browser.request("POST", f"/p/{slug}/start/", {})
        while time.perf_counter() < deadline:
            if status == 200:  # the "nothing left to label" page
                result.ran_out = True
                break
            if status != 302 or not ASSIGNMENT.search(location):
                note(status)
                break
            path = urlsplit(location).path
            status, _, page = browser.request("GET", path)
            result.next_ms.append((time.perf_counter() - began) * 1000)
            if status != 200:
                note(status)
                break
            for paragraph_id in map(int, PARAGRAPH.findall(page)):
                if time.perf_counter() >= deadline:
                    return result
                label = rng.choice(labels)
                began = time.perf_counter()
                status, _, _ = browser.request(
                    "POST", f"/paragraph/{paragraph_id}/label/", {"label": label}, htmx
                )
                if status == 200:
                    result.label_ms.append((time.perf_counter() - began) * 1000)
                    result.sent.append((paragraph_id, label))
                else:
                    note(status)
            began = time.perf_counter()
            status, location, _ = browser.request("POST", f"{path}submit/", {"active_seconds": "5"})
            result.articles += 1
    except Exception as exc:  # reported in the table, never swallowed
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        if cpu_before is not None:
            result.cpu_seconds = time.process_time() - cpu_before
    return result
