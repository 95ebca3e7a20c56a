"""``/favicon.ico``: browsers ask for it on every new session whatever the page links."""

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """A permanent redirect to the static icon, so the browser caches it and asks once."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("labels/favicon.svg"))
