"""The Redis cache and the broker publish behind one circuit breaker (townships/cache.py, queue.py).

A paused Redis answers nothing, so every call waits its socket timeout: the breaker makes the
first failure the only wait, for every cache call and publish of the process, until Redis is
tried again after the interval."""

import socket

import pytest
from celery import Celery
from kombu import Connection
from redis.exceptions import ConnectionError as RedisConnectionError

from townships import queue
from townships.cache import BREAKER_SECONDS, ResilientRedisCache, redis_breaker

# The harness's session fixtures open the test database, which a test session without it never creates.
pytestmark = pytest.mark.django_db


class FakeRedis:
    """Stands for django's RedisCacheClient: counts the calls that reach Redis."""

    def __init__(self):
        self.calls = 0
        self.down = True
        self.store = {}

    def _call(self, result=None):
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Timeout reading from socket")
        return result

    def get(self, key, default):
        return self._call(self.store.get(key, default))

    def set(self, key, value, timeout):
        self._call()
        self.store[key] = value

    def get_many(self, keys):
        return self._call({})

    def incr(self, key, delta):
        return self._call(1)

    def delete(self, key):
        return self._call(True)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def redis():
    cache = ResilientRedisCache("redis://127.0.0.1:9/0", {"KEY_PREFIX": "t"})
    fake = FakeRedis()
    cache._cache = fake  # the cached_property's slot: every operation goes to the fake
    return cache, fake


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(redis_breaker, "clock", clock)
    redis_breaker.reset()
    yield clock
    redis_breaker.reset()


def test_the_first_failure_opens_the_breaker_and_later_calls_skip_redis(redis, clock):
    cache, fake = redis
    assert cache.get("page") is None
    assert fake.calls == 1 and redis_breaker.is_open
    # A request's other cache calls (token, throttle, generation, page) are misses without a wait.
    assert cache.get("token", "miss") == "miss"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("page", b"body")
    assert cache.incr("throttle") == 0
    assert cache.delete("token") is False
    assert fake.calls == 1


def test_it_half_opens_after_the_interval_and_closes_when_redis_answers(redis, clock):
    cache, fake = redis
    cache.get("page")
    clock.now += BREAKER_SECONDS - 0.1
    cache.get("page")
    assert fake.calls == 1  # still open

    clock.now += 0.2  # the interval is over: one call is let through, and fails again
    cache.get("page")
    assert fake.calls == 2 and redis_breaker.is_open
    cache.get("page")
    assert fake.calls == 2  # open for another interval

    clock.now += BREAKER_SECONDS + 0.1
    fake.down = False
    cache.set("page", "cached")  # the trial succeeds: closed
    assert not redis_breaker.is_open
    assert cache.get("page") == "cached" and fake.calls == 4


def test_only_one_caller_tries_while_half_open(clock):
    redis_breaker.failed()
    clock.now += BREAKER_SECONDS + 1
    assert redis_breaker.allow() is True  # the trial
    assert redis_breaker.allow() is False  # the others keep skipping until it reports
    redis_breaker.succeeded()
    assert redis_breaker.allow() is True


@pytest.fixture
def silent_broker():
    """A port that accepts connections and never answers, like a Redis stopped with SIGSTOP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def _app(broker):
    # Not the current app: the product's shared tasks must keep publishing to the test Redis.
    app = Celery("outage", broker=broker, set_as_current=False)
    # The product's settings: socket timeouts under 2 s, a connection timeout of 2 s.
    app.conf.broker_transport_options = {"socket_timeout": 1, "socket_connect_timeout": 1}
    app.conf.broker_connection_timeout = 2

    @app.task(shared=False)  # not registered on the product's app
    def ping():
        return "pong"

    return ping


def test_a_publish_to_a_silent_broker_makes_one_connection_attempt(silent_broker, clock, monkeypatch):
    """kombu's connection set-up retries (sleeping between tries) until the connection timeout,
    whatever the send's retry=False; the publish makes one attempt and opens the breaker."""
    attempts = []
    establish = Connection._establish_connection
    monkeypatch.setattr(
        Connection, "_establish_connection", lambda self: attempts.append(1) or establish(self), raising=True
    )
    ping = _app(silent_broker)
    assert queue.publish(ping) is False
    assert len(attempts) == 1
    assert redis_breaker.is_open


def test_a_publish_while_the_breaker_is_open_does_not_touch_the_broker(silent_broker, clock, monkeypatch):
    ping = _app(silent_broker)
    redis_breaker.failed()
    monkeypatch.setattr(ping.app, "producer_or_acquire", lambda *a, **k: pytest.fail("the broker was used"))
    assert queue.publish(ping) is False
