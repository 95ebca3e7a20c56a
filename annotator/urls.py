from django.contrib import admin
from django.urls import include, path

from annotator import password_reset
from annotator.health import healthz
from labels.api.v1 import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Ahead of django.contrib.auth.urls: the reset request pages only exist with mail on.
    path("accounts/password_reset/", password_reset.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/",
        password_reset.password_reset_done,
        name="password_reset_done",
    ),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("labels.urls")),
]

# A lost database connection answers 503 "try again", never a bare 500 (annotator/server_errors.py).
handler500 = "annotator.server_errors.server_error"
