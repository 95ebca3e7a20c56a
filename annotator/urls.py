from django.contrib import admin
from django.urls import include, path

from annotator.favicon import favicon
from annotator.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("labels.urls")),
]
