"""Labelling routes: claim the next article, label several paragraphs, submit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from labels.api.errors import ApiError
from labels.api.projects import ERRORS, labels_out, user_of
from labels.api.schemas import AssignmentOut, ErrorOut, LabelsIn, NextOut
from labels.jobs import webhooks
from labels.models import Annotation, Assignment, Paragraph
from labels.workflow import access, annotating, bulk_labels, queue

router = Router(tags=["labelling"])
LABELLING_ERRORS = {**ERRORS, 409: ErrorOut}


def next_out(assignment: Assignment) -> dict[str, Any]:
    article = assignment.article
    project = article.project
    mine = dict(
        Annotation.objects.filter(assignment=assignment).values_list("paragraph_id", "label__value")
    )
    return {
        "assignment": assignment.pk,
        "article": {
            "id": article.pk,
            "external_id": article.external_id,
            "title": article.title,
            "url": article.url,
            "source": article.source,
            "meta": article.meta,
        },
        "paragraphs": [
            {
                "index": paragraph.index,
                "text": paragraph.text,
                "meta": paragraph.meta,
                "label": mine.get(paragraph.pk),
                # Suggestions only where the project shows them (blind labelling otherwise).
                "suggested_label": (paragraph.suggested_label or None)
                if project.show_suggestions
                else None,
            }
            for paragraph in Paragraph.objects.filter(article=article).order_by("index")
        ],
        "labels": labels_out(project),
    }


@router.post(
    "/projects/{slug}/next/", response={200: NextOut, 204: None, **ERRORS}, url_name="next"
)
def claim_next(request: HttpRequest, slug: str) -> Any:
    """Claim the caller's next article (or resume the open one); 204 when nothing is left."""
    user = user_of(request)
    project = access.project_for_annotator(user, slug)
    try:
        assignment = queue.claim_next(user=user, project=project)
    except queue.NotAMember:  # removed from the project between the two lookups
        raise ApiError(404, "not found", ["no such project"]) from None
    if assignment is None:
        return HttpResponse(status=204)
    assignment = Assignment.objects.select_related("article__project").get(pk=assignment.pk)
    return next_out(assignment)


def closed(exc: annotating.AssignmentClosed) -> ApiError:
    return ApiError(409, "assignment closed", [f"assignment: {exc}"])


@router.put(
    "/assignments/{assignment_id}/labels/",
    response={200: AssignmentOut, **LABELLING_ERRORS},
    url_name="labels",
)
def put_labels(request: HttpRequest, assignment_id: int, payload: LabelsIn) -> dict[str, Any]:
    """Label several paragraphs at once, by index, under the keyboard's rules and history."""
    assignment = access.assignment_for_annotator(user_of(request), assignment_id)
    entries = [bulk_labels.LabelEntry(index=e.index, label=e.label) for e in payload.labels]
    try:
        counts = bulk_labels.set_labels(assignment=assignment, entries=entries)
    except bulk_labels.InvalidLabels as exc:
        raise ApiError(400, "invalid labels", exc.problems) from None
    except annotating.AssignmentClosed as exc:
        raise closed(exc) from None
    return {
        "assignment": assignment.pk,
        "status": Assignment.Status.IN_PROGRESS,
        "labelled": counts["labelled"],
        "total": counts["total"],
    }


@router.post(
    "/assignments/{assignment_id}/submit/",
    response={200: AssignmentOut, **LABELLING_ERRORS},
    url_name="submit",
)
def submit(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    """Submit the assignment; every paragraph must have a label (409 otherwise)."""
    assignment = access.assignment_for_annotator(user_of(request), assignment_id)
    try:
        assignment = annotating.submit_assignment(assignment=assignment)
        webhooks.notify_if_article_completed(assignment=assignment)
    except annotating.AssignmentClosed as exc:
        raise closed(exc) from None
    except annotating.AssignmentIncomplete as exc:
        raise ApiError(409, "assignment incomplete", [f"labels: {exc}"]) from None
    counts = annotating.progress(assignment)
    return {
        "assignment": assignment.pk,
        "status": assignment.status,
        "labelled": counts["labelled"],
        "total": counts["total"],
    }
