"""Check 9 (a worker killed mid-run, ten times) and check 11's second half (PostgreSQL
restarted mid-run), with beat's real schedule doing the recovery: no test code calls the
sweeper here. Goal: every run ends with the same scores as an uninterrupted one, no
duplicates, nothing missing, done within two minutes of the worker's or database's return."""

import os
import random
import subprocess
import time

import pytest
from django.db import connection

from assessments.choices import RunKind, RunStatus
from assessments.models import Score, ScoreItem, ScoringChunk, ScoringRun
from assessments.services import run_synchronously, scoring_run_start
from tests.integration.conftest import Worker, wait_for, worker_env
from tests.integration.test_scoring import MONTH, YEAR, _county, _snapshot

pytestmark = [pytest.mark.soak, pytest.mark.integration, pytest.mark.django_db(transaction=True)]
RECOVERY_TIMEOUT = 300  # seconds: far above the goal, so a miss is measured, not cut short


def _baseline():
    county = _county()
    run = scoring_run_start(
        actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, enqueue=False
    )
    run_synchronously(run)
    return county, _snapshot(county)


def _check(county, expected, run):
    scores = Score.objects.filter(township__county=county, year=YEAR, period=MONTH)
    items = ScoreItem.objects.filter(score__in=scores).count()
    return {
        "status": ScoringRun.objects.get(pk=run.pk).status,
        "identical": _snapshot(county) == expected,
        "duplicates": scores.count() - len(expected) if scores.count() > len(expected) else 0,
        "missing": max(len(expected) - scores.count(), 0),
        "items": items,
    }


def test_a_worker_killed_mid_run_ten_times(beat, figure):
    county, expected = _baseline()
    outcomes, recoveries = [], []
    for attempt in range(10):
        slow = Worker(worker_env() | {"SCORING_CHUNK_PAUSE": "2"}).start(concurrency=1)
        run = scoring_run_start(actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
        assert wait_for(
            lambda run=run: ScoringChunk.objects.filter(run=run, status=RunStatus.RUNNING).exists(), timeout=60
        )
        time.sleep(random.Random(attempt).uniform(0, 4))  # a random point of the run
        slow.kill()
        fresh = Worker(worker_env()).start(concurrency=2)
        restarted = time.monotonic()
        wait_for(
            lambda run=run: ScoringRun.objects.get(pk=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.FAILED),
            timeout=RECOVERY_TIMEOUT,
            interval=1,
        )
        recoveries.append(time.monotonic() - restarted)
        outcomes.append(_check(county, expected, run))
        fresh.stop()
    good = sum(o["status"] == RunStatus.SUCCEEDED and o["identical"] for o in outcomes)
    duplicates = sum(o["duplicates"] for o in outcomes)
    missing = sum(o["missing"] for o in outcomes)
    figure(
        "worker killed mid-run x10",
        f"{good}/10 identical to an uninterrupted run, {duplicates} duplicates, {missing} missing, "
        f"done {min(recoveries):.0f}-{max(recoveries):.0f} s after the worker's restart",
    )
    assert good == 10 and duplicates == missing == 0


def _restart_postgres():
    """pg_ctl restart of the server make soak started (tests/harness.py exports where it lives)."""
    command = [os.path.join(os.environ["TEST_PG_BINDIR"], "pg_ctl"), "-D", os.environ["TEST_PG_DATADIR"],
               "-m", "fast", "-w", "-l", os.path.join(os.environ["TEST_PG_DATADIR"], "restart.log"), "restart"]  # fmt: skip
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def test_postgres_restarted_mid_run(beat, figure):
    county, expected = _baseline()
    worker = Worker(worker_env() | {"SCORING_CHUNK_PAUSE": "2"}).start(concurrency=1)
    try:
        run = scoring_run_start(actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
        assert wait_for(lambda: ScoringChunk.objects.filter(run=run, status=RunStatus.RUNNING).exists(), timeout=60)
        connection.close()
        _restart_postgres()
        back = time.monotonic()
        connection.close()
        wait_for(
            lambda: ScoringRun.objects.get(pk=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.FAILED),
            timeout=RECOVERY_TIMEOUT,
            interval=1,
        )
        recovered = time.monotonic() - back
        outcome = _check(county, expected, run)
    finally:
        worker.stop()
    figure(
        "PostgreSQL restarted mid-run",
        f"run {outcome['status']} {recovered:.0f} s after the database was back, identical={outcome['identical']}, "
        f"{outcome['duplicates']} duplicates, {outcome['missing']} missing",
    )
    assert outcome["status"] == RunStatus.SUCCEEDED and outcome["identical"]
