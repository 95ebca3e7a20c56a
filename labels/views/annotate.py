"""The annotator's screens: project list and page, next article, labelling, submit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from labels import access, annotating, queue
from labels.forms import ExportForm, LabelForm, SubmitForm
from labels.models import Annotation, Article, Assignment, Label
from labels.views.http import HtmxHttpRequest


@login_required
@require_GET
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    projects = access.visible_projects(request.user).order_by("name")
    return render(request, "labels/project_list.html", {"projects": projects})


@login_required
@require_GET
def project_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_member(request.user, slug)
    mine = Assignment.objects.filter(annotator=request.user, article__project=project)
    is_reviewer = access.is_reviewer(request.user, project)
    context = {
        "project": project,
        "labels": list(project.labels.all()),
        "submitted": mine.filter(status=Assignment.Status.SUBMITTED).count(),
        "in_progress": mine.filter(status=Assignment.Status.IN_PROGRESS).first(),
        "is_reviewer": is_reviewer,
        "export_form": ExportForm() if is_reviewer else None,
    }
    return render(request, "labels/project.html", context)


@login_required
@require_POST
def start_labelling(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_member(request.user, slug)
    assignment = queue.claim_next(user=request.user, project=project)
    if assignment is None:
        return render(request, "labels/nothing_left.html", {"project": project})
    return redirect("labels:annotate", assignment_id=assignment.pk)


@login_required
@require_GET
def annotate(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    return render(request, "labels/annotate.html", annotate_context(assignment))


@login_required
@require_POST
def set_label(request: HtmxHttpRequest, paragraph_id: int) -> HttpResponse:
    paragraph, assignment = access.paragraph_for_annotator(request.user, paragraph_id)
    labels = list(assignment.article.project.labels.all())
    form = LabelForm(request.POST, labels=labels)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        annotation = annotating.set_label(
            assignment=assignment, paragraph=paragraph, label=form.cleaned_data["label"]
        )
    except annotating.AssignmentClosed as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    if not request.htmx:
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + f"#p{paragraph.pk}")
    context = {
        "assignment": assignment,
        "paragraph": paragraph,
        "chosen": annotation.label,
        "labels": labels,
        **annotating.progress(assignment),
    }
    return render(request, "labels/annotate.html#paragraph-update", context)


@login_required
@require_POST
def submit(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    form = SubmitForm(request.POST)
    active = (form.cleaned_data["active_seconds"] or 0) if form.is_valid() else 0
    try:
        annotating.submit_assignment(assignment=assignment, active_seconds=active)
    except annotating.AssignmentIncomplete as exc:
        messages.error(request, f"Not submitted: {exc}.")
        return redirect("labels:annotate", assignment_id=assignment.pk)
    except annotating.AssignmentClosed:
        messages.info(request, "That article was already closed.")
    project = assignment.article.project
    following = queue.claim_next(user=request.user, project=project)
    if following is None:
        return render(request, "labels/nothing_left.html", {"project": project})
    return redirect("labels:annotate", assignment_id=following.pk)


def annotate_context(assignment: Assignment) -> dict[str, object]:
    """Everything the labelling page shows, in a constant number of queries."""
    article: Article = assignment.article
    labels: list[Label] = list(article.project.labels.all())
    by_id = {label.pk: label for label in labels}
    chosen = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label_id")
    )
    paragraphs = list(article.paragraphs.order_by("index"))
    rows = [(p, by_id.get(chosen.get(p.pk))) for p in paragraphs]
    return {
        "assignment": assignment,
        "article": article,
        "project": article.project,
        "labels": labels,
        "rows": rows,
        "total": len(paragraphs),
        "labelled": sum(1 for _, label in rows if label is not None),
        "is_open": assignment.status == Assignment.Status.IN_PROGRESS,
    }
