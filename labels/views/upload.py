"""The reviewer's import screen: upload txt, jsonl, html and zip files into a project.

The upload is parsed into paragraphs and stored as text; the files themselves are never
saved, served or run. Django keeps a large upload in a temporary file only for the length
of the request, and the importer streams it from there (line by line for JSONL, member by
member for a zip), so a worker never holds several copies of an upload in memory.
"""

from __future__ import annotations

from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from labels.ingest import import_jobs, importing
from labels.jobs import workers
from labels.models import Job, Project
from labels.views.forms import UploadForm
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, activity_log

ACCEPTED_SUFFIXES = ".txt,.jsonl,.ndjson,.html,.htm,.zip"


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


# CSRF is checked, but after the size check: Django's CSRF middleware reads the whole
# multipart body to look for the token, so a 5 GB upload would be received in full before
# being refused. This is the pattern Django documents for upload handlers: exempt the outer
# view, protect the inner one.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    if request.method == "POST":
        size = _content_length(request)
        if size > max_upload_bytes():
            return _render(
                request,
                project,
                form=UploadForm(),
                error=(
                    f"The upload is {size / 1024 / 1024:.1f} MB; at most "
                    f"{settings.MAX_UPLOAD_MB} MB can be uploaded at once. Upload fewer "
                    f"files at a time, or import large sets with `manage.py import_articles`."
                ),
                status=413,
            )
    return _upload(request, project)


@csrf_protect
def _upload(request: HtmxHttpRequest, project: Project) -> HttpResponse:
    if request.method != "POST":
        return _render(request, project, form=UploadForm())
    try:
        form = UploadForm(request.POST, request.FILES)
        valid = form.is_valid()
    except (TooManyFilesSent, RequestDataTooBig):
        return _render(
            request,
            project,
            form=UploadForm(),
            error=(
                f"Too many files in one upload (at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}); "
                "put them in a zip archive."
            ),
            status=400,
        )
    if not valid:
        return _render(request, project, form=form, status=400)
    uploads = form.cleaned_data["files"]
    if sum(f.size for f in uploads) > settings.BACKGROUND_UPLOAD_MB * 1024 * 1024:
        # Large: stored and imported by the worker; the page polls the job's progress.
        job = import_jobs.start_import(
            project=project, files=((f.name, _opened(f)) for f in uploads), user=request.user
        )
        return _render(request, project, form=UploadForm(), job=job, status=202)
    summary = importing.import_named_files(
        project=project,
        files=((f.name, _opened(f)) for f in uploads),
        suggest=not form.cleaned_data["defer_suggestions"],
    )
    activity_log.record(
        project=project, actor=request.user, action="imported", detail=summary.describe()
    )
    return _render(request, project, form=UploadForm(), summary=summary)


def _render(
    request: HtmxHttpRequest,
    project: Project,
    *,
    form: UploadForm,
    summary: importing.ImportSummary | None = None,
    job: Job | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "project": project,
        "form": form,
        "summary": summary,
        "job": job,
        "worker": workers.worker_state() if job is not None else None,
        "background_mb": settings.BACKGROUND_UPLOAD_MB,
        "error": error,
        "max_upload_mb": settings.MAX_UPLOAD_MB,
        "max_upload_bytes": max_upload_bytes(),
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "accepted": ACCEPTED_SUFFIXES,
    }
    template = "labels/upload.html" + ("#upload-result" if request.htmx else "")
    return render(request, template, context, status=status)


def _opened(upload: UploadedFile) -> BinaryIO:
    """The uploaded file itself (in memory if small, else Django's temporary file), rewound."""
    upload.seek(0)
    return upload.file


def _content_length(request: HtmxHttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
