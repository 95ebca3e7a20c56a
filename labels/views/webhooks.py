"""The project's Webhooks page: reviewers register URLs for events and read the delivery log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from labels.jobs import webhooks
from labels.models import Project, Webhook, WebhookDelivery
from labels.views.http import HtmxHttpRequest
from labels.workflow import access

DELIVERIES_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    error, status = None, 200
    if request.method == "POST":
        try:
            webhooks.add_webhook(
                project=project,
                url=request.POST.get("url", "").strip(),
                events=request.POST.getlist("events"),
                user=request.user,
            )
            return redirect("labels:webhooks", slug=project.slug)
        except webhooks.RefusedTarget as exc:
            error, status = str(exc), 400
    return _render(request, project, error=error, status=status)


@login_required
@require_POST
def delete_webhook(request: HtmxHttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    # Idempotent: deleting a webhook that is already gone just shows the page again.
    Webhook.objects.filter(project=project, pk=webhook_id).delete()
    return redirect("labels:webhooks", slug=project.slug)


def _render(
    request: HtmxHttpRequest, project: Project, *, error: str | None, status: int
) -> HttpResponse:
    context = {
        "project": project,
        "hooks": list(Webhook.objects.filter(project=project).order_by("pk")),
        "deliveries": list(
            WebhookDelivery.objects.filter(webhook__project=project)
            .select_related("webhook")
            .order_by("-pk")[:DELIVERIES_SHOWN]
        ),
        "events": webhooks.EVENTS,
        "chosen": request.POST.getlist("events") if request.method == "POST" else webhooks.EVENTS,
        "url": request.POST.get("url", "") if request.method == "POST" else "",
        "error": error,
        "signature_header": webhooks.SIGNATURE_HEADER,
    }
    return render(request, "labels/webhooks.html", context, status=status)
