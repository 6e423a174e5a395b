"""The Redis cache, degraded rather than failed when Redis is unavailable.

The cache holds nothing that is not also somewhere else: the API's per-token throttle
counts, computed pages. With Redis down or paused, a read is a miss and a write is
skipped after the short socket timeout in ``CACHES["default"]["OPTIONS"]``, so pages and
the API keep answering (the throttle stops counting until Redis is back) instead of
every request answering 500.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _degrade(default):
    """Wrap a cache method so a Redis error returns ``default(*args, **kwargs)`` instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError):
                log.warning("cache unavailable: %s skipped", method.__name__, exc_info=True)
                return default(*args, **kwargs)

        return wrapper

    return decorate


def _get_default(key, default=None, version=None):
    return default


def _always(value):
    return lambda *args, **kwargs: value() if callable(value) else value


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; a Redis error on any operation is logged and treated as a miss."""

    get = _degrade(_get_default)(RedisCache.get)
    get_many = _degrade(_always(dict))(RedisCache.get_many)
    has_key = _degrade(_always(False))(RedisCache.has_key)
    add = _degrade(_always(False))(RedisCache.add)
    set = _degrade(_always(None))(RedisCache.set)
    set_many = _degrade(_always(list))(RedisCache.set_many)
    touch = _degrade(_always(False))(RedisCache.touch)
    delete = _degrade(_always(False))(RedisCache.delete)
    delete_many = _degrade(_always(None))(RedisCache.delete_many)
    incr = _degrade(_always(0))(RedisCache.incr)
    clear = _degrade(_always(False))(RedisCache.clear)
