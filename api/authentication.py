"""The one place a bearer token becomes a user. Everything the API answers is then read
through portal.access with that user, exactly as the pages read it for them.

A token is refused when it matches none, was revoked, or its account is disabled
(`is_active` off, or no longer allowed to hold tokens): the answer is 401 with a Chinese
reason, and `api.signals.token_refused` tells the security log (issue 12) about it."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import ApiToken
from api.signals import token_refused
from api.tokens import TOKEN_PREFIX, hash_token, may_hold_tokens

logger = logging.getLogger(__name__)

# last_used_at is written at most this often per token: not a write on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)

UNKNOWN = "API 權杖無效（可能打錯或已刪除）"
REVOKED = "API 權杖已撤銷"
DISABLED = "此權杖的帳號已停用"
MALFORMED = "Authorization 標頭格式應為「Bearer <權杖>」"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            parts = header.decode("ascii").split()
        except UnicodeDecodeError:
            self._refuse(request, None, MALFORMED)
        if not parts or parts[0].lower() != self.keyword.lower():
            return None  # another scheme: not ours to judge
        if len(parts) != 2 or len(parts[1]) > 200:
            self._refuse(request, None, MALFORMED)
        return authenticate_token(parts[1], request=request)

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    def _refuse(self, request, token, reason):
        refuse(request, token, reason)


def refuse(request, token: ApiToken | None, reason: str):
    try:
        token_refused.send(sender=ApiToken, token=token, reason=reason, request=request)
    except Exception:  # a log that fails must not turn a 401 into a 500
        logger.exception("token_refused receiver failed")
    raise exceptions.AuthenticationFailed(reason)


def authenticate_token(raw: str, *, request=None):
    """(user, token) for a valid token; raises AuthenticationFailed otherwise."""
    if not raw.startswith(TOKEN_PREFIX):
        refuse(request, None, UNKNOWN)
    token = ApiToken.objects.select_related("user", "user__county", "user__school").filter(key_hash=hash_token(raw))
    token = token.first()
    if token is None:
        refuse(request, None, UNKNOWN)
    if token.revoked_at is not None:
        refuse(request, token, REVOKED)
    if not may_hold_tokens(token.user):
        refuse(request, token, DISABLED)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
