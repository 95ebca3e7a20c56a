"""One error shape for every API answer that is not a success: {"error": ..., "details": [...]}."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ApiError(Exception):
    """An answer with a status, a short message and details that name the field at fault."""

    def __init__(self, status: int, error: str, details: list[str] | None = None) -> None:
        self.status = status
        self.error = error
        self.details = details or []
        super().__init__(error)


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, error: str, details: list[str]
) -> HttpResponse:
    return api.create_response(request, {"error": error, "details": details}, status=status)


def _field(location: tuple | list) -> str:
    # ninja reports ("query", "limit") or ("body", "payload", "labels", 0, "index").
    parts = [str(part) for part in location if part not in ("body", "payload")]
    return ".".join(parts) or "request"


def install(api: NinjaAPI) -> None:
    """Route every error the API can raise through the one shape."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.error, exc.details)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [f"{_field(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors]
        return error_response(api, request, 422, "invalid request", details)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            "authentication required",
            ["send a personal API token as 'Authorization: Bearer <token>'"],
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not found", [str(exc) or "no such object"])

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, exc.status_code, str(exc.message), [])
