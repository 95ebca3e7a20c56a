"""Reviewers download gold exports and their dataset cards from the project page."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from labels.datasets import card, export
from labels.jobs import webhooks
from labels.views.forms import ExportForm
from labels.views.http import HtmxHttpRequest
from labels.workflow import access


@login_required
@require_GET
def export_gold(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    options: export.ExportOptions = form.cleaned_data["options"]
    # The generator opens its own snapshot transaction as the response is sent, so the
    # download streams in constant memory whatever the size of the project.
    stats = export.ExportStats()
    file_name = f"{project.slug}-{options.file_name}"
    blocks = webhooks.export_finished(
        export.export_bytes(project=project, options=options, stats=stats),
        project=project,
        file_name=file_name,
        stats=stats,
    )
    response = StreamingHttpResponse(blocks, content_type=export.CONTENT_TYPES[options.fmt])
    return _as_download(response, file_name)


@login_required
@require_GET
def export_card(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    options: export.ExportOptions = form.cleaned_data["options"]
    stats = export.ExportStats()
    # The card's counts and SHA-256 come from producing the very export it describes.
    for _ in export.export_bytes(
        project=project, options=options, stats=stats, with_agreement=True
    ):
        pass
    file_name = f"{project.slug}-{options.file_name}"
    document = card.build_card(project=project, options=options, stats=stats, file_name=file_name)
    stem = file_name.rsplit(".", 1)[0]
    if request.GET.get("card") == "md":
        response = HttpResponse(
            card.card_markdown(document), content_type="text/markdown; charset=utf-8"
        )
        return _as_download(response, f"{stem}.card.md")
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    return _as_download(response, f"{stem}.card.json")


def _as_download(response: HttpResponse, file_name: str) -> HttpResponse:
    """Mark the response as a file to save, never cached (it holds project data)."""
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    patch_cache_control(response, private=True, no_store=True)
    return response
