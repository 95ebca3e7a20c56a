"""The team lead's control room in a real browser: the data manager's search and filters,
whole-article adjudication by keyboard, and release and return-for-correction as the
annotator sees them."""

import os
from pathlib import Path

import pytest

from labels.models import Assignment, GoldLabel, Membership
from labels.workflow import queue
from tests.factories import ProjectFactory, UserFactory
from tests.labelled import label, make_article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "s3cret-pass-word"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


def shoot(page, name: str) -> None:
    """Screenshots for looking at the screens, only when SCREENSHOT_DIR is set."""
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def member(project, username: str, role=Membership.Role.ANNOTATOR):
    user = UserFactory(username=username, password=PASSWORD)
    Membership.objects.create(project=project, user=user, role=role)
    return user


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def start_labelling(browser, live_server, project, username: str):
    """A second browser, logged in as ``username``, on the next article of the project."""
    annotator = browser.new_context().new_page()
    annotator.set_default_timeout(10_000)
    log_in(annotator, live_server, username)
    annotator.goto(f"{live_server.url}/p/{project.slug}/")
    annotator.locator("#start-labelling").click()
    # The page's script has run (it marks the root): keys pressed now reach its handlers.
    annotator.wait_for_selector("#annotate.js")
    return annotator


def test_data_manager_search_and_filter(live_server, page):
    project = ProjectFactory(overlap=2)
    member(project, "rita", Membership.Role.REVIEWER)
    harbour = make_article(project, 2, title="Harbour reopens after storm")
    quiet = make_article(project, 2, title="Quiet day at the market")
    split = make_article(project, 2, title="Council vote splits town")
    label(split, UserFactory(username="ann"), ["body", "quote"])
    label(split, UserFactory(username="bea"), ["body", "body"])
    paragraph = quiet.paragraphs.get(index=1)
    paragraph.text = "A zeppelin was seen over the stalls."
    paragraph.save()

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/articles/")
    assert page.locator("#article-count").inner_text().startswith("3 articles")
    shoot(page, "data-manager")

    page.fill("#search", "zeppelin")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#article-count').innerText.startsWith('1 article')"
    )
    assert page.locator(f"#article-{quiet.pk}").is_visible()
    assert "q=zeppelin" in page.url

    page.fill("#search", "")
    page.get_by_label("Has open disagreements").check()
    page.wait_for_function(
        "() => document.querySelector('#article-count').innerText.startsWith('1 article')"
    )
    row = page.locator(f"#article-{split.pk}")
    assert "ann, bea" in row.inner_text()
    assert page.locator(f"#article-{harbour.pk}").count() == 0
    row.get_by_role("link").first.click()
    page.wait_for_selector("#article-review[data-keys=ready]")
    assert "Council vote splits town" in page.locator("h1").inner_text()


def test_whole_article_adjudication_by_keyboard(live_server, page):
    project = ProjectFactory(overlap=2)
    member(project, "rita", Membership.Role.REVIEWER)
    article = make_article(project, 4, title="Four paragraphs")
    label(article, UserFactory(username="ann"), ["body", "quote", "caption", "boilerplate"])
    label(article, UserFactory(username="bea"), ["body", "body", "caption", "body"])

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/articles/{article.pk}/")
    page.wait_for_selector("#article-review[data-keys=ready]")
    shoot(page, "article-view")
    assert page.locator("tr.para.disagree").count() == 2

    # Accept the agreed rows first: paragraphs 1 and 3 are unanimous.
    page.get_by_role("button", name="Accept unanimous and majority rows").click()
    page.wait_for_selector("#article-review[data-keys=ready]")
    assert "Accepted 2" in page.locator(".messages").inner_text()

    # Focus lands on the first undecided paragraph (2); a note rides along with the key.
    page.fill("#decision-note", "pull quote")
    page.locator("tr.para.open").first.focus()
    open_rows = "() => document.querySelectorAll('tr.para.open').length === {}"
    page.keyboard.press("3")  # Quote for paragraph 2
    page.wait_for_function(open_rows.format(1))
    page.wait_for_function("() => document.querySelector('#decide-which').innerText.includes('4')")
    page.keyboard.press("2")  # Boilerplate for paragraph 4, the next undecided one
    page.wait_for_function(open_rows.format(0))

    gold = {
        g.paragraph.index: (g.label.value, g.note)
        for g in GoldLabel.objects.select_related("paragraph", "label")
    }
    assert gold[1] == ("quote", "pull quote")
    assert gold[3] == ("boilerplate", "")
    assert gold[0][0] == "body" and gold[2][0] == "caption"
    assert page.locator("tr.para.open").count() == 0


def test_release_and_return_for_correction_seen_by_the_annotator(live_server, browser, page):
    project = ProjectFactory(overlap=2)
    member(project, "rita", Membership.Role.REVIEWER)
    annie = member(project, "annie")
    done = make_article(project, 2, title="Submitted story")
    submitted = label(done, annie, ["body", "body"])
    open_article = make_article(project, 2, title="Open story")
    current = queue.claim_next(user=annie, project=project)
    assert current.article_id == open_article.pk

    annotator = browser.new_context().new_page()
    annotator.set_default_timeout(10_000)
    log_in(annotator, live_server, "annie")
    annotator.goto(f"{live_server.url}/a/{current.pk}/")
    annotator.wait_for_selector("#annotate")

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/articles/{open_article.pk}/")
    page.locator(f"#release-{current.pk}").click()
    page.wait_for_selector(".messages")
    assert "Released" in page.locator(".messages").inner_text()
    shoot(page, "article-released")

    # The annotator's next keypress on the open page is refused in words.
    annotator.locator(".paragraph").first.focus()
    annotator.keyboard.press("1")
    annotator.wait_for_selector("#save-status.error")
    assert (
        "A reviewer took this article back from you"
        in annotator.locator("#save-status").inner_text()
    )

    page.goto(f"{live_server.url}/p/{project.slug}/articles/{done.pk}/")
    page.fill(f"#return-note-{submitted.pk}", "Paragraph 2 is a caption")
    page.locator(f"#return-{submitted.pk}").click()
    page.wait_for_selector(".messages")
    submitted.refresh_from_db()
    assert submitted.status == Assignment.Status.IN_PROGRESS

    # The returned article comes first in the annotator's queue, with the note.
    annotator.goto(f"{live_server.url}/p/{project.slug}/")
    annotator.locator("#start-labelling").click()
    annotator.wait_for_selector("#return-note")
    assert "Paragraph 2 is a caption" in annotator.locator("#return-note").inner_text()
    assert "Submitted story" in annotator.locator("h1").inner_text()
    shoot(annotator, "annotator-returned")
    annotator.context.close()


def test_invite_then_log_in_with_the_link(live_server, browser, page):
    project = ProjectFactory(overlap=2)
    member(project, "rita", Membership.Role.REVIEWER)
    make_article(project, 2, title="First story")

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/team/")
    page.fill("#id_username", "newbie")
    page.get_by_role("button", name="Invite").click()
    page.wait_for_selector("#invite-link")
    link = page.locator("#invite-link").input_value()
    assert "newbie" in page.locator("#members").inner_text()
    shoot(page, "team-invited")
    page.goto(f"{live_server.url}/p/{project.slug}/settings/")
    page.fill("#id_guidelines", "**Body** is the story itself.")
    page.get_by_role("button", name="Preview the guidelines").click()
    page.wait_for_selector("#guidelines-preview strong")
    shoot(page, "settings")

    newcomer = browser.new_context().new_page()
    newcomer.set_default_timeout(10_000)
    newcomer.goto(link)
    newcomer.fill("#id_new_password1", "a-long-new-pass-99")
    newcomer.fill("#id_new_password2", "a-long-new-pass-99")
    newcomer.get_by_role("button", name="Set password").click()
    newcomer.locator("#login-link").click()
    newcomer.fill("#id_username", "newbie")
    newcomer.fill("#id_password", "a-long-new-pass-99")
    newcomer.keyboard.press("Enter")
    newcomer.get_by_role("link", name=project.name).click()
    newcomer.locator("#start-labelling").click()
    newcomer.wait_for_selector("#annotate")
    assert "First story" in newcomer.locator("h1").inner_text()
    newcomer.context.close()


def test_control_items_scored_on_team_progress(live_server, browser, page):
    project = ProjectFactory(overlap=2, control_every=1)
    member(project, "rita", Membership.Role.REVIEWER)
    member(project, "annie")
    control = make_article(project, 2, title="Known answers", open_slots=0)
    label(control, UserFactory(username="ann"), ["body", "quote"])
    label(control, UserFactory(username="bea"), ["body", "quote"])

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/articles/{control.pk}/")
    page.get_by_role("button", name="Accept unanimous and majority rows").click()
    page.locator("#make-control").click()
    page.wait_for_selector("#control-badge")

    annotator = start_labelling(browser, live_server, project, "annie")
    assert "Known answers" in annotator.locator("h1").inner_text()
    assert "control" not in annotator.locator("#annotate").inner_text().lower()
    annotator.locator(".paragraph").first.focus()
    annotator.keyboard.press("1")  # body: right
    annotator.wait_for_function(
        "() => document.querySelectorAll('.paragraph.label-body').length === 1"
    )
    annotator.keyboard.press("1")  # body for the quote: wrong
    annotator.wait_for_function(
        "() => document.querySelectorAll('.paragraph.label-body').length === 2"
    )
    annotator.locator("#submit-article").click()
    annotator.wait_for_url(f"{live_server.url}/**")
    annotator.context.close()

    page.goto(f"{live_server.url}/p/{project.slug}/progress/")
    scores = page.locator("#control-scores").inner_text()
    assert "annie" in scores
    assert "50 %" in scores
    assert "Below 80 %" in scores
    shoot(page, "team-progress-controls")


def test_a_recoloured_label_shows_its_new_colour_on_the_labelling_screen(
    live_server, browser, page
):
    project = ProjectFactory(overlap=1)
    member(project, "rita", Membership.Role.REVIEWER)
    member(project, "annie")
    make_article(project, 2, title="Colour story")

    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/{project.slug}/settings/")
    page.get_by_label("Colour of body").select_option("vermilion")
    page.locator("#labels-form button[type=submit]").click()
    page.wait_for_selector(".messages")
    assert "Label set saved" in page.locator(".messages").inner_text()
    shoot(page, "settings-colours")

    annotator = start_labelling(browser, live_server, project, "annie")
    annotator.locator(".paragraph").first.focus()
    annotator.keyboard.press("1")
    row = annotator.locator(".paragraph.labelled").first
    row.wait_for()
    # Okabe-Ito vermilion for the stripe, its darker shade (white text 5.9:1) for the word.
    assert row.evaluate("r => getComputedStyle(r).borderLeftColor") == "rgb(213, 94, 0)"
    word = row.locator(".label-word")
    assert word.evaluate("w => getComputedStyle(w).color") == "rgb(166, 72, 0)"
    shoot(annotator, "annotate-recoloured")
    annotator.context.close()
