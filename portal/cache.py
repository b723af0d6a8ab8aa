"""A read cache for what every page recomputes from data that rarely changes.

Entries live under a namespace's version token ("roster" for the roster rows). A write to
that data calls `invalidate(namespace)` inside its transaction: the namespace gets a new
random token, so every entry made before it becomes unreachable. A token (not a counter)
stays correct when the cache evicts it: a lost token is replaced by a fresh one, never by
an old number.

A value that depends on who reads it is cached with `cached_for(user, ...)`: the key carries
the reader's access scope (portal.access.scope_key) by construction, so a cached result is
only ever served to someone who sees the same rows. `cached` is for values that are the same
for every reader (the plan years, one county's figures after its access check).

The cache must be shared by every process that writes or reads (Redis in production);
settings.READ_CACHE turns it on only then (and in the single-process dev server and tests).

Within one request each namespace's token is fetched once (RequestTokensMiddleware): a page
reads a dozen cached parts, and a cache round trip per part and namespace was a third of the
home page's time. The request's own writes still update the tokens it sees.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal import access

T = TypeVar("T")
TIMEOUT = 60 * 60


_request = threading.local()


class RequestTokensMiddleware:
    """Each namespace's token is read from the cache at most once per request: the tokens of
    every namespace this process has met are fetched in one round trip when the request
    starts (a page reads parts of several namespaces)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.tokens = _prefetched_tokens() if settings.READ_CACHE else {}
        try:
            return self.get_response(request)
        finally:
            _request.tokens = None


_seen_namespaces: set[str] = set()


def _prefetched_tokens() -> dict[str, str]:
    if not _seen_namespaces:
        return {}
    keys = {_token_key(namespace): namespace for namespace in _seen_namespaces}
    return {keys[key]: token for key, token in cache.get_many(list(keys)).items() if token is not None}


def _remember(namespace: str, token: str) -> str:
    tokens = getattr(_request, "tokens", None)
    if tokens is not None:
        tokens[namespace] = token
    return token


def _token_key(namespace: str) -> str:
    return f"read-cache-version:{namespace}"


def version(namespace: str) -> str:
    tokens = getattr(_request, "tokens", None)
    if tokens and namespace in tokens:
        return tokens[namespace]
    _seen_namespaces.add(namespace)
    token = cache.get(_token_key(namespace))
    if token is None:
        token = uuid.uuid4().hex
        # add(): if two readers race, both end up with the first one's token.
        if not cache.add(_token_key(namespace), token, None):
            token = cache.get(_token_key(namespace)) or token
    return _remember(namespace, token)


# Called with the namespace once a write to it has committed (portal.figures marks what it
# keeps in the database stale): the read cache is not the only copy of computed figures.
_after_commit: list[Callable[[str], None]] = []


def on_committed_write(listener: Callable[[str], None]) -> None:
    if listener not in _after_commit:
        _after_commit.append(listener)


def invalidate(namespace: str) -> None:
    """Call inside the writing transaction. The token changes now (this transaction's own
    later reads recompute) and again once it commits: whatever another process cached
    in between, from data without this write, is abandoned with the second token."""
    for listener in _after_commit:
        transaction.on_commit(lambda listener=listener: listener(namespace))
    if not settings.READ_CACHE:
        return

    def new_token():
        token = uuid.uuid4().hex
        cache.set(_token_key(namespace), token, None)
        _remember(namespace, token)

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


def cached_for(user, namespace: str, parts: tuple, compute: Callable[[], T]) -> T:
    """`cached`, keyed by the reader's access scope as well as `parts`: readers who may see
    different rows never share an entry."""
    return cached(namespace, (access.scope_key(user), *parts), compute)
