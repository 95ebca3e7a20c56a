"""The reviewers' progress page: articles by state, per-annotator work, flagged paragraphs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from labels import access, progress
from labels.views.http import HtmxHttpRequest


@login_required
@require_GET
def project_progress(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    context = {
        "project": project,
        "articles": progress.article_progress(project=project),
        "annotators": progress.annotator_stats(project=project),
        "flags": list(progress.flagged_paragraphs(project=project)),
        "flag_total": progress.flag_count(project=project),
    }
    return render(request, "labels/progress.html", context)
