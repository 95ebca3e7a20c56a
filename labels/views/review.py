"""The reviewer's screens: agreement dashboard, disagreement queue, adjudication.

Reviewers and staff only: everyone else gets 404 from ``access.project_for_reviewer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotator.db_router import replica_reads
from labels.jobs import webhooks
from labels.models import Article, Label, Project
from labels.review import adjudication, dashboard, honesty, reliability
from labels.templatetags.bidi import isolate
from labels.views.forms import AdjudicationForm, QueueFilterForm
from labels.views.http import HtmxHttpRequest
from labels.workflow import access


@login_required
@require_GET
def dashboard_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    labels = list(project.labels.all())
    names = {label.value: label.name for label in labels}
    # The dashboard is a heavy read that may lag the primary by a moment: the replica's job.
    with replica_reads():
        report = reliability.project_agreement(project=project)
    annotators, kappa_rows = dashboard.kappa_grid(report["pairwise_cohen_kappa"])
    per_label = [
        {
            "value": value,
            "name": names.get(value, value),
            **row,
            "alpha_width": dashboard.bar_width(row["alpha"]),
            "ac1_width": dashboard.bar_width(row["ac1"]),
        }
        for value, row in report["per_label"].items()
    ]
    context = {
        "project": project,
        "report": report,
        "labels": labels,
        "coincidence_rows": dashboard.coincidence_rows(report["coincidence"], names),
        "kappa_annotators": annotators,
        "kappa_rows": kappa_rows,
        "per_label": per_label,
        "alpha_width": dashboard.bar_width(report["krippendorff_alpha"]),
        "gold_label_names": [names.get(value, value) for value in report["gold"]["labels"]],
        "honesty": honesty.honesty_report(project=project),
    }
    return render(request, "labels/review.html", context)


@dataclass(frozen=True)
class QueueView:
    """The queue filters as read from a query string, ready for SQL and for links."""

    filters: adjudication.QueueFilter
    params: dict[str, str]  # the filter part of the query string, to carry along
    page: int
    position: int
    article: Article | None
    labels: list[Label]  # the project's label set, loaded once for the whole request

    def query(self, **extra: object) -> str:
        return urlencode({**self.params, **{k: v for k, v in extra.items() if v is not None}})


def read_queue_filters(
    request: HtmxHttpRequest, project: Project
) -> tuple[QueueFilterForm, QueueView]:
    """The queue filters of this request; 400 on values no link of ours produces."""
    labels = list(project.labels.all())
    annotators = adjudication.annotator_choices(project=project)
    form = QueueFilterForm(request.GET, labels=labels, annotators=[name for _, name in annotators])
    if not form.is_valid():
        raise BadFilter(form.errors.as_text())
    data = form.cleaned_data
    by_value = {label.value: label.pk for label in labels}
    ids = {name: pk for pk, name in annotators}
    article = None
    if data.get("article"):
        article = Article.objects.filter(project=project, pk=data["article"]).first()
        if article is None:
            raise BadFilter("article: not in this project")
    filters = adjudication.QueueFilter(
        pair=(by_value[data["a"]], by_value[data["b"]]) if data.get("a") else None,
        annotator_id=ids[data["annotator"]] if data.get("annotator") else None,
        article_id=article.pk if article else None,
        include_decided=data.get("show") == "all",
    )
    params = {
        key: str(data[key])
        for key in ("a", "b", "annotator", "article", "show")
        if data.get(key) and not (key == "show" and data[key] == "open")
    }
    view = QueueView(
        filters=filters,
        params=params,
        page=data.get("page") or 1,
        position=data.get("pos") or 0,
        article=article,
        labels=labels,
    )
    return form, view


class BadFilter(Exception):
    """A query string no link of ours produces."""


@login_required
@require_GET
def disagreements(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    try:
        form, view = read_queue_filters(request, project)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    offset = (view.page - 1) * adjudication.PAGE_SIZE
    page = adjudication.disagreement_page(project=project, filters=view.filters, offset=offset)
    paragraphs = adjudication.paragraphs_for([entry.paragraph_id for entry in page.entries])
    labels = {label.pk: label for label in view.labels}
    rows = [
        {
            "entry": entry,
            "paragraph": paragraphs[entry.paragraph_id],
            "majority": labels.get(entry.majority_label_id),
            "decide_query": view.query(pos=entry.position),
        }
        for entry in page.entries
        if entry.paragraph_id in paragraphs
    ]
    pages = max(1, -(-page.total // adjudication.PAGE_SIZE))
    context = {
        "project": project,
        "form": form,
        "view": view,
        "rows": rows,
        "total": page.total,
        "with_majority": page.with_majority,
        "page": view.page,
        "pages": pages,
        "previous_query": view.query(page=view.page - 1) if view.page > 1 else None,
        "next_query": view.query(page=view.page + 1) if view.page < pages else None,
    }
    return render(request, "labels/disagreements.html", context)


@login_required
@require_POST
def accept_majority(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    try:
        _, view = read_queue_filters(request, project)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    written = adjudication.accept_majority(
        reviewer=request.user, project=project, filters=view.filters
    )
    if written:
        webhooks.notify(
            project=project, event="gold.decided", data={"paragraphs": written, "by": "majority"}
        )
    messages.success(request, f"Accepted the majority label as gold for {written} paragraph(s).")
    return redirect(reverse("labels:disagreements", args=[project.slug]) + "?" + view.query())


@login_required
@require_GET
def next_disagreement(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Open the queue entry at ``pos`` (with the same filters), or the queue when none is left."""
    project = access.project_for_reviewer(request.user, slug)
    try:
        _, view = read_queue_filters(request, project)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    entry = adjudication.entry_at(project=project, filters=view.filters, position=view.position)
    if entry is None:
        messages.info(request, "No more paragraphs to decide here.")
        return redirect(reverse("labels:disagreements", args=[project.slug]) + "?" + view.query())
    url = reverse("labels:adjudicate", args=[project.slug, entry.paragraph_id])
    return redirect(url + "?" + view.query(pos=entry.position))


@login_required
@require_http_methods(["GET", "POST"])
def adjudicate(request: HtmxHttpRequest, slug: str, paragraph_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    paragraph = adjudication.paragraphs_for([paragraph_id]).get(paragraph_id)
    if paragraph is None or paragraph.article.project_id != project.pk:
        raise Http404("No such paragraph.")
    try:
        _, view = read_queue_filters(request, project)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    labels = view.labels
    if request.method == "POST":
        form = AdjudicationForm(request.POST, labels=labels)
        if not form.is_valid():
            return HttpResponseBadRequest(form.errors.as_text())
        chosen = form.cleaned_data["label"]
        adjudication.adjudicate(
            reviewer=request.user, paragraph=paragraph, label=chosen, note=form.cleaned_data["note"]
        )
        webhooks.notify(
            project=project,
            event="gold.decided",
            data={"paragraphs": 1, "by": "adjudication", "label": chosen.value},
        )
        messages.success(
            request,
            f"Gold for paragraph {paragraph.index + 1} of {isolate(paragraph.article.external_id)}: "
            f"{chosen.name}.",
        )
        # A decided paragraph leaves the undecided queue, so the next one moves up into
        # its place; with decided ones shown, the next is one further on.
        following = view.position + (1 if view.filters.include_decided else 0)
        url = reverse("labels:next_disagreement", args=[project.slug])
        return redirect(url + "?" + view.query(pos=following))
    context = {
        "project": project,
        "paragraph": paragraph,
        "article": paragraph.article,
        "context_paragraphs": list(
            paragraph.article.paragraphs.order_by("index").only("pk", "index", "text")
        ),
        "annotations": list(paragraph.annotations.all()),
        "flags": list(paragraph.flags.all()),
        "gold": getattr(paragraph, "gold", None),
        "labels": labels,
        "view": view,
        "skip_query": view.query(pos=view.position + 1),
        "post_query": view.query(pos=view.position),
    }
    return render(request, "labels/adjudicate.html", context)
