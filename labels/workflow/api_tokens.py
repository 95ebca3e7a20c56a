"""Personal API tokens: created once, stored hashed, revoked for good.

A token is 32 random bytes (``lbl_`` + URL-safe base64), shown to its owner once. Only its
SHA-256 is stored: a token this random needs no salt or slow hash (there is nothing to guess
from a leaked digest), and a digest lookup is one index probe per API call. A token acts with
exactly its user's rights: the API resolves it to the user and then runs the same access
checks as the web pages (labels.workflow.access).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from labels.models import ApiToken

PREFIX = "lbl_"
SHOWN_CHARS = 8  # of the token, kept to tell tokens apart on the tokens page


class InvalidTokenName(ValueError):
    """A token needs a name of at most 100 characters."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"name: {reason}")


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is the only copy of it anywhere."""

    token: ApiToken
    secret: str


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(*, user: AbstractBaseUser, name: str) -> NewToken:
    """Create a token for ``user``; the returned secret is not stored anywhere."""
    name = name.strip()
    if not name:
        raise InvalidTokenName("must not be empty")
    if len(name) > 100:
        raise InvalidTokenName("at most 100 characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(PREFIX) + SHOWN_CHARS], digest=digest_of(secret)
    )
    return NewToken(token=token, secret=secret)


def revoke_token(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such live token."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def tokens_of(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-pk")


def user_for_token(secret: str) -> AbstractBaseUser | None:
    """The active user a live token belongs to, or None."""
    if not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Written at most once a minute per token: an API client's every call stays a read.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_named(username: str) -> AbstractBaseUser | None:
    """The user with this user name, or None."""
    return get_user_model().objects.filter(username=username).first()
