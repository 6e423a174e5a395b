"""Golden case: townships scored by the villages' pipeline (cases/township_scores.toml)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services
from assessments.choices import PeriodKind, RunKind, Target
from assessments.models import Bulletin, Score
from assessments.selectors.townships import township_year_scores
from assessments.verify import verify_month
from tests.golden.runner import County, load
from villages.models import WeakDesignation

pytestmark = pytest.mark.django_db

CASE = load("township_scores.toml")


def _build():
    county = County()
    year, quarter = CASE["year"], CASE["quarter"]
    county.settings(CASE["settings"])
    county.scheme(CASE["village_scheme"], year)
    county.scheme(CASE["township_scheme"], year)
    months = [3 * (quarter - 1) + m for m in (1, 2, 3)]
    for spec in CASE["villages"]:
        village = county.village(spec["name"], spec["township"])
        for index, month in enumerate(months):
            if spec["progress"][index] != "-":
                county.report(village, year, month, {"key_project_progress": spec["progress"][index]})
        if "weak_from" in spec:
            designation = WeakDesignation.objects.create(
                village=village, township=village.township, year=year, reason="软弱涣散"
            )
            when = datetime.datetime.fromisoformat(spec["weak_from"] + "T10:00")
            WeakDesignation.objects.filter(pk=designation.pk).update(
                designated_at=timezone.make_aware(when, timezone.get_current_timezone())
            )
    for month in months:
        county.run_month(year, month)
    return county, months


def test_townships_are_scored_ranked_and_averaged_as_worked_by_hand():
    county, months = _build()
    year = CASE["year"]
    for expected in CASE["expected"]["months"]:
        township = county.townships[expected["township"]]
        for month, want in zip(months, expected["scores"], strict=True):
            found = Score.objects.filter(
                target=Target.TOWNSHIP, township=township, period_kind=PeriodKind.MONTH, year=year, period=month
            ).first()
            if want == "-":
                assert found is None, (expected["township"], month)
                continue
            assert found is not None, (expected["township"], month)
            assert found.village_id is None and found.rank_in_township is None
            assert [found.total, found.veto, found.rank_in_county] == [Decimal(str(want[0])), want[1], want[2]], (
                expected["township"],
                month,
            )
    # The villages' own scores are untouched by the townships' (the monthly total is the progress).
    assert county.score("甲村", year, 1).total == Decimal("80.00")
    # score verify recomputes the townships' items and ranks from what they stored, and finds nothing.
    for month in months:
        _checked, found = verify_month(county_id=county.county.pk, year=year, month=month)
        assert found == [], found

    run = services.scoring_run_start(
        actor=county.admin,
        county_id=county.county.pk,
        kind=RunKind.QUARTERLY,
        year=year,
        period=CASE["quarter"],
        enqueue=False,
    )
    services.run_synchronously(run)
    data = Bulletin.objects.get(county=county.county, year=year, quarter=CASE["quarter"]).data
    (section,) = [s for s in data["targets"] if s["target"] == Target.TOWNSHIP]
    got = [[r["township"], r["rank_in_county"], r["average"], r["change"], r["veto"]] for r in section["rows"]]
    assert got == CASE["expected"]["bulletin"]
    assert {v["township"]: v["missing"] for v in section["left_out"]} == CASE["expected"]["bulletin_left_out"]

    run = services.scoring_run_start(
        actor=county.admin, county_id=county.county.pk, kind=RunKind.ANNUAL, year=year, period=0, enqueue=False
    )
    services.run_synchronously(run)
    stored = township_year_scores(county_id=county.county.pk, year=year)
    ranks = dict(
        Score.objects.filter(target=Target.TOWNSHIP, period_kind=PeriodKind.YEAR, year=year).values_list(
            "township__name", "rank_in_county"
        )
    )
    got = sorted(
        (
            [county.townships[name].name, total, veto, ranks[name]]
            for name in county.townships
            for total, veto in [stored.get(county.townships[name].pk, (None, None))]
            if total is not None
        ),
        key=lambda r: r[3],
    )
    assert got == [[n, Decimal(str(t)), v, r] for n, t, v, r in CASE["expected"]["year_scores"]]


def test_a_village_rescored_rescored_its_township_in_the_same_run():
    county, months = _build()
    year = CASE["year"]
    # 乙村's January report is corrected from 60 to 100 and the month scored again: 东镇 (80+100)/2 = 90.
    village = county.villages["乙村"]
    report = village.reports.get(year=year, month=1)
    services.report_correct(
        actor=county.admin, report=report, metric="key_project_progress", value=100, reason="核实更正"
    )
    county.run_month(year, 1)
    east = Score.objects.get(
        target=Target.TOWNSHIP, township=county.townships["东镇"], period_kind=PeriodKind.MONTH, year=year, period=1
    )
    assert east.total == Decimal("90.00")
    # An override of 甲村's January item (80 → 60, with a reason) moves 东镇's mean: (60 + 100) / 2 = 80,
    # and 东镇 (80) now ranks below 西乡 (90) and 南镇 (100) in January: 3rd.
    county.enter(village="甲村", indicator="R1", points=60, reason="核减", year=year, month=1)
    east.refresh_from_db()
    assert (east.total, east.rank_in_county) == (Decimal("80.00"), 3)
    _checked, found = verify_month(county_id=county.county.pk, year=year, month=1)
    assert found == [], found
