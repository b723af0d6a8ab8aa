"""Whole computed page parts (the completeness grid, the indicators) cached per reader's scope.

They depend on data of several namespaces of portal.cache (usage, roster, monthly reports,
outcomes, 附件1, devices, training): the key carries each namespace's current token, so a
write to any of them makes the entry unreachable at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from portal import access
from portal.cache import TIMEOUT, version

T = TypeVar("T")
REPORTS = "monthly_reports"
OUTCOMES = "outcomes"


def page_part(
    name: str, parts: tuple, compute: Callable[[], T], *, user=None, depends: tuple[str, ...], timeout=TIMEOUT
) -> T:
    """With `user`, the reader's access scope is part of the key (as portal.cache.cached_for)."""
    if not settings.READ_CACHE:
        return compute()
    if user is not None:
        parts = (access.scope_key(user), *parts)
    tokens = tuple(version(namespace) for namespace in depends)
    digest = hashlib.sha256(repr((parts, tokens)).encode()).hexdigest()[:32]
    key = f"reporting-page:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
