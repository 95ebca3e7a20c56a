"""Undo, Shift+key runs, the help overlay, flags and skip, by keyboard in a real Chromium."""

import pytest
from playwright.sync_api import expect

from labels.models import Annotation, AnnotationEvent, Article, Assignment, Flag, Membership
from tests.factories import ArticleFactory, ParagraphFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass-word"


def log_in_and_start(page, live_server, project, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/p/{project.slug}/")
    page.get_by_role("button", name="Start labelling").click()
    page.wait_for_selector("#paragraphs > li.paragraph:focus")


def labels_now(assignment: Assignment) -> list[str | None]:
    chosen = dict(
        Annotation.objects.filter(assignment=assignment).values_list(
            "paragraph__index", "label__value"
        )
    )
    return [chosen.get(i) for i in range(assignment.article.paragraphs.count())]


def wait_for_count(page, labelled: int, total: int) -> None:
    page.wait_for_selector(f"#progress-count:text('{labelled} / {total} labelled')")


def focused_index(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#paragraphs > li')).indexOf(document.activeElement)"
    )


@pytest.fixture
def setup(db):
    project = ProjectFactory(
        guidelines="## Boilerplate\n\nMenus and **subscribe** pitches. <script>bad()</script>"
    )
    article = ArticleFactory(project=project)
    for index in range(6):
        ParagraphFactory(article=article, index=index, text=f"Paragraph number {index}")
    user = UserFactory(username="annie", password=PASSWORD)
    Membership.objects.create(project=project, user=user)
    return project, article, user


def test_shift_run_and_undo_by_keyboard(live_server, page, setup):
    project, article, user = setup
    log_in_and_start(page, live_server, project, "annie")
    assignment = Assignment.objects.get(annotator=user)

    page.keyboard.press("1")  # paragraph 1 body, focus moves to paragraph 2
    page.keyboard.press("Shift+2")  # paragraphs 2-6 boilerplate in one keypress
    wait_for_count(page, 6, 6)
    assert labels_now(assignment) == ["body"] + ["boilerplate"] * 5
    # Attributes settle a moment after the swap, so wait for them rather than read.
    expect(page.locator("#paragraphs > li.label-boilerplate")).to_have_count(5)
    expect(page.locator("#announce")).to_have_text(
        "5 paragraphs changed to Boilerplate. Press u to undo them."
    )

    page.keyboard.press("u")  # the whole run goes back at once
    wait_for_count(page, 1, 6)
    assert labels_now(assignment) == ["body", None, None, None, None, None]
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.id === id",
        arg=page.locator("#paragraphs > li").nth(1).get_attribute("id"),
    )
    assert focused_index(page) == 1

    page.keyboard.press("3")  # paragraph 2 quote, focus to paragraph 3
    page.keyboard.press("j")
    page.keyboard.press("4")  # paragraph 4 caption, focus to paragraph 5
    wait_for_count(page, 3, 6)
    assert focused_index(page) == 4
    page.keyboard.press("k")
    page.keyboard.press("ArrowUp")  # back on paragraph 3
    assert focused_index(page) == 2
    page.keyboard.press("Shift+2")  # run stops before the labelled paragraph 4
    wait_for_count(page, 4, 6)
    assert labels_now(assignment) == ["body", "quote", "boilerplate", "caption", None, None]

    page.keyboard.press("Control+z")
    wait_for_count(page, 3, 6)
    assert labels_now(assignment) == ["body", "quote", None, "caption", None, None]
    page.keyboard.press("u")
    wait_for_count(page, 2, 6)
    assert labels_now(assignment) == ["body", "quote", None, None, None, None]
    expect(page.locator("#paragraphs > li.labelled")).to_have_count(2)

    actions = list(AnnotationEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count("undo") == 5 + 1 + 1  # the run of five, the run of one, the caption


def test_help_overlay_flag_with_note_and_skip_with_reason(live_server, page, setup):
    project, article, user = setup
    following = ArticleFactory(project=project)
    ParagraphFactory(article=following, index=0)
    log_in_and_start(page, live_server, project, "annie")
    assignment = Assignment.objects.get(annotator=user)

    page.keyboard.press("?")
    help_dialog = page.locator("#help-dialog")
    help_dialog.wait_for(state="visible")
    assert help_dialog.locator("#guidelines h2").inner_text() == "Boilerplate"
    assert help_dialog.locator("#guidelines strong").inner_text() == "subscribe"
    assert "<script>bad()</script>" in help_dialog.locator("#guidelines").inner_text()
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")

    page.keyboard.press("j")  # paragraph 2
    page.keyboard.press("f")
    page.locator("#flag-dialog").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "flag-note"
    page.keyboard.type("caption or body?")
    page.keyboard.press("Enter")
    page.locator("#flag-dialog").wait_for(state="hidden")
    expect(page.locator("#paragraphs > li.flagged")).to_have_count(1)
    flag = Flag.objects.get()
    assert (flag.paragraph.index, flag.note) == (1, "caption or body?")
    assert "caption or body?" in page.locator("#paragraphs > li").nth(1).inner_text()
    assert focused_index(page) == 1

    page.keyboard.press("s")
    page.locator("#skip-dialog").wait_for(state="visible")
    page.keyboard.type("not a news article")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SKIPPED
    assert assignment.skip_reason == "not a news article"
    assert Article.objects.get(pk=article.pk).open_slots == project.overlap
    nxt = Assignment.objects.get(annotator=user, status=Assignment.Status.IN_PROGRESS)
    assert nxt.article == following
    assert page.url.endswith(f"/a/{nxt.pk}/")


def test_active_time_is_counted_while_acting_and_sent_when_leaving(live_server, page, setup):
    project, article, user = setup
    log_in_and_start(page, live_server, project, "annie")
    assignment = Assignment.objects.get(annotator=user)

    page.keyboard.press("1")
    wait_for_count(page, 1, 6)
    for _ in range(3):  # moving around is acting too; no request is sent for it
        page.wait_for_timeout(900)
        page.keyboard.press("j")
    expect(page.locator("#article-time")).not_to_have_text("0:00")
    assignment.refresh_from_db()
    before = assignment.active_seconds

    page.goto(f"{live_server.url}/p/{project.slug}/")  # pagehide sends the beacon

    for _ in range(50):
        assignment.refresh_from_db()
        if assignment.active_seconds > before:
            break
        page.wait_for_timeout(100)
    assert assignment.active_seconds >= before + 2
    assert assignment.active_seconds < 60
