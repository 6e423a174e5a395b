"""The application's URLs plus ``bench/bare/<size>/``: the floor of the API benchmark.

The bare view is a plain Django view behind the same gunicorn and middleware as ``/api/v1/scores/``
(no DRF: no authentication, permission, throttle or negotiation) that serves fixed bytes: one
``/api/v1/scores/?page_size=<size>`` response, fetched once by the runner at start-up and handed
over in the files named by BENCH_BARE_BODY (``{size}`` in the name is the page size).
"""

import os

from django.http import HttpResponse
from django.urls import path

from config.urls import handler403  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

_bodies = {}


def _bare_body(size):
    if size not in _bodies:
        with open(os.environ["BENCH_BARE_BODY"].format(size=size), "rb") as handle:
            _bodies[size] = handle.read()
    return _bodies[size]


def bare(request, size):
    return HttpResponse(_bare_body(size), content_type="application/json")


urlpatterns = [path("bench/bare/<int:size>/", bare), *app_urlpatterns]
