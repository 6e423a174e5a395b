"""``manage.py score monthly YEAR MONTH`` scores every county it can in one command and says which
it skipped and why (issue 11): a province is not stopped by its first county without a scheme."""

import io

import pytest
from django.core.management import CommandError, call_command

from assessments.choices import RunStatus
from assessments.demo import create_scheme
from assessments.models import ScoringRun
from tests import factories
from tests.assessments.test_services import MONTH, YEAR, _approve_all

pytestmark = pytest.mark.django_db


def _county(name, *, scheme=True, reports=True):
    county = factories.CountyFactory(name=name)
    township = factories.TownshipFactory(county=county, name=f"{name}镇")
    villages = [factories.village_with_secretary(township, f"{name}村{i}") for i in range(2)]
    if scheme:
        create_scheme(county=county, year=YEAR)
    if reports:
        _approve_all(villages, factories.county_admin(county, username=f"admin-{county.pk}"))
    return county


def test_every_county_is_scored_or_skipped_with_its_reason():
    scored = _county("甲县")
    _county("乙县", scheme=False, reports=False)  # no scheme for the year
    _county("丙县", reports=False)  # a scheme, but no approved report for the month
    before = set(ScoringRun.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("score", "monthly", str(YEAR), str(MONTH), "--now", stdout=out)
    text = out.getvalue()
    run = ScoringRun.objects.exclude(pk__in=before).get()
    # One scheme (the secretaries'), two villages each with a secretary in office: 2 scores.
    assert (run.county, run.status, run.targets_scored) == (scored, RunStatus.SUCCEEDED, 2)
    assert "乙县: skipped: 2026 年没有启用的考核方案。" in text
    assert f"丙县: skipped: {YEAR}年{MONTH}月还没有已审核的月报，无法评分。" in text
    assert "1 county(ies) scored, 2 skipped." in text


def test_a_command_that_scores_nothing_fails():
    _county("乙县", scheme=False, reports=False)
    with pytest.raises(CommandError, match="Nothing was scored"):
        call_command("score", "monthly", str(YEAR), str(MONTH), "--now", stdout=io.StringIO())
