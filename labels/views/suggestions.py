"""Suggested labels: the annotator accepts them; the reviewer measures them and applies site
memory. Annotators only ever meet suggestions when the project shows them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from labels.jobs import webhooks
from labels.models import Assignment
from labels.review import honesty
from labels.suggestions import preannotation, site_memory, visibility
from labels.templatetags.bidi import isolate
from labels.views.annotate import closed_response, paragraph_update, paragraphs_update
from labels.views.forms import ActiveTimeForm, ShowSuggestionsForm, SiteMemoryForm
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, activity_log, annotating

RECURRING_SHOWN = 100
MODELS_SHOWN = 10


@login_required
@require_POST
def accept_suggestion(request: HtmxHttpRequest, paragraph_id: int) -> HttpResponse:
    own = access.paragraph_for_annotator(request.user, paragraph_id)
    _require_shown(own.assignment)
    try:
        saved = preannotation.accept_suggestion(
            assignment=own.assignment,
            paragraph=own.paragraph,
            labels=own.labels,
            active_seconds=ActiveTimeForm(request.POST).seconds(),
        )
    except preannotation.NoSuggestion as exc:
        return HttpResponseBadRequest(str(exc))
    except annotating.AssignmentClosed as exc:
        return closed_response(exc)
    if not request.htmx:
        return redirect(
            reverse("labels:annotate", args=[own.assignment.pk]) + f"#p{own.paragraph.pk}"
        )
    return paragraph_update(request, own, saved)


@login_required
@require_POST
def accept_all_suggestions(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    _require_shown(assignment)
    labels = list(assignment.article.project.labels.all())
    try:
        accepted = preannotation.accept_remaining_suggestion_ids(
            assignment=assignment,
            labels=labels,
            active_seconds=ActiveTimeForm(request.POST).seconds(),
        )
    except annotating.AssignmentClosed as exc:
        return closed_response(exc)
    count = f"{len(accepted)} suggestion{'s' if len(accepted) != 1 else ''}"
    if not request.htmx:
        messages.success(request, f"Accepted {count}.")
        return redirect("labels:annotate", assignment_id=assignment.pk)
    # Like every other key: only the changed rows and the progress box come back, focus stays.
    response = paragraphs_update(request, assignment, labels, accepted)
    undo = " Press u to undo them." if len(accepted) > 1 else ""
    return trigger_client_event(
        response, "annotate:announce", {"message": f"Accepted {count}.{undo}"}
    )


@login_required
@require_GET
def suggestion_report(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    report = honesty.honesty_report(project=project)
    context = {
        "project": project,
        "report": preannotation.suggestion_report(project=project),
        "honesty": report,
        "honesty_groups": [
            ("with a suggestion shown", report.with_suggestion, "honesty-with"),
            ("without a suggestion", report.without_suggestion, "honesty-without"),
        ],
        "models": list(project.models.defer("blob")[:MODELS_SHOWN]),
    }
    return render(request, "labels/suggestions.html", context)


@login_required
@require_POST
def set_show_suggestions(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ShowSuggestionsForm(request.POST)
    form.is_valid()  # a missing box is "off"; nothing else can be invalid
    show = bool(form.cleaned_data.get("show_suggestions"))
    visibility.set_show_suggestions(project=project, show=show)
    activity_log.record(
        project=project,
        actor=request.user,
        action="settings changed",
        detail=f"show_suggestions {'on' if show else 'off'}",
    )
    messages.success(
        request, f"Annotators {'now see' if show else 'no longer see'} suggested labels."
    )
    return redirect("labels:suggestions", slug=project.slug)


@login_required
@require_GET
def site_memory_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    context = {
        "project": project,
        "labels": list(project.labels.all()),
        "recurring": site_memory.recurring_texts(project=project, limit=RECURRING_SHOWN),
        "shown": RECURRING_SHOWN,
    }
    return render(request, "labels/site_memory.html", context)


@login_required
@require_POST
def apply_site_memory(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = SiteMemoryForm(request.POST, labels=list(project.labels.all()))
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    created = site_memory.apply_to_occurrences(
        project=project,
        source=form.cleaned_data["source"],
        text_hash=form.cleaned_data["text_hash"],
        label=form.cleaned_data["label"],
        reviewer=request.user,
    )
    if created:
        webhooks.notify(
            project=project,
            event="gold.decided",
            data={
                "paragraphs": created,
                "by": "site_memory",
                "label": form.cleaned_data["label"].value,
            },
        )
    activity_log.record(
        project=project,
        actor=request.user,
        action="decided",
        detail=f"site memory: {form.cleaned_data['label'].name} for {created} occurrence(s) "
        f"on {form.cleaned_data['source']}",
    )
    messages.success(
        request,
        f"{form.cleaned_data['label'].name} is now the gold label of {created} more "
        f"occurrence{'s' if created != 1 else ''} on {isolate(form.cleaned_data['source'])}.",
    )
    return redirect("labels:site_memory", slug=project.slug)


def _require_shown(assignment: Assignment) -> None:
    """Suggestions do not exist for annotators of a project that hides them."""
    if not assignment.article.project.show_suggestions:
        raise Http404("No such suggestion.")
