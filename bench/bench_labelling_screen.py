"""The labelling screen in Chromium against gunicorn: paragraphs per screen, keys and requests
per article, keypress-to-paint.

- Paragraphs visible at 1366x768 on three corpus pages (rows wholly below the sticky header,
  as the page opens, and again scrolled to the middle of the article).
- Keys and requests to label and submit the seed article (``seeds/``) to its true labels:
  without suggestions (a label key per paragraph; equal neighbours selected with Shift+j and
  labelled with one key, so one request per group), and with suggestions (Shift+label runs,
  which stop where the suggestion differs, wherever the run would be right; a label key
  elsewhere). The database is checked against the truth afterwards.
- Keypress-to-paint p50 / p95 at 100 and 1,000 paragraphs (label keys, j, k, n): keydown to
  the frame after the handlers, measured in the page (bench/screen_metrics.py).

In ``make bench`` (step ``screen`` of bench/run.py), or alone against its own database, which
is DROPPED and re-created (its name must contain "bench"):

    .venv/bin/python -m bench.bench_labelling_screen --database-url postgres://postgres@127.0.0.1:5432/annotator_bench_screen
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.screen_metrics import keypress_to_paint, p50_p95, visible_paragraphs
from bench.server import ROOT, gunicorn, production_environment, recreate_database

PASSWORD = "bench-password-not-secret"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CORPUS_PAGES = {
    "news.sky.com": "921019755f4a96ac4abf9dbcb4ef9d5ac202624a542d5ea70912330aa6fcc71f",
    "bbc.com": "c7e39ac49fa1235f5d50f83bf2444248bd3aa4e6df044377916c812dd109ba23",
    "spacenews.com": "d1c57d7821e5a5b27fb468c59489601bb2a042b1c05221166e3221d2b5dc217f",
}
# The seed article's true labels, paragraph by paragraph (as in the keyboard browser test).
SEED_TRUTH = [
    "body",
    "quote",
    "boilerplate",
    "boilerplate",
    "caption",
    "boilerplate",
    "boilerplate",
    "boilerplate",
    "boilerplate",
    "boilerplate",
    "boilerplate",
    "boilerplate",
    "body",
    "body",
    "boilerplate",
    "body",
    "body",
    "body",
    "body",
    "quote",
    "quote",
    "boilerplate",
]
PAINT_KEYS = ["1", "2", "j", "k", "n"] * 12


def _user(username: str, project: object) -> object:
    from django.contrib.auth import get_user_model

    from labels.models import Membership

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(project=project, user=user)
    return user


def _text_article(project: object, paragraphs: int) -> object:
    from labels.models import Article, Paragraph

    article = Article.objects.create(
        project=project, external_id=f"long-{paragraphs}", content_hash=f"{paragraphs:064x}"
    )
    Paragraph.objects.bulk_create(
        Paragraph(article=article, index=i, text=f"Paragraph {i}: some words of the article.")
        for i in range(paragraphs)
    )
    return article


def build() -> dict[str, object]:
    """Projects, users and assignments for every measurement; returns what the browser opens."""
    from labels.ingest import importing
    from labels.models import Assignment, Project
    from labels.workflow import projects

    built: dict[str, object] = {}
    corpus = projects.create_project(slug="screen-corpus", overlap=2)
    importing.import_paths(
        project=corpus,
        paths=[ROOT / "corpus" / "html" / f"{page}.html" for page in CORPUS_PAGES.values()],
    )
    reader = _user("screen-reader", corpus)
    built["corpus"] = [
        Assignment.objects.create(
            article=corpus.articles.get(source__endswith=site), annotator=reader
        ).pk
        for site in CORPUS_PAGES
    ]
    for shown in (False, True):
        project = projects.create_project(slug=f"screen-seed-{int(shown)}", overlap=2)
        Project.objects.filter(pk=project.pk).update(show_suggestions=shown)
        importing.import_paths(project=project, paths=[ROOT / "seeds"])
        article = project.articles.get()
        user = _user(f"screen-seed-{int(shown)}", project)
        built[f"seed-{int(shown)}"] = Assignment.objects.create(article=article, annotator=user).pk
    speed = projects.create_project(slug="screen-speed", overlap=2)
    speedy = _user("screen-speed", speed)
    for size in (100, 1000):
        article = _text_article(speed, size)
        built[f"paint-{size}"] = Assignment.objects.create(article=article, annotator=speedy).pk
    return built


def _log_in(page: object, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def _open(page: object, base_url: str, assignment_id: int) -> None:
    page.goto(f"{base_url}/a/{assignment_id}/")
    page.wait_for_selector("#annotate[data-keys=ready]", state="attached")


def plan_keys(truth: list[str], suggested: list[str] | None, keys: dict[str, str]) -> list[str]:
    """The keys an annotator who knows the truth presses (the page's own rules), then Enter.

    With suggestions: Shift+label where the run the page would label (this paragraph, then
    unlabelled ones whose suggestion is that label) is all correct, else the label key. Without:
    equal neighbours are selected (Shift+j) and labelled with one key.
    """
    pressed: list[str] = []
    done = [False] * len(truth)
    position = 0
    while position < len(truth):
        label = truth[position]
        if suggested is not None:
            end = position + 1
            while end < len(truth) and not done[end] and suggested[end] == label:
                end += 1
            run_ok = end - position > 1 and all(truth[i] == label for i in range(position, end))
            pressed.append(f"Shift+{keys[label]}" if run_ok else keys[label])
            covered = range(position, end) if run_ok else range(position, position + 1)
        else:
            end = position + 1
            while end < len(truth) and truth[end] == label:
                end += 1
            pressed += ["Shift+J"] * (end - position - 1) + [keys[label]]
            covered = range(position, end)
        for i in covered:
            done[i] = True
        position = next((i for i in range(len(truth)) if not done[i]), len(truth))
    return [*pressed, "Enter"]


def label_the_seed(page: object, base_url: str, assignment_id: int) -> tuple[int, int]:
    """Keys pressed and POSTs sent to label and submit the seed article; checks the result."""
    from labels.models import Annotation, Assignment

    assignment = Assignment.objects.select_related("article__project").get(pk=assignment_id)
    project = assignment.article.project
    keys = {label.value: label.key for label in project.labels.all()}
    paragraphs = list(assignment.article.paragraphs.order_by("index"))
    suggested = [p.suggested_label for p in paragraphs] if project.show_suggestions else None
    plan = plan_keys(SEED_TRUTH, suggested, keys)
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    _open(page, base_url, assignment_id)
    for key in plan[:-1]:
        page.keyboard.press(key)
    page.wait_for_function("() => document.getElementById('annotate').dataset.pending === '0'")
    with page.expect_navigation():
        page.keyboard.press(plan[-1])
    stored = dict(
        Annotation.objects.filter(assignment_id=assignment_id).values_list(
            "paragraph__index", "label__value"
        )
    )
    if [stored.get(i) for i in range(len(SEED_TRUTH))] != SEED_TRUTH:
        raise SystemExit(f"the seed was not labelled as planned: {stored}")
    if Assignment.objects.get(pk=assignment_id).status != Assignment.Status.SUBMITTED:
        raise SystemExit("the seed article was not submitted")
    return len(plan), len(posts)


def bench_labelling_screen(*, env: dict[str, str], workdir: Path) -> list[object]:
    """Rows for bench/run.py's table (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from bench.run import Row

    # Playwright's sync API runs an event loop in this thread; the ORM checks below are
    # deliberate, and run between browser calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    built = build()
    server_env = {**env, "STATIC_ROOT": str(workdir / "no-static")}  # serve the static sources
    results: dict[str, object] = {}
    with (
        gunicorn(env=server_env, log=workdir / "screen-gunicorn.log") as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.set_default_timeout(60_000)
        _log_in(page, server.base_url, "screen-reader")
        seen = []
        for assignment_id in built["corpus"]:
            _open(page, server.base_url, assignment_id)
            top = visible_paragraphs(page)
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
            seen.append((top, visible_paragraphs(page)))
        results["visible"] = seen
        for shown in (0, 1):
            context.clear_cookies()
            _log_in(page, server.base_url, f"screen-seed-{shown}")
            results[f"seed-{shown}"] = label_the_seed(page, server.base_url, built[f"seed-{shown}"])
        context.clear_cookies()
        _log_in(page, server.base_url, "screen-speed")
        for size in (100, 1000):
            _open(page, server.base_url, built[f"paint-{size}"])
            results[f"paint-{size}"] = p50_p95(keypress_to_paint(page, PAINT_KEYS))
        browser.close()
    tops = [top for top, _ in results["visible"]]
    sites = ", ".join(
        f"{site} {top} / {middle}"
        for site, (top, middle) in zip(CORPUS_PAGES, results["visible"], strict=True)
    )
    paragraphs = len(SEED_TRUTH)
    rows = [
        Row(
            "paragraphs visible at 1366x768, corpus pages (at the top / mid-article)",
            sites,
            "≥ 15 at the top",
            min(tops) >= 15,
        )
    ]
    for shown, name in ((0, "without"), (1, "with")):
        keys, requests = results[f"seed-{shown}"]
        rows.append(
            Row(
                f"keys / requests to label and submit the seed ({paragraphs} paragraphs), "
                f"{name} suggestions",
                f"{keys} / {requests}",
                "reported",
            )
        )
    for size in (100, 1000):
        p50, p95 = results[f"paint-{size}"]
        rows.append(
            Row(
                f"keypress-to-paint at {size:,} paragraphs p50 / p95",
                f"{p50:.0f} / {p95:.0f} ms",
                "p95 < 50 ms" if size == 1000 else "reported",
                p95 < 50 if size == 1000 else None,
            )
        )
    return rows


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_screen"
        ),
    )
    options = arguments.parse_args()
    env = production_environment(options.database_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    os.chdir(ROOT)
    recreate_database(options.database_url, marks=("bench",))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as tmp:
        for row in bench_labelling_screen(env=env, workdir=Path(tmp)):
            print(" | ".join(row.cells()))


if __name__ == "__main__":
    main()
