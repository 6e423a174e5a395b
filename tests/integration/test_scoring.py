"""At-least-once scoring on PostgreSQL, Redis and real Celery workers, killed mid-run."""

import datetime
import time

import pytest

from assessments.choices import ReportStatus, RunKind, RunStatus, Target
from assessments.demo import SCHEME, create_scheme
from assessments.metrics import REPORTED_CODES
from assessments.models import MonthlyReport, Score, ScoreItem, ScoringChunk, ScoringRun
from assessments.services import scoring_run_start
from cadres.choices import PostKind
from cadres.models import Tenure
from tests import factories
from tests.integration.conftest import Worker, wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
YEAR, MONTH = 2026, 4


def _county():
    county = factories.CountyFactory(name="集成测试县")
    create_scheme(county=county, year=YEAR)
    for t in range(4):
        township = factories.TownshipFactory(county=county, name=f"测试{t}镇")
        for v in range(3):
            village = factories.VillageFactory(township=township, name=f"测试{t}-{v}村", population=1000 + 100 * v)
            person = factories.PersonFactory(township=township, village=village)
            Tenure.objects.create(
                person=person,
                post=PostKind.VILLAGE_SECRETARY,
                township=township,
                village=village,
                started_on=datetime.date(2021, 10, 1),
            )
            values = dict.fromkeys(REPORTED_CODES, 0)
            values.update(petitions=v, satisfaction=80 + t, collective_income=20000 * (v + 1), key_project_progress=70)
            MonthlyReport.objects.create(
                village=village, township=township, year=YEAR, month=MONTH, status=ReportStatus.APPROVED, values=values
            )
    return county


def _snapshot(county):
    return {
        (s.target, s.village_id): (s.total, s.rank_in_county)
        for s in Score.objects.filter(township__county=county, year=YEAR, period=MONTH)
    }


def _wait_run(run_id, timeout=90):
    return wait_for(
        lambda: ScoringRun.objects.get(pk=run_id).status in (RunStatus.SUCCEEDED, RunStatus.FAILED), timeout=timeout
    )


def test_a_run_killed_mid_way_ends_with_the_same_scores_and_no_duplicates(celery_worker):
    county = _county()
    first = scoring_run_start(actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert _wait_run(first.pk)
    assert ScoringRun.objects.get(pk=first.pk).status == RunStatus.SUCCEEDED
    expected = _snapshot(county)
    assert len(expected) == 12  # one secretary score per village (the demo scheme rates secretaries)
    celery_worker.stop()

    # A slow worker (each chunk pauses) that we kill while it holds a chunk.
    env = worker_env() | {"SCORING_CHUNK_PAUSE": "3", "SCORING_CHUNK_LEASE_SECONDS": "2"}
    slow = Worker(env).start(concurrency=1)
    second = scoring_run_start(actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    claimed = wait_for(lambda: ScoringChunk.objects.filter(run=second, status=RunStatus.RUNNING).exists(), timeout=60)
    assert claimed, "no chunk was claimed"
    slow.kill()
    assert ScoringRun.objects.get(pk=second.pk).status == RunStatus.RUNNING
    assert ScoringChunk.objects.filter(run=second).exclude(status=RunStatus.SUCCEEDED).exists()

    # A fresh worker; the sweeper (beat runs it every five minutes) hands the dead chunk on.
    fresh = Worker(worker_env() | {"SCORING_CHUNK_LEASE_SECONDS": "2"}).start(concurrency=2)
    try:
        from assessments.tasks import sweep_scoring_runs

        def finished():
            if ScoringRun.objects.get(pk=second.pk).status == RunStatus.SUCCEEDED:
                return True
            sweep_scoring_runs.delay()
            return False

        assert wait_for(finished, timeout=120, interval=3)
    finally:
        fresh.stop()
    assert _snapshot(county) == expected
    scores = Score.objects.filter(township__county=county, year=YEAR, period=MONTH)
    assert scores.count() == len(expected)
    leaves = len(SCHEME)
    assert ScoreItem.objects.filter(score__in=scores).count() == scores.count() * leaves
    assert ScoringChunk.objects.filter(run=second, status=RunStatus.SUCCEEDED).count() == 4
    assert set(scores.values_list("run_id", flat=True)) == {second.pk}
    assert all(target == Target.VILLAGE_SECRETARY for target, _village in expected)


def test_a_report_approved_while_its_month_computes_is_scored_within_a_sweep_and_once(celery_worker):
    """Issue 18: 测试3-2村's report is approved while the month's run computes (each chunk pauses 3 s, so
    the approval lands between the claim and the finish). The run ends without it; the month is then
    scored again — by the run's finish, or by the sweeper (beat: every 30 s) — once, within two minutes."""
    county = _county()
    late = MonthlyReport.objects.get(village__name="测试3-2村", year=YEAR, month=MONTH)
    MonthlyReport.objects.filter(pk=late.pk).update(status=ReportStatus.SUBMITTED)
    celery_worker.stop()
    slow = Worker(worker_env() | {"SCORING_CHUNK_PAUSE": "3"}).start(concurrency=2)
    try:
        from assessments.services import report_review
        from assessments.tasks import sweep_scoring_runs

        first = scoring_run_start(
            actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, allow_missing=True
        )
        assert wait_for(lambda: ScoringRun.objects.get(pk=first.pk).status == RunStatus.RUNNING, timeout=60)
        report_review(actor=None, report=late, approve=True)
        assert ScoringRun.objects.get(pk=first.pk).status == RunStatus.RUNNING  # approved mid-run
        month = ScoringRun.objects.filter(county=county, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)

        def scored():
            if Score.objects.filter(village=late.village, year=YEAR, period=MONTH).exists():
                return not month.exclude(status=RunStatus.SUCCEEDED).exists()
            sweep_scoring_runs.delay()
            return False

        assert wait_for(scored, timeout=120, interval=5)
        for _sweep in range(2):  # later sweeps owe nothing
            sweep_scoring_runs.delay()
        time.sleep(8)
        assert month.count() == 2 and not month.exclude(status=RunStatus.SUCCEEDED).exists()
        assert ScoringRun.objects.get(pk=first.pk).villages_scored in (11, 12)
        assert month.order_by("-pk").first().villages_scored == 12
    finally:
        slow.stop()
