"""The annotator's screens: project list and page, next article, labelling and its keys
(label, run, undo, flag, skip, submit), and the active-time beacon."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from labels.jobs import webhooks
from labels.models import (
    Annotation,
    Article,
    Assignment,
    Flag,
    Label,
    Membership,
    Paragraph,
    Project,
)
from labels.views.forms import (
    ActiveTimeForm,
    ExportForm,
    FlagForm,
    LabelForm,
    RunForm,
    SkipForm,
    SubmitForm,
)
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, annotating, queue

# A change to more paragraphs than this (a Shift-run or undo over a huge article) answers with
# its count and a page reload instead of re-rendering every row: rendering 100,000 rows
# after the commit would outlast the worker timeout, and the client would see an error for
# a change that was made (tests/security/test_large_operations.py).
RERENDER_LIMIT = 500


@login_required
@require_GET
def project_list(request: HtmxHttpRequest) -> HttpResponse:
    projects = access.visible_projects(request.user).order_by("name")
    return render(request, "labels/project_list.html", {"projects": projects})


@login_required
@require_GET
def project_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_member(request.user, slug)
    membership = Membership.objects.filter(project=project, user=request.user).first()
    context = {
        "project": project,
        "labels": list(project.labels.all()),
        "counts": annotating.submitted_counts(annotator_id=request.user.pk, project=project),
        "in_progress": Assignment.objects.filter(
            annotator=request.user,
            article__project=project,
            status=Assignment.Status.IN_PROGRESS,
        ).exists(),
        "membership": membership,
        "is_reviewer": request.user.is_staff
        or (membership is not None and membership.role == Membership.Role.REVIEWER),
    }
    context["export_form"] = ExportForm() if context["is_reviewer"] else None
    return render(request, "labels/project.html", context)


@login_required
@require_POST
def start_labelling(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_annotator(request.user, slug)
    return _next_article(request, project)


@login_required
@require_GET
def annotate(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    return render(request, "labels/annotate.html", annotate_context(assignment))


@login_required
@require_POST
def set_label(request: HtmxHttpRequest, paragraph_id: int) -> HttpResponse:
    own = access.paragraph_for_annotator(request.user, paragraph_id)
    form = LabelForm(request.POST, labels=own.labels)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        saved = annotating.set_label(
            assignment=own.assignment,
            paragraph=own.paragraph,
            label=form.cleaned_data["label"],
            active_seconds=_active_delta(request),
        )
    except annotating.AssignmentClosed as exc:
        return _closed(exc)
    if not request.htmx:
        return redirect(
            reverse("labels:annotate", args=[own.assignment.pk]) + f"#p{own.paragraph.pk}"
        )
    return paragraph_update(request, own, saved)


def paragraph_update(
    request: HtmxHttpRequest, own: access.OwnParagraph, saved: annotating.SavedLabel
) -> HttpResponse:
    """The relabelled paragraph, and the progress box swapped out of band."""
    own.paragraph.own_flag = own.flag
    context = {
        "assignment": own.assignment,
        "paragraph": own.paragraph,
        "chosen": saved.annotation.label,
        "labels": own.labels,
        "labelled": saved.labelled,
        "total": saved.total,
    }
    return render(request, "labels/annotate.html#paragraph-update", context)


@login_required
@require_POST
def label_run(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    labels = list(assignment.article.project.labels.all())
    form = RunForm(request.POST, labels=labels)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    paragraph = access.paragraph_of_assignment(assignment, form.cleaned_data["paragraph"])
    try:
        changed = annotating.set_label_run(
            assignment=assignment,
            paragraph=paragraph,
            label=form.cleaned_data["label"],
            active_seconds=_active_delta(request),
        )
    except annotating.AssignmentClosed as exc:
        return _closed(exc)
    if not request.htmx:
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + f"#p{changed[-1]}")
    response = _paragraphs_update(request, assignment, labels, changed)
    label = form.cleaned_data["label"]
    return trigger_client_event(
        response, "annotate:announce", {"message": f"{len(changed)} paragraph(s) → {label.name}"}
    )


@login_required
@require_POST
def undo(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    try:
        changed = annotating.undo_last_change(
            assignment=assignment, active_seconds=_active_delta(request)
        )
    except annotating.AssignmentClosed as exc:
        return _closed(exc)
    if not request.htmx:
        anchor = f"#p{changed[0]}" if changed else ""
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + anchor)
    labels = list(assignment.article.project.labels.all())
    response = _paragraphs_update(request, assignment, labels, changed)
    if not changed:
        return trigger_client_event(response, "annotate:announce", {"message": "Nothing to undo"})
    trigger_client_event(response, "annotate:focus", {"id": f"p{changed[0]}"})
    return trigger_client_event(
        response, "annotate:announce", {"message": f"Undone: {len(changed)} paragraph(s)"}
    )


@login_required
@require_POST
def flag(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    form = FlagForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    paragraph = access.paragraph_of_assignment(assignment, form.cleaned_data["paragraph"])
    active = _active_delta(request)
    try:
        if form.cleaned_data["remove"]:
            annotating.unflag_paragraph(
                assignment=assignment, paragraph=paragraph, active_seconds=active
            )
        else:
            annotating.flag_paragraph(
                assignment=assignment,
                paragraph=paragraph,
                note=form.cleaned_data["note"],
                active_seconds=active,
            )
    except annotating.AssignmentClosed as exc:
        return _closed(exc)
    if not request.htmx:
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + f"#p{paragraph.pk}")
    labels = list(assignment.article.project.labels.all())
    response = _paragraphs_update(request, assignment, labels, [paragraph.pk])
    message = "Flag removed" if form.cleaned_data["remove"] else "Flagged for review"
    trigger_client_event(response, "annotate:focus", {"id": f"p{paragraph.pk}"})
    return trigger_client_event(response, "annotate:announce", {"message": message})


@login_required
@require_POST
def skip(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        annotating.skip_assignment(
            assignment=assignment,
            reason=form.cleaned_data["reason"],
            active_seconds=_active_delta(request),
        )
    except annotating.AssignmentClosed:
        messages.info(request, "That article was already closed.")
    else:
        messages.info(request, "Article skipped; it will not be offered to you again.")
    return _next_article(request, assignment.article.project)


@login_required
@require_POST
def activity(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    try:
        annotating.record_activity(assignment=assignment, active_seconds=_active_delta(request))
    except annotating.AssignmentClosed as exc:
        return _closed(exc)
    return HttpResponse(status=204)


@login_required
@require_POST
def submit(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    form = SubmitForm(request.POST)
    active = (form.cleaned_data["active_seconds"] or 0) if form.is_valid() else 0
    try:
        annotating.submit_assignment(assignment=assignment, active_seconds=active)
        webhooks.notify_if_article_completed(assignment=assignment)
    except annotating.AssignmentIncomplete as exc:
        messages.error(request, f"Not submitted: {exc}.")
        return redirect("labels:annotate", assignment_id=assignment.pk)
    except annotating.AssignmentClosed:
        messages.info(request, "That article was already closed.")
    return _next_article(request, assignment.article.project)


def _next_article(request: HtmxHttpRequest, project: Project) -> HttpResponse:
    try:
        following = queue.claim_next(user=request.user, project=project)
    except queue.NotAMember as exc:
        # Membership was removed between the access check and the claim.
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    if following is None:
        return render(request, "labels/nothing_left.html", {"project": project})
    return redirect("labels:annotate", assignment_id=following.pk)


def _active_delta(request: HtmxHttpRequest) -> float:
    return ActiveTimeForm(request.POST).seconds()


def _closed(exc: annotating.AssignmentClosed) -> HttpResponse:
    return HttpResponse(
        f"Not saved: {exc}. Reload the page to continue with your next article.",
        status=409,
        content_type="text/plain; charset=utf-8",
    )


def _paragraphs_update(
    request: HtmxHttpRequest, assignment: Assignment, labels: list[Label], paragraph_ids: list[int]
) -> HttpResponse:
    """The changed paragraphs and the progress box, each swapped out of band by id; past
    RERENDER_LIMIT paragraphs, the progress box alone and a reload of the page."""
    if len(paragraph_ids) > RERENDER_LIMIT:
        context = {"assignment": assignment, "oob": True, "is_open": True}
        response = render(
            request, "labels/annotate.html#progress", context | annotating.progress(assignment)
        )
        response["HX-Refresh"] = "true"
        return response
    paragraphs = list(Paragraph.objects.filter(pk__in=paragraph_ids).order_by("index"))
    context = {
        "assignment": assignment,
        "labels": labels,
        "rows": _rows(assignment, labels, paragraphs),
        **annotating.progress(assignment),
    }
    return render(request, "labels/annotate.html#paragraphs-update", context)


def _rows(
    assignment: Assignment, labels: list[Label], paragraphs: Iterable[Paragraph]
) -> list[tuple[Paragraph, Label | None]]:
    """(paragraph, the annotator's own label or None) pairs, each paragraph carrying
    ``own_flag`` (the annotator's own Flag or None); two queries however many paragraphs."""
    paragraphs = list(paragraphs)
    by_id = {label.pk: label for label in labels}
    # One assignment holds at most one annotation per paragraph of its article: no IN list.
    chosen = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label_id")
    )
    flags = {f.paragraph_id: f for f in Flag.objects.filter(assignment=assignment)}
    for paragraph in paragraphs:
        paragraph.own_flag = flags.get(paragraph.pk)
    return [(p, by_id.get(chosen.get(p.pk))) for p in paragraphs]


def annotate_context(assignment: Assignment) -> dict[str, object]:
    """Everything the labelling page shows, in a constant number of queries.

    Only the annotator's own labels, flags and counts: annotators work blind.
    """
    article: Article = assignment.article
    project = article.project
    labels: list[Label] = list(project.labels.all())
    rows = _rows(assignment, labels, article.paragraphs.order_by("index"))
    return {
        "assignment": assignment,
        "article": article,
        "project": project,
        "labels": labels,
        "rows": rows,
        "total": len(rows),
        "labelled": sum(1 for _, label in rows if label is not None),
        "is_open": assignment.status == Assignment.Status.IN_PROGRESS,
        "counts": annotating.submitted_counts(
            annotator_id=assignment.annotator_id, project=project
        ),
    }
