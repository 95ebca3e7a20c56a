"""Personal API tokens as Bearer credentials; the request then acts as the token's user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import HttpBearer

from labels.workflow import api_tokens


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``: a live token of an active user, or 401."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = api_tokens.user_for_token(token)
        if user is not None:
            request.user = user
        return user
