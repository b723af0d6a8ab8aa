"""Django's Redis cache, made for a bad day: one client per pool, and Redis being away is a
cache miss, not an error page.

- Django's RedisCacheClient.get_client() makes `redis.Redis(connection_pool=...)` on each call;
  redis-py fills ~170 response callbacks in its constructor, which cost more than the round
  trip itself (a page reads a dozen cached parts). A client is thread-safe and only wraps the
  pool, so one per pool is kept.
- Every operation that meets a Redis error degrades: a read is a miss, a write does nothing.
  Sessions are `cached_db`, so they come from the database; the read cache computes. After an
  error the cache is not asked again for RETRY_SECONDS (a stopped server answers at once, an
  unreachable one after the socket timeout: that wait is paid once, not per call).
- When Redis answers again, the read cache's version tokens are dropped: an invalidation that
  failed while Redis was away must not let an entry from before the write be served.
- An entry the running code cannot unpickle (written by the release before a deploy that moved
  or renamed a class, e.g. reporting.monthly's) is a miss: it is computed again and written over,
  instead of every page that reads it answering 500 until the cache is flushed.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
# What unpickling an entry of an older release raises (a module, class or attribute gone).
UNREADABLE = (pickle.UnpicklingError, ImportError, AttributeError, EOFError, TypeError, ValueError)
READS = {"get", "get_many"}
READ_CACHE_TOKENS = "read-cache-version:*"

_lock = threading.Lock()
_down_until = 0.0
_failed_since: float | None = None


def cache_unavailable() -> bool:
    """True while this process has found Redis away (the admins' banner asks this)."""
    return _failed_since is not None


def _note_failure(exc: Exception) -> None:
    global _down_until, _failed_since
    with _lock:
        if _failed_since is None:
            logger.warning("Redis cache unreachable (%s): pages compute what they would have read", exc)
            _failed_since = time.monotonic()
        _down_until = time.monotonic() + RETRY_SECONDS


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _degrading(name: str, fallback):
    def operation(self, *args, **kwargs):
        if time.monotonic() < _down_until:
            return fallback(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except RedisError as exc:
            _note_failure(exc)
            return fallback(*args, **kwargs)
        except UNREADABLE as exc:
            if name not in READS:
                raise
            logger.warning("a cache entry of an older release could not be read (%s): computed again", exc)
            return fallback(*args, **kwargs)
        if _failed_since is not None:
            self._recovered()
        return result

    operation.__name__ = name
    return operation


def _default(*args, **kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _degrading("get", _default)
    get_many = _degrading("get_many", lambda *args, **kwargs: {})
    has_key = _degrading("has_key", lambda *args, **kwargs: False)
    add = _degrading("add", lambda *args, **kwargs: False)
    set = _degrading("set", lambda *args, **kwargs: None)
    set_many = _degrading("set_many", lambda *args, **kwargs: [])
    touch = _degrading("touch", lambda *args, **kwargs: False)
    delete = _degrading("delete", lambda *args, **kwargs: False)
    delete_many = _degrading("delete_many", lambda *args, **kwargs: None)
    incr = _degrading("incr", lambda *args, **kwargs: None)

    def _recovered(self) -> None:
        global _failed_since
        with _lock:
            if _failed_since is None:
                return
            away = time.monotonic() - _failed_since
            _failed_since = None
        try:
            client = self._cache.get_client(write=True)
            pattern = self.make_key(READ_CACHE_TOKENS)
            stale = list(client.scan_iter(match=pattern, count=500))
            if stale:
                client.delete(*stale)
            logger.warning("Redis cache back after %.0f s; %d read-cache tokens dropped", away, len(stale))
        except RedisError as exc:
            _note_failure(exc)
