"""Team and settings in the app: members, invitations with a one-time set-password link,
roles, deactivation, the project's settings and label set, and creating a project (staff).

Reviewers of the project and staff only (annotators and outsiders get 404); creating a
project is for staff.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import IntegrityError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from labels.models import LabelColour, Project, ProjectEvent
from labels.templatetags.bidi import isolate
from labels.views.control_forms import (
    GuidelinesPreviewForm,
    InviteForm,
    ProjectForm,
    RoleForm,
    SettingsForm,
)
from labels.views.http import HtmxHttpRequest
from labels.workflow import access, guidelines, project_settings, projects, team


def _team_context(project: Project, **extra: object) -> dict[str, object]:
    return {
        "project": project,
        "members": team.team(project=project),
        "invite_form": InviteForm(),
        "roles": RoleForm.base_fields["role"].choices,
        **extra,
    }


@login_required
@require_http_methods(["GET"])
def team_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    return render(request, "labels/team.html", _team_context(project))


@login_required
@require_POST
def invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return render(
            request, "labels/team.html", _team_context(project, invite_form=form), status=400
        )
    try:
        invitation = team.invite_member(
            reviewer=request.user,
            project=project,
            username=form.cleaned_data["username"].strip(),
            role=form.cleaned_data["role"],
            email=form.cleaned_data["email"],
        )
    except projects.MembershipError as exc:
        form.add_error("username", str(exc))
        return render(
            request, "labels/team.html", _team_context(project, invite_form=form), status=400
        )
    link = ""
    mailed = False
    if invitation.needs_password:
        link = request.build_absolute_uri(
            reverse("password_reset_confirm", args=[invitation.uidb64, invitation.token])
        )
        address = invitation.user.email
        if address and getattr(settings, "EMAIL_HOST", "") not in ("", "localhost"):
            send_mail(
                f"You are invited to {project.name}",
                f"Set your password and start labelling: {link}",
                None,
                [address],
            )
            mailed = True
    username = invitation.user.get_username()
    context = _team_context(project, invited=username, link=link, mailed=mailed)
    return render(request, "labels/team.html", context)


@login_required
@require_POST
def set_role(request: HtmxHttpRequest, slug: str, user_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    try:
        team.set_role(
            reviewer=request.user, project=project, user_id=user_id, role=form.cleaned_data["role"]
        )
    except team.NotAMember as exc:
        raise Http404("No such member.") from exc
    messages.success(request, "Role changed.")
    return redirect("labels:team", slug=project.slug)


@login_required
@require_POST
def deactivate_member(request: HtmxHttpRequest, slug: str, user_id: int) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    if user_id == request.user.pk:
        return HttpResponseBadRequest("You cannot deactivate yourself.")
    released = team.deactivate_member(reviewer=request.user, project=project, user_id=user_id)
    messages.success(
        request,
        "Member deactivated: their work stays and still counts"
        + (f"; {released} article(s) in progress released." if released else "."),
    )
    return redirect("labels:team", slug=project.slug)


def _settings_initial(project: Project) -> dict[str, object]:
    return {
        "name": project.name,
        "overlap": project.overlap,
        "guidelines": project.guidelines,
        "show_suggestions": project.show_suggestions,
        "uncertainty_first": project.uncertainty_first,
        "retrain_every": project.retrain_every,
        "idle_minutes": int(project.assignment_timeout.total_seconds() // 60),
        "min_seconds_per_paragraph": project.min_seconds_per_paragraph,
        "control_every": project.control_every,
        "control_warning": project.control_warning,
    }


def _label_rows(project: Project) -> list[dict[str, object]]:
    used = project_settings.labels_in_use(project=project)
    return [{"label": label, "used": label.pk in used} for label in project.labels.all()]


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            changed = project_settings.update_settings(
                reviewer=request.user, project=project, **form.cleaned_data
            )
            messages.success(
                request, f"Saved: {', '.join(changed)}." if changed else "Nothing changed."
            )
            return redirect("labels:project_settings", slug=project.slug)
        status = 400
    else:
        form = SettingsForm(initial=_settings_initial(project))
        status = 200
    context = {
        "project": project,
        "form": form,
        "labels": _label_rows(project),
        "colours": LabelColour.choices,
    }
    return render(request, "labels/project_settings.html", context, status=status)


@login_required
@require_POST
def edit_labels(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    existing = {label.pk: label for label in project.labels.all()}
    edits = []
    for pk, label in existing.items():
        edits.append(
            project_settings.LabelEdit(
                pk=pk,
                value=label.value,
                name=request.POST.get(f"name-{pk}", label.name)[:100],
                key=request.POST.get(f"key-{pk}", label.key)[:1],
                order=_int(request.POST.get(f"order-{pk}"), label.order),
                colour=request.POST.get(f"colour-{pk}", label.colour),
                delete=request.POST.get(f"delete-{pk}") == "on",
            )
        )
    new_name = request.POST.get("new-name", "").strip()[:100]
    if new_name:
        edits.append(
            project_settings.LabelEdit(
                pk=None,
                value=slugify(new_name)[:64] or "label",
                name=new_name,
                key=request.POST.get("new-key", "")[:1],
                order=_int(request.POST.get("new-order"), len(existing)),
                colour=request.POST.get("new-colour", ""),
            )
        )
    try:
        project_settings.update_labels(reviewer=request.user, project=project, edits=edits)
    except (project_settings.LabelInUse, project_settings.InvalidLabels) as exc:
        messages.error(request, f"Labels not changed: {exc}.")
    else:
        messages.success(request, "Label set saved.")
    return redirect("labels:project_settings", slug=project.slug)


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value or ""), 1000))
    except ValueError:
        return default


@login_required
@require_POST
def guidelines_preview(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    project = access.project_for_reviewer(request.user, slug)
    form = GuidelinesPreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    html = guidelines.render_guidelines(form.cleaned_data["guidelines"])
    context = {"project": project, "preview": html}
    return render(request, "labels/project_settings.html#guidelines-preview", context)


@login_required
@require_http_methods(["GET", "POST"])
def create_project(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404("No such page.")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Project.objects.filter(slug=form.cleaned_data["slug"]).exists():
            form.add_error("slug", "A project with this slug exists already.")
            return render(request, "labels/project_new.html", {"form": form}, status=400)
        try:
            project = projects.create_project(
                slug=form.cleaned_data["slug"],
                name=form.cleaned_data["name"],
                overlap=form.cleaned_data["overlap"],
                actor=request.user,
                via=ProjectEvent.Via.WEB,
            )
        except IntegrityError:
            form.add_error("slug", "A project with this slug exists already.")
        else:
            messages.success(request, f"Project {isolate(project.name)} created. Invite your team.")
            return redirect("labels:team", slug=project.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "labels/project_new.html", {"form": form}, status=status)
