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
    SelectionForm,
    SkipForm,
    SubmitForm,
)
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, annotating, my_work, queue, work_control

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
        "submitted": my_work.submitted_articles(user=request.user, project=project)
        if membership is not None
        else [],
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
        return closed_response(exc)
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
        return closed_response(exc)
    if not request.htmx:
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + f"#p{changed[-1]}")
    response = paragraphs_update(request, assignment, labels, changed)
    return _announce_change(response, changed, form.cleaned_data["label"])


@login_required
@require_POST
def label_selection(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    labels = list(assignment.article.project.labels.all())
    form = SelectionForm(request.POST, labels=labels)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        changed = annotating.set_label_selection(
            assignment=assignment,
            paragraph_ids=form.cleaned_data["paragraph"],
            label=form.cleaned_data["label"],
            active_seconds=_active_delta(request),
        )
    except ValueError:
        return HttpResponseBadRequest("A selected paragraph is not part of this article.")
    except annotating.AssignmentClosed as exc:
        return closed_response(exc)
    if not request.htmx:
        anchor = f"#p{changed[-1]}" if changed else ""
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + anchor)
    response = paragraphs_update(request, assignment, labels, changed)
    return _announce_change(response, changed, form.cleaned_data["label"])


def _announce_change(response: HttpResponse, changed: list[int], label: Label) -> HttpResponse:
    """The status line after a write that may have changed several paragraphs."""
    if len(changed) > 1:
        message = f"{len(changed)} paragraphs changed to {label.name}. Press u to undo them."
    elif changed:
        message = f"1 paragraph changed to {label.name}."
    else:
        message = f"Nothing changed: the selection was already {label.name}."
    return trigger_client_event(response, "annotate:announce", {"message": message})


@login_required
@require_POST
def undo(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    try:
        changed = annotating.undo_last_change(
            assignment=assignment, active_seconds=_active_delta(request)
        )
    except annotating.AssignmentClosed as exc:
        return closed_response(exc)
    if not request.htmx:
        anchor = f"#p{changed[0]}" if changed else ""
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + anchor)
    labels = list(assignment.article.project.labels.all())
    response = paragraphs_update(request, assignment, labels, changed)
    if not changed:
        return trigger_client_event(response, "annotate:announce", {"message": "Nothing to undo"})
    trigger_client_event(response, "annotate:focus", {"id": f"p{changed[0]}"})
    count = f"{len(changed)} paragraphs" if len(changed) > 1 else "1 paragraph"
    return trigger_client_event(response, "annotate:announce", {"message": f"Undone: {count}."})


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
        return closed_response(exc)
    if not request.htmx:
        return redirect(reverse("labels:annotate", args=[assignment.pk]) + f"#p{paragraph.pk}")
    labels = list(assignment.article.project.labels.all())
    response = paragraphs_update(request, assignment, labels, [paragraph.pk])
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
        return closed_response(exc)
    return HttpResponse(status=204)


@login_required
@require_POST
def submit(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    form = SubmitForm(request.POST)
    active = (form.cleaned_data["active_seconds"] or 0) if form.is_valid() else 0
    project = assignment.article.project
    try:
        annotating.submit_assignment(assignment=assignment, active_seconds=active)
        webhooks.notify_if_article_completed(assignment=assignment)
    except annotating.AssignmentIncomplete as exc:
        messages.error(request, f"Not submitted: {exc}.")
        return redirect("labels:annotate", assignment_id=assignment.pk)
    except annotating.AssignmentClosed:
        messages.info(request, "That article was already closed.")
    else:
        messages.success(request, "Article submitted.")
    # "Submit and stop" claims nothing: a slot is taken only when someone asks for work.
    if form.is_valid() and form.cleaned_data["then"] == SubmitForm.STOP:
        return redirect("labels:project", slug=project.slug)
    return _next_article(request, project)


@login_required
@require_POST
def reopen(request: HtmxHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.assignment_for_annotator(request.user, assignment_id)
    try:
        my_work.reopen_assignment(assignment=assignment)
    except my_work.ReopenRefused as exc:
        messages.error(request, f"Not reopened: {exc.reason}.")
        return redirect("labels:project", slug=assignment.article.project.slug)
    messages.info(request, "Reopened: correct what you need, then submit it again.")
    return redirect("labels:annotate", assignment_id=assignment.pk)


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


CLOSED_REASONS = {
    Assignment.Status.SUBMITTED: "this article was submitted (in another tab or window)",
    Assignment.Status.SKIPPED: "this article was skipped (in another tab or window)",
    Assignment.Status.RELEASED: (
        "this article was released to other annotators because it was idle too long"
    ),
}


def closed_response(exc: annotating.AssignmentClosed) -> HttpResponse:
    """409 with the reason in words; the page offers the way on (it knows the links)."""
    reason = CLOSED_REASONS.get(exc.assignment.status, "this article is no longer open to you")
    return HttpResponse(
        work_control.closed_reason(exc.assignment)
        or f"Not saved: {reason}. Your earlier labels are kept.",
        status=409,
        content_type="text/plain; charset=utf-8",
    )


def paragraphs_update(
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
