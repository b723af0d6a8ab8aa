"""Automated guessing from one address, whatever usernames it tries (django-axes locks a
username from an address; this counts an address's failures across usernames).

A fixed window counter in the cache (Redis in production, shared by every process). When
the cache cannot be reached the request is let through and the failure logged: a broken
Redis must not lock everyone out (django-axes still locks per username and address)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

from portal.security import client_address

logger = logging.getLogger("portal.security")


def _key(scope: str, request) -> str:
    window = int(time.time() // (settings.THROTTLE_WINDOW_MINUTES * 60))
    return f"throttle:{scope}:{client_address(request) or 'unknown'}:{window}"


def count(scope: str, request) -> int:
    try:
        return int(cache.get(_key(scope, request), 0))
    except Exception:
        logger.warning("throttle counter unavailable", exc_info=True)
        return 0


def hit(scope: str, request) -> None:
    key = _key(scope, request)
    try:
        cache.add(key, 0, timeout=settings.THROTTLE_WINDOW_MINUTES * 60 + 5)
        cache.incr(key)
    except Exception:
        logger.warning("throttle counter unavailable", exc_info=True)


def exceeded(scope: str, request, limit: int) -> bool:
    return count(scope, request) >= limit
