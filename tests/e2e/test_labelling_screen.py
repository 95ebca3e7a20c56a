"""The labelling screen in a real browser: density on corpus pages, moving and selecting,
failures you can see, submitting, accept-all, touch at 390 px and adjudication keys.

Set SCREENSHOT_DIR to keep screenshots of what the tests saw (never committed).
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bench.screen_metrics import keypress_to_paint, p50_p95, visible_paragraphs
from labels.ingest import importing
from labels.models import (
    Annotation,
    Article,
    Assignment,
    GoldLabel,
    Membership,
    Paragraph,
    Project,
)
from labels.workflow import annotating, projects
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CORPUS_PAGES = {
    "news.sky.com": "921019755f4a96ac4abf9dbcb4ef9d5ac202624a542d5ea70912330aa6fcc71f",
    "bbc.com": "c7e39ac49fa1235f5d50f83bf2444248bd3aa4e6df044377916c812dd109ba23",
    "spacenews.com": "d1c57d7821e5a5b27fb468c59489601bb2a042b1c05221166e3221d2b5dc217f",
}
PASSWORD = "s3cret-pass-word"


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def member_of(project, username: str = "annie", role: str = Membership.Role.ANNOTATOR):
    user = UserFactory(username=username, password=PASSWORD)
    Membership.objects.create(project=project, user=user, role=role)
    return user


def log_in(page, live_server, username: str = "annie") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def open_article(page, live_server, assignment) -> None:
    page.goto(f"{live_server.url}/a/{assignment.pk}/")
    page.wait_for_selector("#annotate[data-keys=ready]")


def text_project(paragraphs: int, *, slug: str = "screen", show_suggestions: bool = False):
    project = projects.create_project(slug=slug, overlap=2)
    Project.objects.filter(pk=project.pk).update(show_suggestions=show_suggestions)
    project.refresh_from_db()
    article = Article.objects.create(
        project=project, external_id=f"{slug}-1", title="A long article", content_hash="0" * 64
    )
    Paragraph.objects.bulk_create(
        Paragraph(article=article, index=i, text=f"Paragraph number {i} of the article.")
        for i in range(paragraphs)
    )
    return project, article


def stored_labels(assignment) -> dict[int, str]:
    return dict(
        Annotation.objects.filter(assignment=assignment).values_list(
            "paragraph__index", "label__value"
        )
    )


def shown_labels(page) -> dict[int, str]:
    """What the rows say, by paragraph index: the label word of every labelled row."""
    pairs = page.evaluate(
        """() => Array.from(document.querySelectorAll('#paragraphs > li.labelled')).map(
             (row) => [Number(row.querySelector('.index').textContent) - 1,
                       row.className.match(/label-([a-z0-9-]+)/)[1]])"""
    )
    return dict(pairs)


# ------------------------------------------------------------------------- density


def test_corpus_pages_show_at_least_fifteen_paragraphs_at_1366x768(live_server, browser):
    project = projects.create_project(slug="corpus", overlap=2)
    paths = [ROOT / "corpus" / "html" / f"{page}.html" for page in CORPUS_PAGES.values()]
    importing.import_paths(project=project, paths=paths)
    user = member_of(project)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, live_server)
    seen = {}
    for site in CORPUS_PAGES:
        article = Article.objects.get(project=project, source__endswith=site)
        assignment = Assignment.objects.create(article=article, annotator=user)
        open_article(page, live_server, assignment)
        seen[site] = visible_paragraphs(page)
        shoot(page, f"dense-{site}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()

    assert all(count >= 15 for count in seen.values()), seen


# ------------------------------------------------------------------------- moving and selecting


def test_keys_move_select_label_a_range_in_one_request_and_undo_it(live_server, page):
    project, article = text_project(30)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    focused = "() => document.activeElement.querySelector('.index').textContent"
    page.keyboard.press("G")
    assert page.evaluate(focused) == "30"
    page.keyboard.press("g")
    assert page.evaluate(focused) == "1"
    page.keyboard.press("End")
    assert page.evaluate(focused) == "30"
    page.keyboard.press("Home")
    page.keyboard.press("PageDown")
    assert int(page.evaluate(focused)) > 5
    page.keyboard.press("Home")

    page.keyboard.press("j")
    page.keyboard.press("Shift+J")
    page.keyboard.press("Shift+J")
    page.keyboard.press("Shift+J")
    assert page.locator("li.selected").count() == 4
    page.keyboard.press("Escape")
    assert page.locator("li.selected").count() == 0
    page.keyboard.press("Shift+K")
    page.keyboard.press("Shift+K")
    assert page.locator("li.selected").count() == 3  # paragraphs 3 to 5
    page.keyboard.press("Escape")
    page.locator("#paragraphs > li .text").nth(2).click()
    page.locator("#paragraphs > li .text").nth(6).click(modifiers=["Shift"])
    assert page.locator("li.selected").count() == 5  # paragraphs 3 to 7
    page.keyboard.press("2")
    page.wait_for_selector(
        "#announce:text('5 paragraphs changed to Boilerplate. Press u to undo them.')"
    )
    assert sum("label-selection" in url for url in posts) == 1
    assert stored_labels(assignment) == dict.fromkeys(range(2, 7), "boilerplate")

    page.keyboard.press("n")  # next unlabelled after the range
    page.keyboard.press("g")
    page.keyboard.press("n")
    assert page.evaluate(focused) == "2"
    page.keyboard.press("Shift+N")
    assert page.evaluate(focused) == "1"

    page.keyboard.press("u")
    page.wait_for_selector("#announce:text('Undone: 5 paragraphs.')")
    assert stored_labels(assignment) == {}
    assert page.locator("#paragraphs > li.labelled").count() == 0
    shoot(page, "keys-after-undo")


def test_shift_label_run_stops_where_the_suggestion_differs(live_server, page):
    project, article = text_project(8, show_suggestions=True)
    suggested = ["boilerplate"] * 3 + ["body"] * 5
    for paragraph, value in zip(article.paragraphs.order_by("index"), suggested, strict=True):
        Paragraph.objects.filter(pk=paragraph.pk).update(suggested_label=value)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)

    page.keyboard.press("Shift+Digit2")

    page.wait_for_selector("#announce:text('3 paragraphs changed to Boilerplate')")
    assert stored_labels(assignment) == dict.fromkeys(range(3), "boilerplate")
    focused = page.evaluate("() => document.activeElement.querySelector('.index').textContent")
    assert focused == "4"
    page.keyboard.press("?")
    assert "stops" in page.locator("#help-dialog").inner_text()
    assert "suggested label differs" in page.locator("#help-dialog").inner_text()


def test_shift_a_accepts_all_without_a_reload_and_keeps_focus(live_server, page):
    project, article = text_project(6, show_suggestions=True)
    Paragraph.objects.filter(article=article).update(suggested_label="body")
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.evaluate("window.__same_page = true")
    page.keyboard.press("j")
    page.keyboard.press("j")

    page.keyboard.press("Shift+A")

    page.wait_for_selector("#progress-count:text('6 / 6 labelled')")
    assert page.evaluate("window.__same_page") is True
    focused = page.evaluate("() => document.activeElement.querySelector('.index').textContent")
    assert focused == "3"
    assert "Press u to undo them" in page.locator("#announce").inner_text()
    page.keyboard.press("u")
    page.wait_for_selector("#progress-count:text('0 / 6 labelled')")
    assert stored_labels(assignment) == {}


# ------------------------------------------------------------------------- failures


def test_labels_typed_while_offline_are_saved_in_order_once_back(live_server, browser):
    project, article = text_project(12)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    for key in "1212":
        page.keyboard.press(key)
    page.wait_for_selector("#progress-count:text('4 / 12 labelled')")

    context.set_offline(True)
    for key in "3344":
        page.keyboard.press(key)
    page.keyboard.press("k")
    page.keyboard.press("1")  # relabel paragraph 8 (was 4 = caption, still queued)
    page.wait_for_selector("#save-status.offline")
    assert "waiting" in page.locator("#save-status").inner_text()
    assert page.locator("#annotate").get_attribute("data-pending") == "5"
    assert len(stored_labels(assignment)) == 4
    shoot(page, "offline")

    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('annotate').dataset.pending === '0'", timeout=30_000
    )

    page.wait_for_selector("#progress-count:text('8 / 12 labelled')")
    assert stored_labels(assignment) == shown_labels(page)
    assert stored_labels(assignment)[7] == "body"
    assert page.locator("#paragraphs > li.saving").count() == 0
    context.close()


def test_an_expired_session_gets_a_log_in_again_link_back_to_the_article(live_server, browser):
    project, article = text_project(5)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.keyboard.press("1")
    page.wait_for_selector("#progress-count:text('1 / 5 labelled')")
    context.clear_cookies()

    page.keyboard.press("2")

    page.wait_for_selector("#save-status.error")
    status = page.locator("#save-status")
    assert "session has expired" in status.inner_text()
    assert "<!DOCTYPE" not in status.inner_text() and "<html" not in status.inner_text()
    row = page.locator("#paragraphs > li").nth(1)
    assert "session has expired" in row.locator(".row-error").inner_text()
    assert row.evaluate("row => row === document.activeElement")
    assert row.get_attribute("data-labelled") == "0"
    link = status.get_by_role("link", name="Log in again")
    link.click()
    page.fill("#id_username", "annie")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/a/{assignment.pk}/")
    assert stored_labels(assignment) == {0: "body"}
    context.close()


def test_a_stale_csrf_token_is_a_short_message_not_an_error_page(live_server, page):
    project, article = text_project(3)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.evaluate(
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach((i) => { i.value = 'x'.repeat(32); })"
    )

    page.keyboard.press("1")

    page.wait_for_selector("#save-status.error")
    assert "Log in again" in page.locator("#save-status").inner_text()
    assert "Forbidden" not in page.locator("#save-status").inner_text()
    assert stored_labels(assignment) == {}


def test_a_label_after_submitting_in_another_tab_says_why_in_words(live_server, page):
    project, article = text_project(2)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.keyboard.press("1")
    page.keyboard.press("1")
    page.wait_for_selector("#progress-count:text('2 / 2 labelled')")
    annotating.submit_assignment(assignment=assignment)  # the other tab

    page.keyboard.press("k")
    page.keyboard.press("3")

    page.wait_for_selector("#save-status.error")
    text = page.locator("#save-status").inner_text()
    assert "this article was submitted (in another tab or window)" in text
    assert page.locator("#save-status").get_by_role("link", name="Back to the project").count() == 1
    assert stored_labels(assignment) == {0: "body", 1: "body"}
    assert shown_labels(page) == {0: "body", 1: "body"}


# ------------------------------------------------------------------------- submitting


def test_enter_with_unlabelled_paragraphs_says_how_many_and_jumps_to_the_first(live_server, page):
    project, article = text_project(5)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.keyboard.press("1")
    page.keyboard.press("j")
    page.keyboard.press("1")  # paragraphs 1 and 3 labelled; 2, 4, 5 not

    page.keyboard.press("Enter")

    assert "3 paragraphs are still unlabelled" in page.locator("#announce").inner_text()
    focused = page.evaluate("() => document.activeElement.querySelector('.index').textContent")
    assert focused == "2"
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.IN_PROGRESS


def test_shift_enter_submits_and_stops_without_claiming(live_server, page):
    project, article = text_project(2)
    Article.objects.filter(pk=article.pk).update(open_slots=1)
    other = Article.objects.create(
        project=project, external_id="other", content_hash="1" * 64, open_slots=2
    )
    Paragraph.objects.create(article=other, index=0, text="Other article.")
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)
    page.keyboard.press("1")
    page.keyboard.press("1")

    page.keyboard.press("Shift+Enter")

    page.wait_for_url(f"{live_server.url}/p/{project.slug}/")
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.SUBMITTED
    assert not Assignment.objects.filter(annotator=user, status="in_progress").exists()
    assert "Article submitted." in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Start labelling").click()
    page.wait_for_selector("#annotate[data-keys=ready]")
    assert Assignment.objects.get(annotator=user, status="in_progress").article == other


# ------------------------------------------------------------------------- touch, 390 px


def test_on_a_phone_an_article_is_labelled_and_submitted_by_tapping(live_server, browser):
    call_command("import_articles", str(SEEDS), "--project", "demo", stdout=StringIO())
    project = Project.objects.get(slug="demo")
    user = member_of(project)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = phone.new_page()
    log_in(page, live_server)
    page.get_by_role("link", name=project.name).tap()
    page.get_by_role("button", name="Start labelling").tap()
    page.wait_for_selector("#annotate[data-keys=ready]")
    shoot(page, "phone-start")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    head = page.locator("#article-head").bounding_box()
    assert head["height"] <= 0.25 * 844, head
    assert not page.locator("#keys-hint").is_visible()
    assert not page.locator("#submit-article kbd").is_visible()

    rows = page.locator("#paragraphs > li.paragraph")
    total = rows.count()
    for index in range(total):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        row.locator(".text").tap()
        expect(row).to_be_focused()
        button = row.locator("button.label-button").first
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
        button.tap()
        expect(row).to_have_attribute("data-labelled", "1")
    page.wait_for_selector(f"#progress-count:text('{total} / {total} labelled')")
    shoot(page, "phone-labelled")
    page.locator("#help-button").tap()
    dialog = page.locator("#help-dialog").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= 390
    shoot(page, "phone-help")
    page.locator("#help-dialog button", has_text="Close").tap()
    page.locator("#submit-stop").tap()

    page.wait_for_url(f"{live_server.url}/p/{project.slug}/")
    assignment = Assignment.objects.get(annotator=user)
    assert assignment.status == Assignment.Status.SUBMITTED
    assert Annotation.objects.filter(assignment=assignment).count() == total
    phone.close()


# ------------------------------------------------------------------------- adjudication


def test_enter_in_the_adjudication_note_never_decides(live_server, page):
    call_command("seed_demo", "--seeds", str(SEEDS), stdout=StringIO(), stderr=StringIO())
    project = Project.objects.get(slug="demo")
    member_of(project, "rita", Membership.Role.REVIEWER)
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/demo/review/next/")
    page.wait_for_selector("#adjudicate[data-keys=ready] #gold-form")
    before = GoldLabel.objects.count()

    page.fill("#gold-form input[name=note]", "checked the source page")
    page.press("#gold-form input[name=note]", "Enter")
    page.wait_for_timeout(500)

    assert GoldLabel.objects.count() == before
    assert page.locator("#gold-form").count() == 1
    page.locator("#gold-form button", has_text="Quote").click()
    page.wait_for_selector(".messages")
    assert GoldLabel.objects.count() == before + 1
    assert GoldLabel.objects.latest("decided_at").note == "checked the source page"


def test_favicon_is_not_a_404(live_server, page):
    response = page.goto(f"{live_server.url}/favicon.ico")

    assert response.status == 200
    assert "svg" in response.headers["content-type"]


# ------------------------------------------------------------------------- speed


def test_keypress_to_paint_median_stays_under_50_ms_at_1000_paragraphs(live_server, page):
    """The median, not the p95: the p95 moves with whatever else the machine runs, and
    ``make bench`` reports both (bench/bench_labelling_screen.py)."""
    project, article = text_project(1000)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    open_article(page, live_server, assignment)

    samples = keypress_to_paint(page, ["1", "2", "j", "k", "n"] * 12)

    p50, p95 = p50_p95(samples)
    assert p50 < 50, (p50, p95, samples)
    assert stored_labels(assignment) or page.locator("#annotate").get_attribute("data-pending")


def test_a_ten_thousand_paragraph_article_opens_and_labels(live_server, page):
    project, article = text_project(10_000)
    user = member_of(project)
    assignment = Assignment.objects.create(article=article, annotator=user)
    log_in(page, live_server)
    page.set_default_timeout(120_000)

    page.goto(f"{live_server.url}/a/{assignment.pk}/")
    page.wait_for_selector("#annotate[data-keys=ready]", state="attached")
    assert page.locator("#paragraphs > li").count() == 10_000
    page.keyboard.press("End")
    page.keyboard.press("3")

    page.wait_for_selector("#progress-count:text('1 / 10000 labelled')")
    assert stored_labels(assignment) == {9999: "quote"}
