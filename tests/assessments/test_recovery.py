"""The sweeper puts interrupted scoring work back to work, and publishing never fails a request.

Times are given relative to ``NOW`` (the sweep's clock): the lease is 40 s (a step with no
heartbeat for 40 s is presumed dead), a pending run is sent again after 20 s, a run running 30
minutes after its first claim is failed, a step handed out 5 times is failed. Each case states what
the sweeper must do, read from the rules in assessments/services/recovery.py's docstring."""

import datetime
import threading
import time

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from assessments.choices import RunKind, RunStatus
from assessments.models import ScoringChunk, ScoringRun
from assessments.services import recovery, runs
from townships import queue

NOW = datetime.datetime(2026, 11, 25, 2, 0, 0, tzinfo=datetime.UTC)


def ago(seconds):
    return NOW - datetime.timedelta(seconds=seconds)


@pytest.fixture
def sent(monkeypatch):
    """What the sweeper publishes, as (task name, args); nothing reaches a broker."""
    calls = []
    monkeypatch.setattr(
        recovery, "publish", lambda task, *args: calls.append((task.name.rsplit(".", 1)[1], args)) or True
    )
    return calls


def run(
    county, *, kind=RunKind.MONTHLY, status=RunStatus.RUNNING, created=0, started=None, period=3, beat=None, attempts=1
):
    """A run first claimed ``started`` seconds ago whose last heartbeat was ``beat`` seconds ago
    (by default at the claim: a worker that died at once)."""
    made = ScoringRun.objects.create(county=county, kind=kind, year=2026, period=period, status=status)
    beat = started if beat is None else beat
    ScoringRun.objects.filter(pk=made.pk).update(
        created_at=ago(created),
        started_at=ago(started) if started is not None else None,
        claimed_at=ago(started) if started is not None else None,
        heartbeat_at=ago(beat) if beat is not None else None,
        attempts=attempts if started is not None else 0,
    )
    made.refresh_from_db()
    return made


def chunk(run_, township, *, status=RunStatus.PENDING, claimed=None, attempts=0, beat=None):
    return ScoringChunk.objects.create(
        run=run_,
        township=township,
        status=status,
        attempts=attempts,
        claimed_at=ago(claimed) if claimed else None,
        heartbeat_at=ago(beat) if beat else None,
    )


def test_a_pending_run_not_picked_up_within_20_seconds_is_sent_again(county, sent):
    late = run(county, status=RunStatus.PENDING, created=21, period=3)
    run(county, status=RunStatus.PENDING, created=5, period=4)  # just queued: its message may still be on its way
    recovery.sweep_runs(now=NOW)
    assert sent == [("run_scoring", (late.pk,))]


def test_a_chunk_past_its_lease_is_sent_again_and_one_within_it_is_left(county, township, other_township, sent):
    monthly = run(county, started=90)
    dead = chunk(monthly, township, status=RunStatus.RUNNING, claimed=41, attempts=1)
    chunk(monthly, other_township, status=RunStatus.RUNNING, claimed=39, attempts=1)
    recovery.sweep_runs(now=NOW)
    assert sent == [("score_chunk", (dead.pk,))]


def test_a_pending_chunk_of_a_running_run_is_sent_again_after_the_grace(county, township, sent):
    monthly = run(county, started=21)
    lost = chunk(monthly, township)
    recovery.sweep_runs(now=NOW)
    assert sent == [("score_chunk", (lost.pk,))]


def test_a_chunk_claimed_five_times_fails_its_run_with_the_reason(county, township, settings, sent):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 5
    monthly = run(county, started=600)
    chunk(monthly, township, status=RunStatus.RUNNING, claimed=41, attempts=5)
    recovery.sweep_runs(now=NOW)
    monthly.refresh_from_db()
    assert sent == []
    assert monthly.status == RunStatus.FAILED
    assert township.name in monthly.error and "5 次" in monthly.error


def test_a_run_whose_chunks_are_all_done_is_finalized(county, township, other_township, sent):
    monthly = run(county, started=100)
    chunk(monthly, township, status=RunStatus.SUCCEEDED, claimed=90, attempts=1)
    chunk(monthly, other_township, status=RunStatus.SUCCEEDED, claimed=90, attempts=2)
    recovery.sweep_runs(now=NOW)
    assert sent == [("finalize_run", (None, monthly.pk))]


def test_an_annual_run_whose_worker_died_goes_back_to_pending_and_is_sent(county, sent):
    annual = run(county, kind=RunKind.ANNUAL, period=0, started=41)
    alive = run(county, kind=RunKind.QUARTERLY, period=1, started=10)
    recovery.sweep_runs(now=NOW)
    annual.refresh_from_db()
    alive.refresh_from_db()
    assert annual.status == RunStatus.PENDING and alive.status == RunStatus.RUNNING
    assert sent == [("run_scoring", (annual.pk,))]


def test_a_slow_quarterly_or_annual_run_that_still_beats_is_left_to_work(county, sent):
    """Claimed 100 s ago (past the 40 s lease) but beating 5 s ago: its worker is alive."""
    annual = run(county, kind=RunKind.ANNUAL, period=0, started=100, beat=5)
    quarterly = run(county, kind=RunKind.QUARTERLY, period=1, started=600, beat=39)
    recovery.sweep_runs(now=NOW)
    annual.refresh_from_db()
    quarterly.refresh_from_db()
    assert annual.status == RunStatus.RUNNING and quarterly.status == RunStatus.RUNNING
    assert sent == []


def test_a_chunk_claimed_long_ago_that_still_beats_is_left_to_work(county, township, sent):
    monthly = run(county, started=100)
    chunk(monthly, township, status=RunStatus.RUNNING, claimed=100, beat=5, attempts=1)
    recovery.sweep_runs(now=NOW)
    assert sent == []


def test_a_quarterly_run_handed_out_five_times_fails_with_the_reason(county, settings, sent):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 5
    tired = run(county, kind=RunKind.QUARTERLY, period=1, started=300, beat=41, attempts=5)
    fourth = run(county, kind=RunKind.ANNUAL, period=0, started=300, beat=41, attempts=4)
    recovery.sweep_runs(now=NOW)
    tired.refresh_from_db()
    fourth.refresh_from_db()
    assert tired.status == RunStatus.FAILED and "已重试 5 次仍未完成" in tired.error
    assert fourth.status == RunStatus.PENDING and sent == [("run_scoring", (fourth.pk,))]


def test_handing_a_run_out_again_keeps_its_first_claim_so_the_deadline_holds(county, sent):
    """An annual run first claimed 31 minutes ago, put back to pending by the sweeper, claimed again
    now: the deadline still counts from the first claim, so the next sweep ends it."""
    annual = ScoringRun.objects.create(county=county, kind=RunKind.ANNUAL, year=2026, period=0)
    first_claim = timezone.now() - datetime.timedelta(minutes=31)
    ScoringRun.objects.filter(pk=annual.pk).update(started_at=first_claim)
    assert runs.run_claim(annual.pk)
    annual.refresh_from_db()
    assert annual.started_at == first_claim
    recovery.sweep_runs(now=timezone.now())
    annual.refresh_from_db()
    assert annual.status == RunStatus.FAILED and "30 分钟" in annual.error


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the heartbeat is a second connection; not on SQLite (make run: no sweeper)"
)
@pytest.mark.django_db(transaction=True)
def test_a_slow_annual_run_keeps_its_heartbeat_and_is_not_handed_out_while_it_computes(
    county, settings, monkeypatch, sent
):
    """With a 1 s lease the run beats every 0.25 s; it computes for 2 s, and a sweep 1.2 s into it
    finds it alive (before the heartbeat it was put back to pending and executed a second time)."""
    settings.SCORING_CHUNK_LEASE_SECONDS = 1
    monkeypatch.setattr(runs.lifecycle, "annual_rating_compute", lambda **kwargs: time.sleep(2) or 0)
    annual = ScoringRun.objects.create(county=county, kind=RunKind.ANNUAL, year=2026, period=0)

    def work():
        try:
            runs.run_dispatch(annual.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(1.2)
    recovery.sweep_runs(now=timezone.now())
    assert ScoringRun.objects.get(pk=annual.pk).status == RunStatus.RUNNING
    worker.join(timeout=10)
    annual.refresh_from_db()
    assert annual.status == RunStatus.SUCCEEDED and annual.attempts == 1
    assert sent == []


def test_a_run_running_for_30_minutes_ends_failed_with_the_reason(county, township, sent):
    stuck = run(county, started=30 * 60 + 1)
    chunk(stuck, township, status=RunStatus.RUNNING, claimed=30, attempts=1)
    recovery.sweep_runs(now=NOW)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "30 分钟" in stuck.error
    assert sent == []


def test_finished_runs_are_left_alone(county, township, sent):
    done = run(county, status=RunStatus.SUCCEEDED, created=3600, started=3600)
    chunk(done, township, status=RunStatus.SUCCEEDED, claimed=3600)
    run(county, status=RunStatus.FAILED, created=3600, started=3600, period=4)
    recovery.sweep_runs(now=NOW)
    assert sent == []


def test_publishing_to_an_unreachable_broker_returns_false_instead_of_raising():
    """Nothing listens on port 9 of loopback: the connection is refused and publish says so."""
    app = Celery("outage", broker="redis://127.0.0.1:9/0")
    app.conf.broker_transport_options = {"socket_timeout": 1, "socket_connect_timeout": 1}
    app.conf.broker_connection_timeout = 1

    @app.task
    def ping():
        return "pong"

    assert queue.publish(ping) is False
