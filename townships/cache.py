"""The Redis cache, degraded rather than failed when Redis is unavailable.

The cache holds nothing that is not also somewhere else: the API's per-token throttle
counts, checked tokens, computed pages. With Redis down or paused, a read is a miss and a
write is skipped, so pages and the API keep answering (the throttle stops counting until
Redis is back) instead of every request answering 500.

A paused Redis answers nothing: each call would wait its full socket timeout
(``CACHES["default"]["OPTIONS"]``), and a request makes several. So the first failure opens
a circuit breaker (``redis_breaker``) shared by every cache call and by the broker publish
(``townships.queue``), which talk to the same Redis: while it is open they are skipped at
once, and after ``BREAKER_SECONDS`` one call is let through to see whether Redis is back.
"""

import functools
import logging
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# How long Redis is left alone after a failure: short enough that the cache is back within
# seconds of Redis, long enough that a paused Redis costs one timeout per process per interval
# instead of one per cache call.
BREAKER_SECONDS = 5


class CircuitBreaker:
    """Closed (calls go through) until a failure; then open (``allow()`` is False) for
    ``interval`` seconds; then half-open: the next caller is let through alone (the others keep
    skipping) and its success closes the breaker, its failure opens it for another interval.

    One per process, shared by its threads; ``clock`` is replaceable for the tests."""

    def __init__(self, interval=BREAKER_SECONDS, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._open_until = None  # None: closed

    @property
    def is_open(self):
        return self._open_until is not None

    def allow(self):
        """True if a call may go to Redis now (closed, or this caller is the half-open trial)."""
        if self._open_until is None:
            return True
        with self._lock:
            if self._open_until is None:
                return True
            if self.clock() < self._open_until:
                return False
            # Half-open: this caller tries; the others skip until it reports.
            self._open_until = self.clock() + self.interval
            return True

    def succeeded(self):
        if self._open_until is not None:
            with self._lock:
                if self._open_until is not None:
                    log.warning("redis is back: the circuit breaker is closed")
                self._open_until = None

    def failed(self):
        with self._lock:
            if self._open_until is None:
                log.warning("redis unavailable: calls skipped for %s s", self.interval)
            self._open_until = self.clock() + self.interval

    def reset(self):
        with self._lock:
            self._open_until = None


redis_breaker = CircuitBreaker()


def _degrade(default):
    """Wrap a cache method so a Redis error, or an open breaker, returns ``default(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if not redis_breaker.allow():
                return default(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except (RedisError, OSError):
                redis_breaker.failed()
                log.warning("cache unavailable: %s skipped", method.__name__, exc_info=True)
                return default(*args, **kwargs)
            redis_breaker.succeeded()
            return result

        return wrapper

    return decorate


def _get_default(key, default=None, version=None):
    return default


def _always(value):
    return lambda *args, **kwargs: value() if callable(value) else value


class PooledRedisCacheClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every cache call, and redis-py builds its
    table of response callbacks in each (~0.4 ms: most of a cached API answer's cache time). A
    client is thread-safe and takes its connections from the pool, so one per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; a Redis error on any operation is logged and treated as a miss, and
    opens the breaker so the calls after it are skipped without waiting."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient

    def _count_in_window(self, key, window):
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        count = client.incr(key)
        if count == 1:
            # The window's first request gives its counter an expiry (one more round trip per
            # window; a key left without one by a crash in between belongs to a past window).
            client.expire(key, window)
        return count

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
    count_in_window = _degrade(_always(0))(_count_in_window)


def count_in_window(key, window):
    """Add one to ``key``'s counter of the current fixed window of ``window`` seconds and return
    the count (0 when Redis is unavailable: nothing is counted). One round trip on Redis; the
    local-memory cache of ``make run`` and the tests does the same in two calls."""
    if hasattr(cache, "count_in_window"):
        return cache.count_in_window(key, window)
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this request opens a new window
        cache.add(key, 1, window)
        return 1


class LocalBytes:
    """A bounded in-process copy of large values that never change under their key (the key names
    what the value was made from, e.g. a generation and an ETag), so a process serves them again
    without fetching and unpickling them from Redis. Least recently used first out; per process."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._values = OrderedDict()
        self._size = 0

    def get(self, key):
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def set(self, key, value):
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._values.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._values[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _key, dropped = self._values.popitem(last=False)
                self._size -= len(dropped)

    def clear(self):
        with self._lock:
            self._values.clear()
            self._size = 0
