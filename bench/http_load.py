"""Simulated annotators labelling through the app's real HTTP endpoints.

Plain ``http.client`` with the cookie and CSRF handling a browser does: log in through the
login form, open the project page, start labelling, then per article one label POST per
paragraph as htmx sends it (now and then a second, corrected label, or an undo), and submit,
which brings the next article. Every answer is timed per endpoint and checked against the
status a browser expects. Each client remembers the label the server last acknowledged for
each paragraph, so the caller can compare the database with what was sent. Clients run in
processes of their own, so that many of them measure the server, not one interpreter's lock.
"""

from __future__ import annotations

import http.client
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

PARAGRAPH = re.compile(r'<li id="p(\d+)"')
ROW = re.compile(r'<li id="p(\d+)" class="([^"]*)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSIGNMENT = re.compile(r"/a/(\d+)/$")
# The statuses a browser expects from each endpoint, in the order a session meets them.
EXPECTED = {
    "login page": (200,),
    "log in": (302,),
    "project page": (200,),
    "start labelling": (302, 200),  # the first article, or the "nothing left" page
    "article page": (200,),
    "label": (200,),
    "undo": (200,),
    "submit": (302, 200),  # the next article, or the "nothing left" page
}
Observer = Callable[[str, int, float], None]


class Browser:
    """Just enough of a browser: one connection, a cookie jar, redirects left to the caller.

    POSTs carry the CSRF header htmx sends (from the csrftoken cookie) and an Origin header,
    as browsers do. ``headers`` go with every request (a proxy's X-Forwarded-Proto, say).
    ``observe(endpoint, status, milliseconds)``, when set, hears of every answer.
    ``last_headers`` and ``last_body`` (bytes) are the latest answer's.
    """

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.headers = headers or {}
        scheme = "https" if self.headers.get("X-Forwarded-Proto") == "https" else "http"
        self.origin = f"{scheme}://{self.host}:{self.port}"
        self.cookies: dict[str, str] = {}
        self.observe: Observer | None = None
        self.last_headers: http.client.HTTPMessage | None = None  # of the latest answer
        self.last_body = b""
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        endpoint: str = "",
    ) -> tuple[int, str, str]:
        """(status, Location header, body text)."""
        body = urlencode(form) if form is not None else None
        sent = {"Host": f"{self.host}:{self.port}", **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST":
            sent["Origin"] = self.origin
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        began = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; a browser reconnects too.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        if self.observe is not None:
            self.observe(endpoint, response.status, (time.perf_counter() - began) * 1000)
        self.last_headers, self.last_body = response.headers, body
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        text = body.decode("utf-8", errors="replace")
        return response.status, response.headers.get("Location", ""), text

    def log_in(self, username: str, password: str) -> None:
        """Through the login form, as a person does; raises if it does not take."""
        status, _, page = self.request("GET", "/accounts/login/", endpoint="login page")
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        status, _, _ = self.request("POST", "/accounts/login/", form, endpoint="log in")
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username}: HTTP {status}")


@dataclass
class ClientResult:
    username: str
    latency_ms: dict[str, list[float]] = field(default_factory=dict)  # endpoint -> answers
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)  # endpoint -> status -> n
    errors: dict[str, int] = field(default_factory=dict)  # endpoint -> unexpected answers
    # The wait for the next article: submit (or start) plus that article's page.
    next_ms: list[float] = field(default_factory=list)
    # Paragraph id -> the label the server last acknowledged; None: undone back to no label.
    labels: dict[int, str | None] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)  # its last write got no clear answer
    # Undo answers that showed another label than the client's own stack expected: a write
    # retried after its answer was lost (a killed worker) left an extra step in the history.
    undo_differed: int = 0
    submitted: list[int] = field(default_factory=list)  # assignments whose submit was taken
    articles: int = 0  # articles opened
    ran_out: bool = False  # the queue had nothing left for this annotator
    stopped_at_deadline: bool = False
    error: str = ""

    def observe(self, endpoint: str, status: int, milliseconds: float) -> None:
        self.latency_ms.setdefault(endpoint, []).append(milliseconds)
        by_status = self.statuses.setdefault(endpoint, {})
        by_status[status] = by_status.get(status, 0) + 1
        if status not in EXPECTED.get(endpoint, (200,)):
            self.note_error(endpoint)

    def note_error(self, endpoint: str) -> None:
        self.errors[endpoint] = self.errors.get(endpoint, 0) + 1

    def requests(self) -> int:
        return sum(sum(by_status.values()) for by_status in self.statuses.values())


@dataclass
class OpenArticle:
    """The article an annotator has open, and the changes undo would walk back."""

    assignment_id: int
    path: str
    paragraph_ids: list[int]
    changes: list[tuple[int, str | None]] = field(default_factory=list)  # (paragraph, before)
    # False once a write went unanswered: the server's undo stack may then differ from ours.
    changes_known: bool = True


def rows_shown(fragment: str) -> dict[int, str | None]:
    """Paragraph id -> the label its row in an answer shows (None: no label)."""
    shown: dict[int, str | None] = {}
    for paragraph_id, classes in ROW.findall(fragment):
        words = classes.split()
        value = next((w[6:] for w in words if w.startswith("label-")), None)
        shown[int(paragraph_id)] = value if "labelled" in words else None
    return shown


class Annotator:
    """One person at one browser, keeping the labels the server acknowledged."""

    def __init__(self, browser: Browser, result: ClientResult, deadline: float) -> None:
        self.browser = browser
        self.result = result
        self.deadline = deadline  # a time.perf_counter() value
        browser.observe = result.observe

    def out_of_time(self) -> bool:
        if time.perf_counter() >= self.deadline:
            self.result.stopped_at_deadline = True
            return True
        return False

    def htmx_headers(self, article: OpenArticle) -> dict[str, str]:
        return {"HX-Request": "true", "HX-Current-URL": self.browser.origin + article.path}

    def set_label(self, article: OpenArticle, paragraph_id: int, label: str) -> None:
        status, _, fragment = self.browser.request(
            "POST",
            f"/paragraph/{paragraph_id}/label/",
            {"label": label},
            {**self.htmx_headers(article), "HX-Target": f"p{paragraph_id}"},
            endpoint="label",
        )
        if status == 200 and f'id="p{paragraph_id}"' in fragment:
            article.changes.append((paragraph_id, self.result.labels.get(paragraph_id)))
            self.result.labels[paragraph_id] = label
            self.result.uncertain.discard(paragraph_id)
        else:
            self._lose_track(article, paragraph_id)

    def undo(self, article: OpenArticle) -> None:
        if not article.changes or not article.changes_known:
            return
        status, _, fragment = self.browser.request(
            "POST",
            f"/a/{article.assignment_id}/undo/",
            {},
            self.htmx_headers(article),
            endpoint="undo",
        )
        paragraph_id, before = article.changes.pop()
        shown = rows_shown(fragment) if status == 200 else {}
        if paragraph_id not in shown:
            self._lose_track(article, paragraph_id)
        # The answer's rows are what the server now holds and what a browser shows: they are
        # acknowledged, whatever the client's own stack expected.
        if shown.get(paragraph_id, before) != before:
            self.result.undo_differed += 1
        self.result.labels.update(shown)

    def _lose_track(self, article: OpenArticle, paragraph_id: int) -> None:
        """No acknowledgement: the paragraph's stored label is unknown, and so is undo's stack."""
        self.result.labels.pop(paragraph_id, None)
        self.result.uncertain.add(paragraph_id)
        article.changes_known = False

    def label_article(
        self,
        article: OpenArticle,
        *,
        rng: random.Random,
        labels: list[str],
        relabel_rate: float,
        undo_rate: float,
    ) -> bool:
        """Label every paragraph (with corrections and undos); False if time ran out."""
        for paragraph_id in article.paragraph_ids:
            if self.out_of_time():
                return False
            first = rng.choice(labels)
            self.set_label(article, paragraph_id, first)
            if rng.random() < relabel_rate:  # a correction: always a different label
                self.set_label(article, paragraph_id, rng.choice([x for x in labels if x != first]))
            if rng.random() < undo_rate:
                self.undo(article)
        for paragraph_id in article.paragraph_ids:  # the ones an undo left without a label
            if self.result.labels.get(paragraph_id) is None:
                if self.out_of_time():
                    return False
                self.set_label(article, paragraph_id, rng.choice(labels))
        return not self.out_of_time()


def label_articles(
    *,
    base_url: str,
    username: str,
    password: str,
    slug: str,
    labels: list[str],
    start_at: float,
    stop_at: float,
    seed: int,
    max_articles: int | None = None,
    relabel_rate: float = 0.0,
    undo_rate: float = 0.0,
) -> ClientResult:
    """Log in, wait for wall-clock ``start_at``, then label articles until ``stop_at``.

    Stops earlier after ``max_articles`` articles or when the queue has nothing left. After
    each label, with probability ``relabel_rate`` the paragraph gets a second label and with
    ``undo_rate`` the newest change is undone; paragraphs an undo left without a label are
    labelled again before the article is submitted.
    """
    result = ClientResult(username)
    rng = random.Random(seed)
    browser = Browser(base_url)
    person = Annotator(browser, result, deadline=time.perf_counter() + (stop_at - time.time()))
    try:
        browser.log_in(username, password)
        time.sleep(max(0.0, start_at - time.time()))
        if person.out_of_time():
            return result
        browser.request("GET", f"/p/{slug}/", endpoint="project page")
        # The first article comes from "Start labelling", the next ones from submit.
        began = time.perf_counter()
        status, location, _ = browser.request(
            "POST", f"/p/{slug}/start/", {}, endpoint="start labelling"
        )
        while max_articles is None or result.articles < max_articles:
            if status == 200:  # the "nothing left to label" page
                result.ran_out = True
                break
            found = ASSIGNMENT.search(location)
            if status != 302 or found is None or person.out_of_time():
                break
            path = urlsplit(location).path
            status, _, page = browser.request("GET", path, endpoint="article page")
            result.next_ms.append((time.perf_counter() - began) * 1000)
            if status != 200:
                break
            result.articles += 1
            article = OpenArticle(int(found[1]), path, list(map(int, PARAGRAPH.findall(page))))
            if not person.label_article(
                article, rng=rng, labels=labels, relabel_rate=relabel_rate, undo_rate=undo_rate
            ):
                break
            began = time.perf_counter()
            status, location, _ = browser.request(
                "POST", f"{path}submit/", {"active_seconds": "5"}, endpoint="submit"
            )
            following = ASSIGNMENT.search(location)
            if status == 302 and following and int(following[1]) == article.assignment_id:
                # Sent back to the same article: the server holds fewer labels than were
                # acknowledged, an error, unless a label write got no answer (a crashed worker,
                # a database restart): then the server rightly refuses the incomplete article.
                if not result.uncertain.intersection(article.paragraph_ids):
                    result.note_error("submit")
                break
            if status in EXPECTED["submit"]:
                result.submitted.append(article.assignment_id)
    except Exception as exc:  # reported with the results, never swallowed
        result.error = f"{type(exc).__name__}: {exc}"
    return result
