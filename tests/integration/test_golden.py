"""A golden case on PostgreSQL, Redis and a real Celery worker: the month worked out by hand in
tests/golden/cases/monthly_eight_methods.toml comes out the same when the workers score it."""

import pytest

from assessments.choices import RunKind, RunStatus
from assessments.models import ScoringRun
from assessments.services import scoring_run_start
from tests.golden.test_monthly import CASE, assert_month, play
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _on_the_worker(county, year, month):
    run = scoring_run_start(
        actor=county.admin,
        county_id=county.county.pk,
        kind=RunKind.MONTHLY,
        year=year,
        period=month,
        allow_missing=True,
    )
    assert wait_for(
        lambda: ScoringRun.objects.get(pk=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.FAILED), timeout=90
    ), "the worker did not finish the run"
    return ScoringRun.objects.get(pk=run.pk)


def test_the_golden_month_scored_by_a_real_worker(celery_worker):
    county, run, computed = play(CASE, run_month=_on_the_worker)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert_month(CASE, county, run, computed)
