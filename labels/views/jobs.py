"""The project's Jobs page: background work with htmx-polled progress bars, and retries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from labels.datasets import export_jobs
from labels.jobs import records, workers
from labels.models import Job, Project
from labels.views.forms import ExportForm
from labels.views.http import HtmxHttpRequest
from labels.workflow import access

JOBS_SHOWN = 50


def job_for_reviewer(request: HtmxHttpRequest, slug: str, job_id: int) -> tuple[Project, Job]:
    """The project's job if the user reviews the project, else 404."""
    project = access.project_for_reviewer(request.user, slug)
    job = Job.objects.filter(project=project, pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    return project, job


@login_required
@require_GET
def job_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    jobs = list(Job.objects.filter(project=project).order_by("-pk")[:JOBS_SHOWN])
    context = {
        "project": project,
        "jobs": jobs,
        "worker": workers.worker_state(),
        "export_form": ExportForm(),
    }
    return render(request, "labels/jobs.html", context)


@login_required
@require_POST
def start_export(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    export_jobs.start_export(
        project=project, options=form.cleaned_data["options"], user=request.user
    )
    return redirect("labels:jobs", slug=project.slug)


@login_required
@require_GET
def download_export(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    _, job = job_for_reviewer(request, slug, job_id)
    path = export_jobs.export_path(job)
    if path is None:
        raise Http404("This job has no export file.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def job_detail(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    project, job = job_for_reviewer(request, slug, job_id)
    context = {"project": project, "job": job, "worker": workers.worker_state()}
    template = "labels/_job.html" if request.htmx else "labels/job.html"
    return render(request, template, context)


@login_required
@require_POST
def retry_job(request: HtmxHttpRequest, slug: str, job_id: int) -> HttpResponse:
    project, job = job_for_reviewer(request, slug, job_id)
    try:
        job = records.retry_job(job=job)
    except records.JobNotRetryable as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain")
    if not request.htmx:
        return redirect("labels:jobs", slug=project.slug)
    context = {"project": project, "job": job, "worker": workers.worker_state()}
    return render(request, "labels/_job.html", context)
