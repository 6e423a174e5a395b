"""GET /healthz: is the database reachable, and the broker when one is configured."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _check_database():
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; the type goes out, not the message
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_broker():
    if not settings.REDIS_URL:
        return {"configured": False, "ok": True}
    started = time.monotonic()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:
        return {"configured": True, "ok": False, "error": type(exc).__name__}
    return {"configured": True, "ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_safe
def healthz(request):
    database, broker = _check_database(), _check_broker()
    healthy = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker}, status=200 if healthy else 503
    )
