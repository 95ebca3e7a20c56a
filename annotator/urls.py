from django.contrib import admin
from django.urls import include, path

from annotator.health import healthz
from labels.api.v1 import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("labels.urls")),
]
