"""The "API tokens" page: a user creates and revokes their own personal API tokens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from labels.views.http import HtmxHttpRequest
from labels.workflow import api_tokens


@login_required
@require_http_methods(["GET", "POST"])
def api_token_list(request: HtmxHttpRequest) -> HttpResponse:
    created, error, status = None, None, 200
    if request.method == "POST":
        try:
            created = api_tokens.create_token(user=request.user, name=request.POST.get("name", ""))
            status = 201
        except api_tokens.InvalidTokenName as exc:
            error, status = str(exc), 400
    context = {
        "tokens": list(api_tokens.tokens_of(request.user)),
        "created": created,  # its secret is shown on this one response, never again
        "error": error,
    }
    response = render(request, "labels/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_api_token(request: HtmxHttpRequest, token_id: int) -> HttpResponse:
    if not api_tokens.revoke_token(user=request.user, token_id=token_id):
        raise Http404("No such token.")
    return redirect("labels:api_tokens")
