"""The application's URLs plus ``bench/bare/``: the floor of the API benchmark.

The bare view goes through the same stack as ``/api/v1/scores/`` (gunicorn, the middleware, DRF with
the same token authentication, permission and throttle) but serves a fixed body: the bytes of one
``/api/v1/scores/?page_size=100`` response, fetched once by the runner at start-up and handed over
in the file named by BENCH_BARE_BODY.
"""

import os

from django.http import HttpResponse
from django.urls import path
from rest_framework.views import APIView

from config.urls import handler403  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

_body = None


def _bare_body():
    global _body
    if _body is None:
        with open(os.environ["BENCH_BARE_BODY"], "rb") as handle:
            _body = handle.read()
    return _body


class BareView(APIView):
    def get(self, request):
        return HttpResponse(_bare_body(), content_type="application/json")


urlpatterns = [path("bench/bare/", BareView.as_view()), *app_urlpatterns]
