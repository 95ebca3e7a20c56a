"""The /api/v1/ application: django-ninja, Bearer tokens, our error shape, local docs."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from labels.api import errors
from labels.api.auth import BearerToken
from labels.api.labelling import router as labelling_router
from labels.api.projects import router as projects_router

api = NinjaAPI(
    title="Paragraph labelling API",
    version="1",
    description=(
        "Import articles, follow background jobs, label through next / labels / submit and "
        "download gold. Authenticate with a personal API token: `Authorization: Bearer <token>`."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI from django-ninja's own static files (INSTALLED_APPS has "ninja"): no CDN,
    # and no inline script, so it runs under our Content-Security-Policy.
    docs=Swagger(),
)
errors.install(api)
api.add_router("", projects_router)
api.add_router("", labelling_router)
