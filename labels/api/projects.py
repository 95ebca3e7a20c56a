"""Project routes: projects, imports, jobs, articles, gold, annotations and agreement."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Query, Router, Schema, Status

from annotator.db_router import replica_reads
from labels.api.errors import ApiError
from labels.api.schemas import (
    ArticlePage,
    ErrorOut,
    JobOut,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
)
from labels.datasets import exchange_jobs, export, export_jobs
from labels.datasets.annotation_exchange import annotation_records
from labels.datasets.annotation_records import record_line
from labels.datasets.gold import DEFAULT_POLICY, GoldPolicy, InvalidPolicy
from labels.datasets.splits import DEFAULT_SPLIT, InvalidSplit, parse_split
from labels.ingest import import_jobs
from labels.jobs import webhooks
from labels.models import Article, Assignment, GoldLabel, Job, Paragraph, Project, ProjectEvent
from labels.review import reliability
from labels.workflow import access, activity_log, progress, projects

router = Router(tags=["projects"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut}
IMPORT_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
RAW_NAMES = {
    "application/x-ndjson": "upload.jsonl",
    "application/jsonl": "upload.jsonl",
    "application/json": "upload.jsonl",
    "text/plain": "upload.txt",
    "text/html": "upload.html",
    "application/zip": "upload.zip",
}


def user_of(request: HttpRequest) -> AbstractBaseUser:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def labels_out(project: Project) -> list[dict[str, str]]:
    """The project's label set in order, as LabelOut."""
    return [
        {"value": label.value, "name": label.name, "key": label.key, "colour": label.colour}
        for label in project.labels.order_by("order", "pk")
    ]


def project_out(project: Project) -> dict[str, Any]:
    return {
        "slug": project.slug,
        "name": project.name,
        "overlap": project.overlap,
        "show_suggestions": project.show_suggestions,
        "labels": labels_out(project),
    }


def job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "project": job.project.slug,
        "kind": job.kind,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total},
        "attempts": job.attempts,
        "result": job.result,
        "errors": job.errors,
        "failure": job.failure,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "url": reverse("api:job", kwargs={"job_id": job.pk}),
        "download": reverse("api:job_download", kwargs={"job_id": job.pk})
        if job.kind == Job.Kind.EXPORT and job.status == Job.Status.SUCCEEDED
        else None,
    }


@router.get("/projects/", response={200: list[ProjectOut], 401: ErrorOut}, url_name="projects")
def list_projects(request: HttpRequest) -> list[dict[str, Any]]:
    """The projects the token's user is a member of (staff: every project)."""
    visible = access.visible_projects(user_of(request)).prefetch_related("labels")
    return [project_out(project) for project in visible.order_by("slug")]


@router.post("/projects/", response={201: ProjectOut, **ERRORS})
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    """Create a project with its label set (staff only, as in the admin)."""
    if not user_of(request).is_staff:
        raise ApiError(403, "only staff users create projects")
    try:
        project = projects.create_project(
            slug=payload.slug,
            name=payload.name,
            labels=payload.labels,
            overlap=payload.overlap,
            actor=user_of(request),
            via=ProjectEvent.Via.API,
        )
    except projects.InvalidLabelSet as exc:
        raise ApiError(400, "invalid project", [f"labels: {exc}"]) from None
    except IntegrityError:
        raise ApiError(400, "invalid project", [f"slug: {payload.slug!r} is taken"]) from None
    return Status(201, project_out(project))


@router.get("/projects/{slug}/", response={200: ProjectDetailOut, **ERRORS}, url_name="project")
def get_project(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One project with its articles counted by status."""
    project = access.project_for_member(user_of(request), slug)
    counts = progress.article_progress(project=project)
    return {
        **project_out(project),
        "articles": {
            "total": counts.total,
            "complete": counts.complete,
            "in_progress": counts.in_progress,
            "untouched": counts.untouched,
            "awaiting_suggestions": Article.objects.filter(
                project=project, suggestions_ready=False
            ).count(),
        },
        "paragraphs": Paragraph.objects.filter(article__project=project).count(),
        "gold_paragraphs": GoldLabel.objects.filter(paragraph__article__project=project).count(),
    }


def uploaded_files(request: HttpRequest, name: str | None) -> list[tuple[str, bytes]]:
    """The files of a multipart body (field ``files``), or the raw body as one file."""
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise ApiError(
            413,
            "request too large",
            [f"body: {size} bytes; at most {settings.MAX_UPLOAD_MB} MB per request"],
        )
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        files = request.FILES.getlist("files") or request.FILES.getlist("file")
        if not files:
            raise ApiError(400, "no files", ["files: send one or more files in the 'files' field"])
        return [(f.name or "upload", f.read()) for f in files]
    # request.read(), not request.body: the raw body may exceed DATA_UPLOAD_MAX_MEMORY_SIZE,
    # which only limits form data; MAX_UPLOAD_MB above is the limit that applies.
    data = request.read()
    if not data:
        raise ApiError(400, "empty body", ["body: send a file as the body or as multipart"])
    file_name = name or RAW_NAMES.get(content_type)
    if not file_name:
        raise ApiError(
            400,
            "unknown file type",
            [f"name: give ?name=FILE.jsonl|.txt|.html|.zip for a {content_type!r} body"],
        )
    return [(file_name, data)]


class ImportQuery(Schema):
    name: str | None = None
    format: str = "auto"


@router.post(
    "/projects/{slug}/imports/",
    response={202: JobOut, **ERRORS},
    openapi_extra=IMPORT_BODY,
    url_name="imports",
)
def create_import(request: HttpRequest, slug: str, query: Query[ImportQuery]) -> Status:
    """Import articles (txt, JSONL, HTML, zip) as a background job; answers 202 with the job."""
    project = access.project_for_reviewer(user_of(request), slug)
    if query.format not in import_jobs.importing.FORMATS:
        raise ApiError(
            400,
            "invalid request",
            [f"format: must be one of {', '.join(import_jobs.importing.FORMATS)}"],
        )
    files = uploaded_files(request, query.name)
    job = import_jobs.start_import(
        project=project, files=files, user=user_of(request), fmt=query.format
    )
    return Status(202, job_out(job))


@router.get("/jobs/{job_id}/", response={200: JobOut, **ERRORS}, url_name="job")
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """A job's status, progress (done / total), result summary and FILE:LINE errors."""
    return job_out(visible_job(user_of(request), job_id))


def visible_job(user: AbstractBaseUser, job_id: int) -> Job:
    """The job if the user reviews its project or started it (and is still a member); else 404."""
    job = (
        Job.objects.select_related("project")
        .filter(pk=job_id, project__in=access.visible_projects(user))
        .first()
    )
    if job is None or not (job.created_by_id == user.pk or access.is_reviewer(user, job.project)):
        raise ApiError(404, "not found", [f"no job {job_id}"])
    return job


class ArticleFilters(Schema):
    cursor: str | None = None
    limit: int = 100
    status: str | None = None
    source: str | None = None
    q: str | None = None
    suggestions_ready: bool | None = None


ARTICLE_STATUSES = ("untouched", "in_progress", "complete")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid request", ["cursor: not a cursor this API gave"]) from None


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


@router.get("/projects/{slug}/articles/", response={200: ArticlePage, **ERRORS})
def list_articles(
    request: HttpRequest, slug: str, filters: Query[ArticleFilters]
) -> dict[str, Any]:
    """Articles in import order, a page at a time (cursor), with their labelling status."""
    project = access.project_for_reviewer(user_of(request), slug)
    if not 1 <= filters.limit <= 1000:
        raise ApiError(400, "invalid request", ["limit: between 1 and 1000"])
    if filters.status is not None and filters.status not in ARTICLE_STATUSES:
        raise ApiError(400, "invalid request", [f"status: one of {', '.join(ARTICLE_STATUSES)}"])
    articles = (
        Article.objects.filter(project=project, pk__gt=decode_cursor(filters.cursor))
        .annotate(
            submitted=Count(
                "assignments",
                filter=Q(assignments__status=Assignment.Status.SUBMITTED),
                distinct=True,
            ),
            live=Count(
                "assignments", filter=Q(assignments__status__in=Assignment.LIVE), distinct=True
            ),
            paragraph_count=Count("paragraphs", distinct=True),
            gold_count=Count("paragraphs__gold", distinct=True),
        )
        .order_by("pk")
    )
    if filters.source:
        articles = articles.filter(source=filters.source)
    if filters.q:
        articles = articles.filter(
            Q(external_id__icontains=filters.q) | Q(title__icontains=filters.q)
        )
    if filters.suggestions_ready is not None:
        articles = articles.filter(suggestions_ready=filters.suggestions_ready)
    if filters.status == "complete":
        articles = articles.filter(submitted__gte=project.overlap)
    elif filters.status == "in_progress":
        articles = articles.filter(live__gt=0, submitted__lt=project.overlap)
    elif filters.status == "untouched":
        articles = articles.filter(live=0)
    page = list(articles[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    next_cursor = encode_cursor(page[-1].pk) if more else None
    results = []
    for article in page:
        if article.submitted >= project.overlap:
            status = "complete"
        elif article.live:
            status = "in_progress"
        else:
            status = "untouched"
        results.append(
            {
                "id": article.pk,
                "external_id": article.external_id,
                "title": article.title,
                "url": article.url,
                "source": article.source,
                "imported_at": article.imported_at,
                "paragraphs": article.paragraph_count,
                "submitted": article.submitted,
                "in_progress": article.live - article.submitted,
                "gold_paragraphs": article.gold_count,
                "suggestions_ready": article.suggestions_ready,
                "status": status,
            }
        )
    next_url = None
    if next_cursor:
        params = request.GET.copy()
        params["cursor"] = next_cursor
        next_url = f"{request.path}?{params.urlencode()}"
    return {"results": results, "next_cursor": next_cursor, "next": next_url}


class GoldQuery(Schema):
    format: str = "jsonl"
    unit: str = "paragraph"
    min_annotations: int = DEFAULT_POLICY.min_annotations
    min_agreement: float = DEFAULT_POLICY.min_agreement
    include_unresolved: bool = False
    split: str = DEFAULT_SPLIT.spec()
    anonymize: bool = False


def export_options(query: GoldQuery) -> export.ExportOptions:
    """The export options of a gold request; 400 naming the option at fault."""
    try:
        return export.ExportOptions(
            fmt=query.format,
            unit=query.unit,
            policy=GoldPolicy(
                min_annotations=query.min_annotations, min_agreement=query.min_agreement
            ),
            include_unresolved=query.include_unresolved,
            split=parse_split(query.split),
            anonymize=query.anonymize,
        )
    except (InvalidPolicy, InvalidSplit, export.InvalidOptions) as exc:
        raise ApiError(400, "invalid export options", [f"{exc.field}: {exc.reason}"]) from None


def as_download(response: HttpResponse, file_name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@router.get("/projects/{slug}/gold/", response={200: None, **ERRORS}, url_name="gold")
def download_gold(request: HttpRequest, slug: str, query: Query[GoldQuery]) -> HttpResponse:
    """The gold export, streamed: the same options and bytes as ``manage.py export_gold``."""
    project = access.project_for_reviewer(user_of(request), slug)
    options = export_options(query)
    stats = export.ExportStats()
    file_name = f"{project.slug}-{options.file_name}"
    activity_log.record(
        project=project,
        actor=user_of(request),
        action="exported",
        detail=options.file_name,
        via=ProjectEvent.Via.API,
    )
    blocks = webhooks.export_finished(
        export.export_bytes(project=project, options=options, stats=stats),
        project=project,
        file_name=file_name,
        stats=stats,
    )
    response = StreamingHttpResponse(blocks, content_type=export.CONTENT_TYPES[options.fmt])
    return as_download(response, file_name)


@router.post("/projects/{slug}/exports/", response={202: JobOut, **ERRORS}, url_name="exports")
def create_export(request: HttpRequest, slug: str, query: Query[GoldQuery]) -> Status:
    """Write the gold export to a file in the background (for large projects); 202 with a job.

    When the job has succeeded, ``GET /api/v1/jobs/{id}/download/`` sends the file.
    """
    project = access.project_for_reviewer(user_of(request), slug)
    job = export_jobs.start_export(
        project=project, options=export_options(query), user=user_of(request)
    )
    return Status(202, job_out(job))


@router.get("/jobs/{job_id}/download/", response={200: None, **ERRORS}, url_name="job_download")
def download_job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    """The file an export job wrote (404 until it has succeeded)."""
    job = visible_job(user_of(request), job_id)
    path = export_jobs.export_path(job)
    if path is None:
        raise ApiError(404, "not found", [f"job {job_id} has no export file (yet)"])
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    patch_cache_control(response, private=True, no_store=True)
    return response


def annotation_lines(project: Project) -> Iterator[bytes]:
    """Every annotation of submitted work as JSONL, read in one snapshot (as the command)."""
    with replica_reads() as alias, export.snapshot(using=alias):
        for record in annotation_records(project=project):
            yield record_line(record).encode("utf-8")


@router.get("/projects/{slug}/annotations/", response={200: None, **ERRORS})
def download_annotations(request: HttpRequest, slug: str) -> HttpResponse:
    """Every annotation of submitted work, streamed as JSONL (``export_annotations``'s bytes)."""
    project = access.project_for_reviewer(user_of(request), slug)
    activity_log.record(
        project=project,
        actor=user_of(request),
        action="annotations exported",
        via=ProjectEvent.Via.API,
    )
    response = StreamingHttpResponse(
        annotation_lines(project), content_type="application/x-ndjson; charset=utf-8"
    )
    return as_download(response, f"{project.slug}-annotations.jsonl")


@router.post(
    "/projects/{slug}/annotations/",
    response={202: JobOut, **ERRORS},
    openapi_extra=IMPORT_BODY,
    url_name="annotations",
)
def import_annotations(request: HttpRequest, slug: str, name: str | None = None) -> Status:
    """Import annotation JSONL (``import_annotations``'s format) as a job; answers 202."""
    project = access.project_for_reviewer(user_of(request), slug)
    files = uploaded_files(request, name or "annotations.jsonl")
    if len(files) != 1:
        raise ApiError(400, "one file at a time", ["files: send exactly one annotation file"])
    [(file_name, data)] = files
    job = exchange_jobs.start_annotation_import(
        project=project, data=data, name=file_name, user=user_of(request)
    )
    return Status(202, job_out(job))


@router.get("/projects/{slug}/agreement/", response={200: None, **ERRORS})
def get_agreement(
    request: HttpRequest, slug: str, resamples: int = 1000, seed: int = 0
) -> HttpResponse:
    """The project's agreement report: the same object as ``manage.py agreement --json``."""
    project = access.project_for_reviewer(user_of(request), slug)
    if not 0 <= resamples <= 10000:
        raise ApiError(400, "invalid request", ["resamples: between 0 and 10000"])
    with replica_reads():
        report = reliability.project_agreement(project=project, resamples=resamples, seed=seed)
    text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
    return HttpResponse(text, content_type="application/json; charset=utf-8")
