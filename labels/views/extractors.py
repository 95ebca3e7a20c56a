"""The extractor leaderboard: how article extractors score against this project's gold."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from labels.datasets import extractor_scores
from labels.ingest import pages
from labels.views.http import HtmxHttpRequest
from labels.workflow import access


@login_required
@require_GET
def extractor_scores_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    context = {
        "project": project,
        "board": extractor_scores.leaderboard(project=project),
        "stored": pages.stored_pages(project=project),
        "cap_mib": pages.PAGE_CAP // (1024 * 1024),
    }
    return render(request, "labels/extractor_scores.html", context)
