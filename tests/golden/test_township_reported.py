"""Golden case: the township's own report as a township-scheme input (cases/township_reported.toml)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.choices import PeriodKind, RunKind, Target
from assessments.models import DirtyPeriod, MonthlyReport, Score
from assessments.verify import verify_month
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

CASE = load("township_reported.toml")
YEAR, MONTH = CASE["year"], CASE["month"]


def _build():
    county = County()
    county.scheme(CASE["village_scheme"], YEAR)
    county.scheme(CASE["township_scheme"], YEAR)
    for spec in CASE["villages"]:
        village = county.village(spec["name"], spec["township"])
        county.report(village, YEAR, MONTH, {"key_project_progress": spec["progress"]})
    for spec in CASE["own_reports"]:
        county.report(county.townships[spec["township"]], YEAR, MONTH, spec.get("values"), status=spec["status"])
    county.run_month(YEAR, MONTH)
    return county


def _scores(county):
    """[[township, total, rank, {indicator: points}]] in rank order, as the case writes them."""
    rows = []
    for score in (
        Score.objects.filter(target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, year=YEAR, period=MONTH)
        .select_related("township")
        .order_by("rank_in_county")
    ):
        items = {i.indicator.code: i.points for i in score.items.select_related("indicator")}
        rows.append([score.township.name, score.total, score.rank_in_county, items])
    return rows


def _want(rows):
    return [
        [name, Decimal(str(total)), rank, {code: Decimal(str(p)) for code, p in items.items()}]
        for name, total, rank, items in rows
    ]


def test_only_approved_own_reports_are_read_and_a_late_approval_scores_the_month_again():
    county = _build()
    assert _scores(county) == _want(CASE["expected"]["first"])
    # What is missing says why: 南镇's report waits for review, 北乡 filed none.
    south = Score.objects.get(target=Target.TOWNSHIP, township=county.townships["南镇"], year=YEAR, period=MONTH)
    t3 = south.items.get(indicator__code="T3")
    assert t3.metric_value is None and "报表未填此项" in t3.explanation

    report = MonthlyReport.objects.get(township=county.townships["南镇"], village__isnull=True, year=YEAR, month=MONTH)
    services.report_review(actor=county.admin, report=report, approve=True)
    dirty = DirtyPeriod.objects.get(county=county.county, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert dirty.generation > dirty.scored_generation  # owed a run
    county.run_month(YEAR, MONTH)  # what the approval's on-commit start (or the sweeper) runs
    assert _scores(county) == _want(CASE["expected"]["after_approval"])
    _checked, found = verify_month(county_id=county.county.pk, year=YEAR, month=MONTH)
    assert found == []


def test_a_correction_of_a_closed_month_is_not_applied_but_verify_finds_it():
    county = _build()
    report = MonthlyReport.objects.get(township=county.townships["南镇"], village__isnull=True, year=YEAR, month=MONTH)
    services.report_review(actor=county.admin, report=report, approve=True)
    county.run_month(YEAR, MONTH)
    services.period_close(actor=county.admin, county=county.county, year=YEAR, month=MONTH)
    fix = CASE["expected"]["correction"]
    west = MonthlyReport.objects.get(township=county.townships[fix["township"]], village__isnull=True, year=YEAR)
    services.report_correct(
        actor=county.admin, report=west, metric=fix["metric"], value=fix["value"], reason="核实更正"
    )
    assert _scores(county) == _want(CASE["expected"]["after_approval"])  # a closed month is not re-scored
    _checked, found = verify_month(county_id=county.county.pk, year=YEAR, month=MONTH)
    assert found == CASE["expected"]["drift"]


def test_a_village_metric_is_not_a_township_report_value():
    """The township's own report holds only township metrics: a village's code is refused, not kept."""
    county = County()
    township = county.township("东镇")
    with pytest.raises(ValidationError) as refused:
        services.report_correct(
            actor=county.admin,
            report=county.report(township, YEAR, MONTH, {"township_petitions": 1}),
            metric="petitions",
            value=3,
            reason="误选",
        )
    assert "没有这个填报项目" in str(refused.value)
    report = MonthlyReport.objects.get(township=township, village__isnull=True)
    assert "petitions" not in report.values and report.values["township_petitions"] == 1


def test_the_what_if_scores_a_township_scheme_from_the_same_records():
    """试算 of a township scheme: the first scoring above, with T2 turned round (more 信访 ranks first,
    30 × (1 − (r − 1) ÷ (n − 1) × 0.5)): 西乡 (5 件) 1st → 30.00, 东镇 (2 件) 2nd → 15.00.
    东镇 28 + 15 + 20 + 9 = 72.00 (87 → 72, 1st → 2nd); 西乡 36 + 30 + 10 + 10 = 86.00 (71 → 86,
    2nd → 1st); 南镇 40.00 and 北乡 20.00 unchanged (no approved own report)."""
    from assessments.services.preview import scheme_what_if

    county = _build()
    scheme = Score.objects.filter(target=Target.TOWNSHIP).first().scheme
    copy = services.scheme_copy(actor=county.admin, scheme=scheme)
    services.indicator_save(
        actor=county.admin,
        scheme=copy,
        indicator=copy.indicators.get(code="T2"),
        params={"direction": "desc", "min_share": 0.5},
    )
    rows = {r["township"]: r for r in scheme_what_if(scheme=copy)["rows"]}
    got = {n: (r["total_now"], r["rank_now"], r["total_after"], r["rank_after"]) for n, r in rows.items()}
    assert got == {
        "东镇": (Decimal("87.00"), 1, Decimal("72.00"), 2),
        "西乡": (Decimal("71.00"), 2, Decimal("86.00"), 1),
        "南镇": (Decimal("40.00"), 3, Decimal("40.00"), 3),
        "北乡": (Decimal("20.00"), 4, Decimal("20.00"), 4),
    }
    assert Score.objects.filter(target=Target.TOWNSHIP).count() == 4  # nothing written
