"""The reviewers' progress page: articles by state, per-annotator work, flagged paragraphs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotator.db_router import replica_reads
from labels.review import controls
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, progress


@login_required
@require_GET
def project_progress(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    # Counts over the whole project, read on the replica when there is one (they may lag the
    # primary by a moment); the lists are read here, inside the block, not in the template.
    with replica_reads():
        context = {
            "project": project,
            "articles": progress.article_progress(project=project),
            "annotators": progress.annotator_stats(project=project),
            "flags": list(progress.flagged_paragraphs(project=project)),
            "flag_total": progress.flag_count(project=project),
            "controls": controls.control_scores(project=project),
        }
    return render(request, "labels/progress.html", context)
