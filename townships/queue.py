"""Publishing work to the broker without letting the broker fail or hang a request.

Work that must happen is first a row in the database (a pending scoring run, its
chunks); the message only says "look at that row now". So when Redis is down or
paused, ``publish`` gives up after the broker's short socket timeouts
(``CELERY_BROKER_TRANSPORT_OPTIONS``), logs it and returns False, and the request that
committed its change answers normally.

A publish is bounded: one connection attempt (kombu's connection set-up otherwise retries
until ``broker_connection_timeout`` runs out, sleeping between tries, ~5 s with Redis paused)
and one send, each within the broker's socket timeouts. A failure opens the Redis circuit
breaker shared with the cache (``townships.cache.redis_breaker``: the same Redis), so the
rest of the request, and the requests after it for a few seconds, skip Redis at once. ``assessments.tasks.sweep_scoring_runs`` (beat,
every 30 seconds) publishes again whatever is still pending once the broker is back.

With eager Celery (``make run``, no Redis) the task runs here and its errors propagate,
as they would anywhere else in the request.
"""

import logging

from django.db import transaction

from .cache import redis_breaker

log = logging.getLogger(__name__)


def publish(task, *args):
    """Send ``task(*args)`` to the broker once, without retrying; False if it could not be sent."""
    if task.app.conf.task_always_eager:
        task.apply(args=args, throw=True)
        return True
    if not redis_breaker.allow():
        log.warning("broker skipped (Redis unavailable): %s%r not sent; the sweeper will send it", task.name, args)
        return False
    try:
        with task.app.producer_or_acquire() as producer:
            # One attempt: max_retries=0 stops kombu's retry-with-sleep loop, which ignores the
            # send's retry=False and would hold the request for ~5 s.
            producer.connection.ensure_connection(max_retries=0)
            # ignore_result: nobody waits on these results, and subscribing to one would make the
            # result backend's reconnect loop (a minute with Redis paused) part of the request.
            task.apply_async(args=args, retry=False, ignore_result=True, producer=producer)
    except Exception:  # kombu and redis raise many kinds; every one means "not sent"
        redis_breaker.failed()
        log.warning("broker unavailable: %s%r not sent; the sweeper will send it again", task.name, args, exc_info=True)
        return False
    redis_breaker.succeeded()
    return True


def publish_on_commit(task, *args):
    """Publish once the current transaction has committed (never for work that was rolled back)."""
    transaction.on_commit(lambda: publish(task, *args))
