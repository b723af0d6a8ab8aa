"""A read cache for what every page recomputes from data that rarely changes.

Entries live under a namespace's version token ("roster" for the roster rows). A write to
that data calls `invalidate(namespace)` inside its transaction: the namespace gets a new
random token, so every entry made before it becomes unreachable. A token (not a counter)
stays correct when the cache evicts it: a lost token is replaced by a fresh one, never by
an old number.

Keys always carry the reader's access scope (portal.access.scope_key), so a cached result
is only ever served to someone who may see it.

The cache must be shared by every process that writes or reads (Redis in production);
settings.READ_CACHE turns it on only then (and in the single-process dev server and tests).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
TIMEOUT = 60 * 60


def _token_key(namespace: str) -> str:
    return f"read-cache-version:{namespace}"


def version(namespace: str) -> str:
    token = cache.get(_token_key(namespace))
    if token is None:
        token = uuid.uuid4().hex
        # add(): if two readers race, both end up with the first one's token.
        if not cache.add(_token_key(namespace), token, None):
            token = cache.get(_token_key(namespace)) or token
    return token


def invalidate(namespace: str) -> None:
    """Call inside the writing transaction. The token changes now (this transaction's own
    later reads recompute) and again once it commits: whatever another process cached
    in between, from data without this write, is abandoned with the second token."""
    if not settings.READ_CACHE:
        return

    def new_token():
        cache.set(_token_key(namespace), uuid.uuid4().hex, None)

    new_token()
    transaction.on_commit(new_token)


def cached(namespace: str, parts: tuple, compute: Callable[[], T]) -> T:
    if not settings.READ_CACHE:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"read-cache:{namespace}:{version(namespace)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
