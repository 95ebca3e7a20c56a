"""A reviewer uploads a saved news page in the browser; an annotator labels it with suggestions."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labels.models import Annotation, Article, Assignment, Membership, Project
from labels.workflow import projects
from tests.background import run_queued_jobs
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "html"
AP_PAGE = CORPUS / "82b6d780c792df78dcfb00484d50c86fbc7f324a9eb5835b7615f028edb9a574.html"
CNN_PAGE = CORPUS / "ef4e67b66d63b5facef55c06a94d85f2ae01a0a1a4a3a1bcfe2499c8c8a7dacf.html"
PASSWORD = "s3cret-pass-word"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Log out")


@pytest.fixture
def new_page(browser) -> Iterator[Callable[[], object]]:
    """Pages in separate browser contexts (separate logins), closed after the test so no
    keep-alive connection holds a live-server thread and its database connection."""
    contexts = []

    def make() -> object:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def newsroom(db: None) -> Project:
    project = projects.create_project(slug="newsroom", name="Newsroom")
    for username, role in (("rita", "reviewer"), ("annie", "annotator")):
        user = UserFactory(username=username, password=PASSWORD)
        Membership.objects.create(project=project, user=user, role=role)
    return project


def test_upload_a_corpus_page_then_label_it_with_suggestions(live_server, new_page, newsroom):
    reviewer = new_page()
    log_in(reviewer, live_server, "rita")
    reviewer.get_by_role("link", name="Newsroom").click()
    reviewer.get_by_role("link", name="Upload articles").click()
    reviewer.evaluate(
        """() => {
          window.progressEvents = [];
          document.getElementById("upload-form").addEventListener("htmx:xhr:progress",
            (event) => window.progressEvents.push([event.detail.loaded, event.detail.total]));
        }"""
    )
    reviewer.set_input_files("#id_files", str(AP_PAGE))
    reviewer.get_by_role("button", name="Upload and import").click()
    reviewer.wait_for_selector("#upload-summary:has-text('1 article(s) imported')")
    run_queued_jobs()  # the suggestion job that follows the import

    events = reviewer.evaluate("window.progressEvents")
    assert events, "the upload reported no progress"
    assert events[-1][0] == events[-1][1]
    article = Article.objects.get(project=newsroom)
    assert article.source == "hosted.ap.org"
    total = article.paragraphs.count()
    assert total > 20
    # The reviewer switches suggestions on for annotators.
    reviewer.goto(f"{live_server.url}/p/newsroom/suggestions/")
    reviewer.get_by_role("button", name="Show suggestions to annotators").click()
    reviewer.wait_for_selector("text=Annotators now see suggested labels.")

    annotator = new_page()
    log_in(annotator, live_server, "annie")
    annotator.get_by_role("link", name="Newsroom").click()
    annotator.get_by_role("button", name="Start labelling").click()
    annotator.wait_for_selector("#paragraphs > li.paragraph:focus")
    rows = annotator.locator("#paragraphs > li.paragraph")
    assert rows.count() == total
    assert annotator.locator("button[data-accept-suggestion]").count() == total

    # `a` accepts the first paragraph's suggestion; a label key overrides the second's.
    first_suggestion = (
        rows.nth(0)
        .locator("button[data-accept-suggestion]")
        .get_attribute("data-accept-suggestion")
    )
    annotator.keyboard.press("a")
    annotator.wait_for_selector(f"#paragraphs > li.paragraph.label-{first_suggestion}")
    annotator.wait_for_selector("#progress-count:text('1 / " + str(total) + " labelled')")
    second_suggestion = (
        rows.nth(1)
        .locator("button[data-accept-suggestion]")
        .get_attribute("data-accept-suggestion")
    )
    correction = "3" if second_suggestion != "quote" else "1"
    annotator.keyboard.press(correction)
    annotator.wait_for_selector("#progress-count:text('2 / " + str(total) + " labelled')")

    # Shift+A accepts every remaining suggestion in one POST.
    annotator.keyboard.press("Shift+A")
    annotator.wait_for_selector(f"#progress-count:text('{total} / {total} labelled')")
    annotator.wait_for_selector("text=suggestions.")
    assert annotator.locator("button[data-accept-suggestion]").count() == 0
    annotator.wait_for_selector("#submit-article:not([disabled])")
    annotator.keyboard.press("Enter")
    annotator.wait_for_selector("#nothing-left")

    assignment = Assignment.objects.get(annotator__username="annie")
    assert assignment.status == Assignment.Status.SUBMITTED
    annotations = Annotation.objects.filter(assignment=assignment).select_related("paragraph")
    assert annotations.count() == total
    by_index = {a.paragraph.index: a for a in annotations}
    assert by_index[0].from_suggestion is True
    assert by_index[0].label.value == first_suggestion
    assert by_index[1].from_suggestion is False
    assert by_index[1].label.value == ("quote" if correction == "3" else "body")
    assert annotations.filter(from_suggestion=True).count() == total - 1

    # The reviewer sees what annotators did with the suggestions.
    reviewer.goto(f"{live_server.url}/p/newsroom/suggestions/")
    accepted_cells = reviewer.locator("table.suggestion-accuracy tbody td:nth-child(7)")
    assert sum(int(text) for text in accepted_cells.all_inner_texts()) == total - 1
    assert "paragraphs with a gold label were suggested it" in reviewer.inner_text("main")


def test_an_upload_over_the_limit_is_refused_before_it_is_sent(
    live_server, page, settings, newsroom
):
    settings.MAX_UPLOAD_MB = 1
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/p/newsroom/upload/")
    page.evaluate(
        """() => {
          window.uploads = 0;
          document.body.addEventListener("htmx:beforeSend", () => { window.uploads += 1; });
        }"""
    )

    page.set_input_files("#id_files", str(CNN_PAGE))  # 1.4 MB
    page.get_by_role("button", name="Upload and import").click()

    page.wait_for_selector("#upload-error")
    assert "at most 1 MB can be uploaded at once" in page.inner_text("#upload-error")
    assert page.evaluate("window.uploads") == 0
    assert not Article.objects.exists()
