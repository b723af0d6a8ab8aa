"""API tokens: made, listed and revoked (services and selectors). The one place that turns a
token into its user is api.authentication."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api.models import ApiToken
from api.signals import token_created, token_revoked
from portal.models import User

TOKEN_PREFIX = "dlp_"  # noqa: S105 - the public prefix of every token, not a secret
PREFIX_SHOWN = 10
MAX_ACTIVE_TOKENS = 20


class TokenRefused(Exception):
    """The token cannot be made or revoked; the message says why."""


def hash_token(raw: str) -> str:
    # The token carries 256 random bits: a fast hash is enough, a slow one would only slow
    # every request down.
    return hashlib.sha256(raw.encode()).hexdigest()


def may_hold_tokens(user: User) -> bool:
    """An active account of any role; a disabled or expired one (portal.backends' rule for
    logins) holds none and its tokens are refused."""
    return bool(user.is_authenticated and user.is_active and not user.is_expired and user.role)


def tokens_for(*, user: User) -> QuerySet:
    """A user's own tokens: nobody, not even an admin, lists another person's."""
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def token_create(*, user: User, name: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: the row and the token itself (the only time it is known)."""
    name = (name or "").strip()
    if not name:
        raise TokenRefused("請為權杖命名，例如「教育部管考系統介接」")
    if len(name) > 100:
        raise TokenRefused("權杖名稱請在 100 字以內")
    if not may_hold_tokens(user):
        raise TokenRefused("此帳號已停用或沒有角色，不能建立 API 權杖")
    # Lock the user's row: two requests at once cannot pass the limit together.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if tokens_for(user=user).filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenRefused(f"每個帳號最多 {MAX_ACTIVE_TOKENS} 把有效權杖，請先撤銷不用的權杖")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:PREFIX_SHOWN], key_hash=hash_token(raw))
    transaction.on_commit(lambda: token_created.send(sender=ApiToken, token=token, user=user, by=by or user))
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> bool:
    """Revoke a token now; False when it already was."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        transaction.on_commit(lambda: token_revoked.send(sender=ApiToken, token=token, user=token.user, by=by))
    return bool(updated)
