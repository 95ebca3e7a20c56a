"""The reviewers' control room for articles: the data manager, one article with every voice,
whole-article decisions and work control (release, return, priority, pause, flag answers).

Reviewers and staff only: everyone else gets 404 from ``access.project_for_reviewer``, and an
article, assignment or flag of another project is a 404 too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from labels.jobs import webhooks
from labels.models import Article, ArticleSummary, Assignment, Flag, Paragraph, Project
from labels.review import (
    adjudication,
    article_review,
    article_summary,
    article_table,
    suspicious,
)
from labels.templatetags.bidi import isolate
from labels.views.control_forms import (
    ActivityLogForm,
    ArticleQueryForm,
    DecideForm,
    FlagAnswerForm,
    PauseForm,
    PriorityForm,
    ReturnForm,
    TakeLabelsForm,
)
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, activity_log, work_control


def _article(project: Project, article_id: int) -> Article:
    article = Article.objects.filter(project=project, pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    article.project = project
    return article


def _assignment(project: Project, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("article", "annotator")
        .filter(pk=assignment_id, article__project=project)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    assignment.article.project = project
    return assignment


def _back_to_article(project: Project, article_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("labels:article", args=[project.slug, article_id]) + anchor)


@login_required
@require_GET
def article_list(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ArticleQueryForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    query = form.query()
    article_summary.refresh_changed(project=project)
    page = article_table.article_page(project=project, query=query)
    carried = {k: v for k, v in request.GET.items() if k != "page" and v}
    sort_links = {}
    for column in article_table.SORTS:
        params = {k: v for k, v in carried.items() if k not in ("sort", "desc")}
        params["sort"] = column
        if query.sort == column and not query.descending:
            params["desc"] = "on"
        sort_links[column] = urlencode(params)
    context = {
        "project": project,
        "form": form,
        "query": query,
        "page": page,
        "sort_links": sort_links,
        "sources": article_table.sources(project=project),
        # One reverse() for the page rather than one per row.
        "article_prefix": reverse("labels:article", args=[project.slug, 0])[:-2],
        "statuses": ArticleSummary.Status.choices,
        "previous_query": urlencode({**carried, "page": page.page - 1}) if page.page > 1 else None,
        "next_query": urlencode({**carried, "page": page.page + 1})
        if page.page < page.pages
        else None,
    }
    template = "labels/articles.html" + ("#article-table" if request.htmx else "")
    return render(request, template, context)


@login_required
@require_GET
def article_detail(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    labels = list(project.labels.all())
    voices = article_review.article_voices(article=article, labels=labels)
    context = {
        "project": project,
        "article": article,
        "voices": voices,
        "labels": labels,
        "decide_url": reverse("labels:decide_paragraph", args=[project.slug, article.pk]),
        # One reverse() for the page, not one per row (a long article has 1,000 rows).
        "adjudicate_prefix": reverse("labels:adjudicate", args=[project.slug, 0])[:-2],
        "skips": [v.assignment for v in voices.voices if v.assignment.skip_reason],
    }
    return render(request, "labels/article.html", context)


@login_required
@require_GET
def article_history(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    context = {
        "project": project,
        "article": article,
        "lines": article_review.article_history(article=article),
    }
    template = "labels/article_history.html" + ("#history" if request.htmx else "")
    return render(request, template, context)


@login_required
@require_POST
def decide_paragraph(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    labels = list(project.labels.all())
    form = DecideForm(request.POST, labels=labels)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    paragraph = Paragraph.objects.filter(article=article, pk=form.cleaned_data["paragraph"]).first()
    if paragraph is None:
        raise Http404("No such paragraph in this article.")
    paragraph.article = article
    label = form.cleaned_data["label"]
    adjudication.adjudicate(
        reviewer=request.user, paragraph=paragraph, label=label, note=form.cleaned_data["note"]
    )
    activity_log.record(
        project=project,
        actor=request.user,
        action="decided",
        detail=f"{article.external_id} paragraph {paragraph.index + 1}: {label.name}",
    )
    _gold_decided(project, paragraphs=1, by="adjudication", label=label.value)
    article_summary.refresh(project=project, article_ids=[article.pk])
    if not request.htmx:
        return _back_to_article(project, article.pk, f"#row-{paragraph.pk}")
    voices = article_review.article_voices(
        article=article, labels=labels, paragraph_id=paragraph.pk
    )
    row = voices.rows[0]
    context = {
        "project": project,
        "article": article,
        "voices": voices,
        "row": row,
        "adjudicate_prefix": reverse("labels:adjudicate", args=[project.slug, 0])[:-2],
    }
    return render(request, "labels/article.html#decided-row", context)


@login_required
@require_POST
def take_labels(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    form = TakeLabelsForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    assignment = _assignment(project, form.cleaned_data["assignment"])
    if assignment.article_id != article.pk:
        raise Http404("No such assignment on this article.")
    written = article_review.take_labels_of(reviewer=request.user, assignment=assignment)
    activity_log.record(
        project=project,
        actor=request.user,
        action="decided",
        detail=f"{article.external_id}: {written} paragraph(s) from "
        f"{assignment.annotator.get_username()}",
    )
    _gold_decided(project, paragraphs=written, by="annotator", article=article.external_id)
    article_summary.refresh(project=project, article_ids=[article.pk])
    messages.success(
        request,
        f"Took {isolate(assignment.annotator.get_username())}'s labels for {written} undecided "
        "paragraph(s).",
    )
    return _back_to_article(project, article.pk)


@login_required
@require_POST
def accept_agreed(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    written = article_review.accept_agreed_rows(reviewer=request.user, article=article)
    activity_log.record(
        project=project,
        actor=request.user,
        action="decided",
        detail=f"{article.external_id}: accepted {written} unanimous or majority paragraph(s)",
    )
    _gold_decided(project, paragraphs=written, by="majority", article=article.external_id)
    article_summary.refresh(project=project, article_ids=[article.pk])
    messages.success(request, f"Accepted {written} unanimous or majority paragraph(s) as gold.")
    return _back_to_article(project, article.pk)


@login_required
@require_POST
def set_priority(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    work_control.set_priority(
        reviewer=request.user, article=article, priority=form.cleaned_data["priority"]
    )
    article_summary.refresh(project=project, article_ids=[article.pk])
    messages.success(request, f"Priority of {isolate(article.external_id)}: {article.priority}.")
    return _back_to_article(project, article.pk)


@login_required
@require_POST
def set_control(request: HtmxHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    article = _article(project, article_id)
    control = request.POST.get("control") == "on"
    try:
        work_control.set_control(reviewer=request.user, article=article, control=control)
    except work_control.NotFullyDecided as exc:
        messages.error(request, f"Not a control item: {exc}.")
    else:
        messages.success(request, "Now a control item." if control else "No longer a control item.")
    return _back_to_article(project, article.pk)


@login_required
@require_POST
def release_assignment(request: HtmxHttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    assignment = _assignment(project, assignment_id)
    try:
        work_control.release_assignment(reviewer=request.user, assignment=assignment)
    except work_control.WrongStatus as exc:
        return HttpResponse(f"Not released: {exc}.", status=409, content_type="text/plain")
    article_summary.refresh(project=project, article_ids=[assignment.article_id])
    messages.success(
        request,
        f"Released {isolate(assignment.article.external_id)} from "
        f"{isolate(assignment.annotator.get_username())}; the slot is open again.",
    )
    return _back_to_article(project, assignment.article_id)


@login_required
@require_POST
def return_assignment(request: HtmxHttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    assignment = _assignment(project, assignment_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        work_control.return_for_correction(
            reviewer=request.user, assignment=assignment, note=form.cleaned_data["note"]
        )
    except work_control.WrongStatus as exc:
        return HttpResponse(f"Not returned: {exc}.", status=409, content_type="text/plain")
    article_summary.refresh(project=project, article_ids=[assignment.article_id])
    messages.success(
        request,
        f"Returned {isolate(assignment.article.external_id)} to "
        f"{isolate(assignment.annotator.get_username())} "
        "for correction.",
    )
    return _back_to_article(project, assignment.article_id)


@login_required
@require_POST
def answer_flag(request: HtmxHttpRequest, slug: str, flag_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    flag = (
        Flag.objects.select_related("paragraph__article")
        .filter(pk=flag_id, paragraph__article__project=project)
        .first()
    )
    if flag is None:
        raise Http404("No such flag.")
    flag.paragraph.article.project = project
    form = FlagAnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    work_control.answer_flag(
        reviewer=request.user,
        flag=flag,
        reply=form.cleaned_data["reply"],
        resolve=form.cleaned_data["resolve"],
    )
    article_summary.refresh(project=project, article_ids=[flag.paragraph.article_id])
    messages.success(request, "Flag resolved." if form.cleaned_data["resolve"] else "Reply saved.")
    return _back_to_article(project, flag.paragraph.article_id, f"#row-{flag.paragraph_id}")


@login_required
@require_POST
def set_paused(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = PauseForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    work_control.set_paused(
        reviewer=request.user, project=project, paused=form.cleaned_data["paused"]
    )
    messages.success(
        request,
        "Project paused: nobody gets a new article until you resume it."
        if project.paused
        else "Project resumed.",
    )
    return redirect("labels:articles", slug=project.slug)


@login_required
@require_GET
def suspicious_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    context = {"project": project, "rows": suspicious.suspicious_submissions(project=project)}
    return render(request, "labels/suspicious.html", context)


@login_required
@require_GET
def activity_log_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = ActivityLogForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    before = form.cleaned_data["before"]
    # One more than a page tells whether an older page exists.
    events = list(
        activity_log.latest(project=project, before=before, limit=activity_log.LOG_PAGE + 1)
    )
    older = events[-2].pk if len(events) > activity_log.LOG_PAGE else None
    context = {
        "project": project,
        "events": events[: activity_log.LOG_PAGE],
        "older": older,
        "newest_shown": before is None,
    }
    return render(request, "labels/activity_log.html", context)


def _gold_decided(project: Project, *, paragraphs: int, by: str, **data: str) -> None:
    """Tell the project's webhooks about gold decisions made on the article page (if any)."""
    if paragraphs:
        webhooks.notify(
            project=project,
            event="gold.decided",
            data={"paragraphs": paragraphs, "by": by, **data},
        )
