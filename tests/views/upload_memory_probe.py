"""Run one upload through Django's WSGI handler and print how much the process grew.

Used by test_views_upload_memory.py in a subprocess of its own, so the figure is a worker's:
the request body is read from a file (as gunicorn streams a socket), a small upload first
loads every module and template, then the peak RSS is reset (/proc/self/clear_refs) and
the big upload is measured. Prints one JSON object.

Usage: python tests/views/upload_memory_probe.py SLUG USER_ID BODY_FILE BOUNDARY WARMUP_FILE
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def main() -> None:
    slug, user_id, body_path, boundary, warmup_path = sys.argv[1:6]
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    session = client.cookies["sessionid"].value
    token = _get_new_csrf_string()
    handler = WSGIHandler()

    def post(path: str) -> tuple[str, bytes]:
        status: list[str] = []
        with open(path, "rb") as body:
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": f"/p/{slug}/upload/",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80",
                "HTTP_HOST": "127.0.0.1",
                "wsgi.url_scheme": "http",
                "wsgi.input": body,
                "wsgi.errors": sys.stderr,
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(Path(path).stat().st_size),
                "HTTP_COOKIE": f"sessionid={session}; csrftoken={token}",
                "HTTP_X_CSRFTOKEN": token,
                "HTTP_REFERER": "http://127.0.0.1/",
            }
            response = handler(environ, lambda s, headers: status.append(s))
            content = b"".join(response)
        return status[0], content

    post(warmup_path)
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    before = rss_kib("VmHWM")
    status, content = post(body_path)
    print(
        json.dumps(
            {
                "status": status,
                "growth_bytes": (rss_kib("VmHWM") - before) * 1024,
                "errors": content.count(b'class="error"'),
            }
        )
    )


if __name__ == "__main__":
    main()
