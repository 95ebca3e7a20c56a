"""The upload page: who may use it, the size and count limits, per-file results, escaping."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from labels.models import Article, Paragraph
from tests.background import run_queued_jobs
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "html"
VERGE = CORPUS / "785affa2c34e6e4844ef080e98e1a1e532eeeb671bdacebfb9e98ad7320ff382.html"
EVIL = (
    b"<html><head><title>Evil</title><script>alert('head')</script></head><body>"
    b"<p onclick=\"alert('click')\">Click <a href=\"javascript:alert('link')\">here</a> now.</p>"
    b"<p>&lt;script&gt;alert('escaped')&lt;/script&gt; written as text.</p>"
    b"<img src=x onerror=\"alert('img')\"><script>alert('body')</script></body></html>"
)


def upload_url(project) -> str:
    return reverse("labels:upload", args=[project.slug])


def upload(client: Client, project, *files: SimpleUploadedFile, **headers: str):
    return client.post(upload_url(project), {"files": list(files)}, headers=headers)


def test_the_upload_page_needs_login(client, project):
    response = client.get(upload_url(project))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = upload(client, project, SimpleUploadedFile("a.txt", b"A"))
    assert response.status_code == 302
    assert not Article.objects.exists()


def test_annotators_and_non_members_get_404_and_import_nothing(annotator_client, project):
    stranger = Client()
    stranger.force_login(UserFactory())

    for client in (annotator_client, stranger):
        assert client.get(upload_url(project)).status_code == 404
        response = upload(client, project, SimpleUploadedFile("a.txt", b"Title\n\nText"))
        assert response.status_code == 404
    assert not Article.objects.exists()


def test_a_reviewer_of_another_project_gets_404(project):
    other = MembershipFactory(project=ProjectFactory(), reviewer=True)
    client = Client()
    client.force_login(other.user)

    assert client.get(upload_url(project)).status_code == 404


def test_the_page_states_the_limits_and_loads_its_script(reviewer_client, project, settings):
    settings.MAX_UPLOAD_MB = 7

    response = reviewer_client.get(upload_url(project))

    assert response.status_code == 200
    assert "up to 7 MB" in response.text
    assert 'data-max-bytes="7340032"' in response.text
    assert 'hx-encoding="multipart/form-data"' in response.text
    assert "labels/upload.js" in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_the_project_page_links_reviewers_to_upload(reviewer_client, annotator_client, project):
    link = f'href="{upload_url(project)}"'

    assert link in reviewer_client.get(reverse("labels:project", args=[project.slug])).text
    assert link not in annotator_client.get(reverse("labels:project", args=[project.slug])).text


def test_uploading_several_files_imports_each_and_shows_the_per_file_summary(
    reviewer_client, project
):
    response = upload(
        reviewer_client,
        project,
        SimpleUploadedFile("verge.html", VERGE.read_bytes(), content_type="text/html"),
        SimpleUploadedFile("notes.txt", b"Title\n\nA paragraph."),
        SimpleUploadedFile("bad.jsonl", b'{"id": "x"}\n'),
        SimpleUploadedFile("image.png", b"\x89PNG"),
    )

    assert response.status_code == 200
    assert "4 file(s), 2 article(s) imported" in response.text
    assert "2 file(s) with errors" in response.text
    assert 'bad.jsonl:1: needs exactly one of "text" or "paragraphs"' in response.text.replace(
        "&quot;", '"'
    )
    assert "image.png: unknown format &#x27;.png&#x27;" in response.text
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["notes", "verge"]
    verge = Article.objects.get(external_id="verge")
    assert verge.source == "www.theverge.com"
    run_queued_jobs()  # suggestions follow the import as a background job
    assert verge.paragraphs.filter(suggested_label="").count() == 0


def test_a_zip_upload_reports_every_member(reviewer_client, project):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("saved/page.html", VERGE.read_bytes())
        archive.writestr("saved/page_files/style.css", b"p{}")
        archive.writestr("../escape.txt", b"Evil")

    response = upload(reviewer_client, project, SimpleUploadedFile("pages.zip", buffer.getvalue()))

    assert response.status_code == 200
    assert "pages.zip:saved/page.html" in response.text
    assert "skipped: unsupported file type &#x27;.css&#x27;" in response.text
    assert "pages.zip:../escape.txt: unsafe member name (path traversal)" in response.text
    assert list(Article.objects.values_list("external_id", flat=True)) == ["page"]


def test_an_htmx_upload_returns_only_the_result_fragment(reviewer_client, project):
    response = upload(
        reviewer_client,
        project,
        SimpleUploadedFile("notes.txt", b"Title\n\nText"),
        **{"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="upload-result"')
    assert "<html" not in response.text
    assert "1 article(s) imported" in response.text


def test_an_upload_over_the_limit_is_refused_with_a_clear_message_and_imports_nothing(
    reviewer_client, project, settings
):
    settings.MAX_UPLOAD_MB = 1
    big = b"Title\n\n" + b"word " * (300 * 1024)  # 1.5 MB

    response = upload(reviewer_client, project, SimpleUploadedFile("big.txt", big))

    assert response.status_code == 413
    assert "at most 1 MB can be uploaded at once" in response.text
    assert "The upload is 1.5 MB" in response.text
    assert not Article.objects.exists()


def test_too_many_files_is_refused_with_a_clear_message(reviewer_client, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"{n}.txt", b"T\n\nx") for n in range(3)]

    response = upload(reviewer_client, project, *files)

    assert response.status_code == 400
    assert "Too many files in one upload (at most 2); put them in a zip archive." in response.text
    assert not Article.objects.exists()


def test_posting_no_file_says_so(reviewer_client, project):
    response = reviewer_client.post(upload_url(project), {})

    assert response.status_code == 400
    assert "Choose at least one file to upload." in response.text


def test_csrf_is_enforced(project):
    reviewer = MembershipFactory(project=project, reviewer=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer.user)

    refused = upload(client, project, SimpleUploadedFile("a.txt", b"Title\n\nText"))
    assert refused.status_code == 403
    assert not Article.objects.exists()

    token = client.get(upload_url(project)).cookies["csrftoken"].value
    accepted = upload(
        client, project, SimpleUploadedFile("a.txt", b"Title\n\nText"), **{"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    assert Article.objects.count() == 1


def test_file_names_are_escaped_in_the_summary(reviewer_client, project):
    name = "<img src=x onerror=alert(1)>.txt"

    response = upload(reviewer_client, project, SimpleUploadedFile(name, b"Title\n\nText"))

    assert response.status_code == 200
    assert "<img src=x onerror" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in response.text


def test_uploaded_html_is_stored_as_inert_text_and_rendered_escaped(
    reviewer_client, project, make_assignment
):
    upload(reviewer_client, project, SimpleUploadedFile("evil.html", EVIL))

    texts = list(Paragraph.objects.order_by("index").values_list("text", flat=True))
    assert texts == [
        "Click here now.",
        "<script>alert('escaped')</script> written as text.",
    ]
    # Label it as an annotator and look at the page: the literal text is escaped markup.
    annotator = MembershipFactory(project=project).user
    client = Client()
    client.force_login(annotator)
    response = client.post(reverse("labels:start", args=[project.slug]), follow=True)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;escaped&#x27;)&lt;/script&gt; written as text." in (
        response.text
    )
    for payload in ("alert('head')", "alert('body')", "alert('img')", "javascript:", "onclick"):
        assert payload not in response.text


def test_nothing_serves_the_uploaded_files(reviewer_client, project):
    upload(reviewer_client, project, SimpleUploadedFile("page.html", EVIL))

    for path in ("/media/page.html", "/static/page.html", "/page.html", "/uploads/page.html"):
        assert reviewer_client.get(path).status_code == 404
