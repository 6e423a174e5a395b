"""Outage drills (issue 10, check 11) on PostgreSQL, Redis and a real worker.

Redis is paused (SIGSTOP: the process holds its connections but answers nothing, the
worst case for a client without timeouts) while the county approves a month's last
report, while a township files a report through the API and while clients read the scores
API. Each request must answer within 2 s (one Redis timeout: the circuit breaker of
townships/cache.py skips Redis after the first failure, for the cache and the broker), lose
nothing, and the work it started must be done soon after Redis resumes."""

import atexit
import datetime
import os
import signal
import tempfile
import time
from contextlib import contextmanager

import kombu.pools
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.choices import ReportStatus, RunKind, RunStatus
from assessments.models import MonthlyReport, ScoringRun
from assessments.services import recovery
from config.celery import app as celery_app
from tests import factories
from tests.harness import _port_open, start_redis
from tests.integration.conftest import wait_for
from tests.integration.test_scoring import MONTH, YEAR, _county
from townships.cache import redis_breaker

# serial: pausing or stopping Redis would stall every pytest-xdist worker; make test runs these alone.
pytestmark = [pytest.mark.integration, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

# No request waits more than this while Redis is paused: one socket timeout (1–1.5 s), then the
# breaker is open and every other Redis call of the request is skipped.
OUTAGE_BOUND_S = 2


@contextmanager
def redis_paused():
    pid = int(os.environ["TEST_REDIS_PID"])
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_approving_the_last_report_while_redis_is_paused(celery_worker, client, figure):
    county = _county()
    last = MonthlyReport.objects.filter(township__county=county).order_by("pk").last()
    MonthlyReport.objects.filter(pk=last.pk).update(status=ReportStatus.SUBMITTED)
    client.force_login(factories.county_admin(county, username="outage-admin"))
    # Warm: the first request of the process loads URLs, templates and translations (not Redis).
    assert client.get(reverse("report-detail", args=[last.pk])).status_code == 200
    # No broker connection yet, as in a web process that has not published since gunicorn forked
    # it: the publish sets one up against the paused Redis (kombu retries that, sleeping between tries).
    kombu.pools.reset()
    celery_app._after_fork()

    with redis_paused():
        started = time.monotonic()
        response = client.post(reverse("report-detail", args=[last.pk]), {"approve": "1"})
        answered = time.monotonic() - started
    resumed = time.monotonic()
    assert answered < OUTAGE_BOUND_S, f"the approval took {answered:.1f} s with Redis paused"

    assert response.status_code == 302  # back to the report, with its message: no 500
    last.refresh_from_db()
    assert last.status == ReportStatus.APPROVED  # the approval committed and was kept
    run = ScoringRun.objects.get(county=county, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert run.status == RunStatus.PENDING  # the intent is stored; its message could not be sent

    # Beat's sweeper (every 30 s) sends it again; here we call it as beat would after the grace
    # (until the breaker, open since the pause, lets the publish through again).
    assert wait_for(lambda: recovery.sweep_runs(now=timezone.now() + datetime.timedelta(seconds=21)) >= 1, 30, 1)
    assert wait_for(lambda: ScoringRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, timeout=90)
    done = time.monotonic() - resumed
    figure(
        "outage: Redis paused during the last approval",
        f"answered in {answered:.1f} s, 0 lost, run done {done:.0f} s after resume",
    )


def test_a_township_files_through_the_api_while_redis_is_paused(figure):
    county = factories.CountyFactory(name="停机县")
    township = factories.TownshipFactory(county=county, name="停机镇")
    village = factories.VillageFactory(township=township, name="停机村")
    api = APIClient()
    factories.use_token(api, factories.township_staff(township, username="outage-staff"))

    with redis_paused():
        started = time.monotonic()
        response = api.post(
            "/api/v1/reports/", {"village": village.pk, "year": YEAR, "month": MONTH, "values": {}}, format="json"
        )
        answered = time.monotonic() - started

    assert response.status_code == 201, response.content  # the throttle degrades, it does not fail
    assert MonthlyReport.objects.filter(village=village, year=YEAR, month=MONTH).count() == 1
    figure("outage: Redis paused during an API filing", f"answered {response.status_code} in {answered:.1f} s, 0 lost")


def test_the_scores_api_answers_within_the_bound_while_redis_is_paused(client, figure):
    """The scores API makes six to eight cache calls (token, throttle, generation, page): with
    Redis paused only the first waits its timeout. Each request starts with the breaker closed,
    as the first request of a process would."""
    county = _county()
    staff = factories.county_admin(county, username="outage-reader")
    client.force_login(staff)
    api = APIClient()
    factories.use_token(api, staff)
    path = f"/api/v1/scores/?year={YEAR}&page_size=100"
    assert client.get(path).status_code == 200  # warm: the page is in the cache before the pause

    times = {}
    with redis_paused():
        for name, get in (("session", client.get), ("token", api.get), ("token again", api.get)):
            redis_breaker.reset()
            started = time.monotonic()
            response = get(path)
            times[name] = time.monotonic() - started
            assert response.status_code == 200, response.content
        started = time.monotonic()
        assert api.get(path).status_code == 200  # the breaker is open now: no wait at all
        times["breaker open"] = time.monotonic() - started

    for name, took in times.items():
        assert took < OUTAGE_BOUND_S, f"the scores API ({name}) took {took:.1f} s with Redis paused"
    figure(
        "outage: Redis paused during scores API reads",
        ", ".join(f"{name} {took:.1f} s" for name, took in times.items()),
    )


def _stop_redis():
    pid = int(os.environ["TEST_REDIS_PID"])
    os.kill(pid, signal.SIGTERM)
    port = int(os.environ["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
    assert wait_for(lambda: not _port_open(port), timeout=30)
    return port


def _start_redis(port):
    """A new Redis on the same port, for the rest of the session (stopped when pytest exits)."""
    process, _url = start_redis(tempfile.mkdtemp(prefix="redis-again-"), port=port)
    atexit.register(process.terminate)
    os.environ["TEST_REDIS_PID"] = str(process.pid)


def test_approving_and_filing_while_redis_is_down_then_recovering(celery_worker, client, figure):
    """Redis stopped (connection refused), then started again: nothing lost, the run done after."""
    county = _county()
    last = MonthlyReport.objects.filter(township__county=county).order_by("pk").last()
    MonthlyReport.objects.filter(pk=last.pk).update(status=ReportStatus.SUBMITTED)
    client.force_login(factories.county_admin(county, username="down-admin"))
    # The filing is another county's, so this county's month stays complete once approved.
    township = factories.TownshipFactory(county=factories.CountyFactory(name="停机邻县"), name="邻县镇")
    village = factories.VillageFactory(township=township, name="停机后补村")
    api = APIClient()
    factories.use_token(api, factories.township_staff(township, username="down-staff"))

    port = _stop_redis()
    try:
        started = time.monotonic()
        approval = client.post(reverse("report-detail", args=[last.pk]), {"approve": "1"})
        filing = api.post(
            "/api/v1/reports/", {"village": village.pk, "year": YEAR, "month": MONTH, "values": {}}, format="json"
        )
        answered = time.monotonic() - started
    finally:
        _start_redis(port)
    back = time.monotonic()

    assert approval.status_code == 302 and filing.status_code == 201, filing.content
    last.refresh_from_db()
    assert last.status == ReportStatus.APPROVED
    assert MonthlyReport.objects.filter(village=village).count() == 1
    run = ScoringRun.objects.get(county=county, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert run.status == RunStatus.PENDING
    # The worker reconnects by itself; beat's sweeper (called here as beat would) sends the run.
    assert wait_for(lambda: recovery.sweep_runs(now=timezone.now() + datetime.timedelta(seconds=21)) >= 1, 60, 2)
    assert wait_for(lambda: ScoringRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, timeout=120)
    done = time.monotonic() - back
    figure(
        "outage: Redis stopped during an approval and an API filing",
        f"both answered in {answered:.1f} s, 0 lost, run done {done:.0f} s after Redis was back",
    )
