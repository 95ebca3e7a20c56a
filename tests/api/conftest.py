"""API clients authenticated with real personal tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from labels.workflow import api_tokens


class ApiClient:
    """Django's test client with ``Authorization: Bearer`` on every call."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: object):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data: object = None, content_type: str = "application/json"):
        if isinstance(data, dict) and content_type.startswith("multipart"):
            return self.client.post(path, data, headers=self.headers)
        return self.client.generic(
            "POST",
            path,
            data if isinstance(data, (bytes, str)) else _json(data),
            content_type=content_type,
            headers=self.headers,
        )

    def put(self, path: str, data: object):
        return self.client.generic(
            "PUT", path, _json(data), content_type="application/json", headers=self.headers
        )


def _json(data: object) -> str:
    import json

    return json.dumps(data if data is not None else {})


@pytest.fixture
def api_for(db: None) -> Callable[[object], ApiClient]:
    """An API client acting as ``user`` through a freshly created token."""

    def make(user: object) -> ApiClient:
        return ApiClient(api_tokens.create_token(user=user, name="test").secret)

    return make
