"""Golden case: satisfaction surveys feeding a scheme indicator through real scoring runs
(cases/survey_into_score.toml), and a survey corrected after the months were scored."""

from decimal import Decimal

import pytest

from assessments.choices import RunKind, SurveyMethod, SurveyPurpose, TallyTarget
from assessments.models import DirtyPeriod
from assessments.services.surveys import survey_save
from assessments.verify import verify_month
from tests import factories
from tests.golden.runner import County, date, load

pytestmark = pytest.mark.django_db

CASE = load("survey_into_score.toml")
YEAR = CASE["year"]
SCHEME = {
    "full_marks": 100,
    "indicators": [
        {
            "code": "S1",
            "name": "群众满意度（测评）",
            "category": "livelihood",
            "max": 20,
            "method": "ratio",
            "metric": "satisfaction_rate",
            "params": {"target": 100},
        },
        {
            "code": "D1",
            "name": "信访",
            "category": "bottom_lines",
            "max": 80,
            "method": "deduction",
            "metric": "petitions",
            "params": {"per_event": 20},
        },
    ],
}


def _groups(counts):
    valid = sum(counts.values())
    return [{"code": "villagers", "issued": valid, "returned": valid, "invalid": 0, "counts": dict(counts)}]


def _survey(county, organization, held_on, counts, tally=None):
    return survey_save(
        actor=county.admin,
        tally=tally,
        target_kind=TallyTarget.ORGANIZATION,
        organization=organization,
        year=YEAR,
        held_on=held_on,
        purpose=SurveyPurpose.SANPING,
        method=SurveyMethod.MEETING,
        groups=_groups(counts),
    )


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    county = County()
    organizations = {}
    for name in ("甲村", "乙村", "丙村", "丁村"):
        village = county.village(name, "东镇")
        organizations[name] = factories.PartyOrganizationFactory(
            township=village.township, village=village, name=f"{name}党支部"
        )
    county.scheme(SCHEME, YEAR)
    tallies = {}
    for spec in CASE["surveys"]:
        tallies[spec["village"]] = _survey(
            county, organizations[spec["village"]], date(spec["held_on"]), spec["counts"]
        )
    for month in (2, 3):
        for name in organizations:
            county.report(county.villages[name], YEAR, month, {"petitions": 0})
    with django_capture_on_commit_callbacks(execute=False):  # the runs are started below, by hand
        for month in (2, 3):
            county.run_month(YEAR, month)
    return county, organizations, tallies


def _check_month(county, month, expected):
    for name, total in expected["total"].items():
        score = county.score(name, YEAR, month)
        item = score.items.get(indicator__code="S1")
        assert item.points == Decimal(expected["S1"][name]), (name, month)
        assert score.total == Decimal(total), (name, month)
        assert score.rank_in_township == expected["rank"][name], (name, month)


def test_surveys_reach_the_totals_through_the_indicator(world):
    county, _organizations, _tallies = world
    for month in (2, 3):
        _check_month(county, month, CASE["months"][str(month)])
    item = county.score("丙村", YEAR, 2).items.get(indicator__code="S1")
    assert item.metric_value is None and "满意度测评" in item.explanation


def test_a_corrected_survey_makes_the_months_it_feeds_dirty_and_verify_sees_the_drift(
    world, django_capture_on_commit_callbacks
):
    county, organizations, tallies = world
    correction = CASE["correction"]
    name = correction["village"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _survey(county, organizations[name], tallies[name].held_on, correction["counts"], tally=tallies[name])
    assert len(callbacks) == 2  # one run owed for February, one for March
    for month in (2, 3):
        assert DirtyPeriod.objects.get(county=county.county, kind=RunKind.MONTHLY, year=YEAR, period=month).is_dirty
        _checked, found = verify_month(county_id=county.county.pk, year=YEAR, month=month)
        assert any(f"{name}" in line and "satisfaction_rate=80.0" in line and "60.0" in line for line in found), found
    with django_capture_on_commit_callbacks(execute=False):
        for month in (2, 3):
            county.run_month(YEAR, month)
    for month in (2, 3):
        score = county.score(name, YEAR, month)
        assert score.items.get(indicator__code="S1").points == Decimal(correction["S1"])
        assert score.total == Decimal(correction["total"])
        assert verify_month(county_id=county.county.pk, year=YEAR, month=month)[1] == []
