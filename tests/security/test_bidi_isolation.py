"""Right-to-left override (U+202E) in every user-supplied text cannot reorder the interface.

The world and the in-page check live here; tests/e2e/test_bidi_isolation_browser.py runs the
check in Chromium on every page (the browser fixture is the e2e suite's).

Every title, id, URL, source, paragraph, note and user name below starts with U+202E and
never closes it. In Chromium, on every page a user of the world can open (and on the flash
message after an adjudication), each text holding the override must be isolated: inside an
element whose computed ``unicode-bidi`` isolates (``<bdi>``, ``dir=…``), between FSI and PDI
(the page title, messages), or alone in its block so no interface text shares its
paragraph. An unisolated override reverses the interface text after it.
"""

from __future__ import annotations

import pytest

from labels.models import ApiToken, Flag, GoldLabel, Job, Label, Webhook
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
)
from tests.security.test_authorization_matrix import World

RLO = "\u202e"
PASSWORD = "pw-for-the-browser-1"
# Pages whose templates are owned by the import work (file names there come from the importer).
NOT_HERE = {"labels:upload"}

FIND_UNISOLATED = """
() => {
  const RLO = "\\u202e", FSI = "\\u2068", PDI = "\\u2069";
  const between = (text, i) => {
    const before = text.slice(0, i);
    return before.split(FSI).length > before.split(PDI).length && text.indexOf(PDI, i) > -1;
  };
  const isolates = (el) =>
    ["isolate", "isolate-override", "plaintext"].includes(getComputedStyle(el).unicodeBidi);
  const isBlock = (el) => {
    const display = getComputedStyle(el).display;
    return !display.startsWith("inline") && display !== "contents";
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue;
    const at = text.indexOf(RLO);
    if (at < 0 || between(text, at)) continue;
    let el = node.parentElement;
    let ok = false;
    while (el) {
      if (isolates(el)) { ok = true; break; }
      if (isBlock(el)) break;
      el = el.parentElement;
    }
    if (ok || (el && el.textContent.trim() === text.trim())) continue;
    found.push((el || node.parentElement).outerHTML.slice(0, 240));
  }
  const title = document.title;
  if (title.includes(RLO) && !between(title, title.indexOf(RLO))) found.push("<title>" + title);
  return found;
}
"""


def hostile(field: str) -> str:
    return f"{RLO}{field}-evil"


@pytest.fixture
def rtl_world(transactional_db: None, settings, tmp_path) -> World:
    """A project in which every user-supplied text opens a right-to-left override."""
    project = ProjectFactory(name=hostile("project"), show_suggestions=True)
    articles = [
        ArticleFactory(
            project=project,
            external_id=hostile(f"id{n}"),
            title=hostile(f"title{n}"),
            url=f"https://news.example.org/{RLO}path{n}",
            source=hostile("source"),
            open_slots=0,
        )
        for n in range(2)
    ]
    paragraphs = [
        [
            ParagraphFactory(article=article, index=i, text=hostile(f"paragraph{i}"))
            for i in range(3)
        ]
        for article in articles
    ]
    owner = MembershipFactory(project=project, user=UserFactory(username=hostile("owner"))).user
    other = MembershipFactory(project=project, user=UserFactory(username=hostile("other"))).user
    reviewer = MembershipFactory(
        project=project, reviewer=True, user=UserFactory(username=hostile("reviewer"))
    ).user
    assignment = AssignmentFactory(article=articles[0], annotator=owner)
    labels = {label.value: label for label in Label.objects.filter(project=project)}
    for article, rows in zip(articles, paragraphs, strict=True):
        for user, value in ((other, "body"), (reviewer, "quote")):
            done = (
                assignment
                if (user, article) == (owner, articles[0])
                else AssignmentFactory(article=article, annotator=user, submitted=True)
            )
            for paragraph in rows:
                AnnotationFactory(assignment=done, paragraph=paragraph, label=labels[value])
    AnnotationFactory(assignment=assignment, paragraph=paragraphs[0][0], label=labels["body"])
    Flag.objects.create(assignment=assignment, paragraph=paragraphs[0][0], note=hostile("note"))
    other_assignment = other.assignments.get(article=articles[0])
    flag = Flag.objects.create(
        assignment=other_assignment, paragraph=paragraphs[0][1], note=hostile("note2")
    )
    # The pages of the API tokens, jobs and webhooks show user text too.
    settings.EXPORT_DIR = str(tmp_path)
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.EXPORT,
        status=Job.Status.SUCCEEDED,
        errors=[hostile("error")],
        result={"file": "gold.jsonl", "bytes": 3, "summary": hostile("summary")},
    )
    (tmp_path / f"job-{job.pk}").mkdir()
    (tmp_path / f"job-{job.pk}" / "gold.jsonl").write_text("{}\n")
    token = ApiToken.objects.create(user=owner, name=hostile("token"), prefix="p", digest="d")
    hook = Webhook.objects.create(project=project, url="https://hooks.example.org/", secret="s")
    GoldLabel.objects.create(
        paragraph=paragraphs[1][2],
        label=labels["quote"],
        source=GoldLabel.Source.ADJUDICATED,
        decided_by=reviewer,
        note=hostile("gold-note"),
    )
    for user in (owner, other, reviewer):
        user.set_password(PASSWORD)
        user.save()
    return World(
        users={
            "owner": owner,
            "other_annotator": other,
            "reviewer": reviewer,
            "staff": UserFactory(is_staff=True),
        },
        kwargs={
            "slug": project.slug,
            "assignment_id": assignment.pk,
            "paragraph_id": paragraphs[0][1].pk,
            "article_id": articles[0].pk,
            "flag_id": flag.pk,
            "user_id": other.pk,
            "job_id": job.pk,
            "token_id": token.pk,
            "webhook_id": hook.pk,
        },
        payload={},
    )


def test_the_filters_isolate_plain_text_and_escape_html():
    from labels.templatetags.bidi import bdi, isolate

    assert bdi(f"{RLO}<b>") == f"<bdi>{RLO}&lt;b&gt;</bdi>"
    assert isolate(f"{RLO}x") == f"\u2068{RLO}x\u2069"
