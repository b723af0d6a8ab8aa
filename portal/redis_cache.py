"""Django's Redis cache, without building a new redis client for every operation.

Django's RedisCacheClient.get_client() makes `redis.Redis(connection_pool=...)` on each call;
redis-py fills ~170 response callbacks in its constructor, which cost more than the round
trip itself (a page reads a dozen cached parts). A client is thread-safe and only wraps the
pool, so one per pool is kept."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
