"""Golden case: a month scored with all eight methods (cases/monthly_eight_methods.toml)."""

from decimal import Decimal

import pytest

from assessments.models import Score, ScoreItem
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

CASE = load("monthly_eight_methods.toml")


def play(case, run_month=None):
    """Inputs of the case → the month's stored scores (what the county sees).

    ``run_month(county, year, month)`` scores the month; by default in this process through the
    same task functions the workers run (the integration test passes one that uses a real worker).
    """
    county = County()
    year, month = case["year"], case["month"]
    county.scheme(case["scheme"], year)
    for spec in case["villages"]:  # the whole registry first: a month is complete only when all have filed
        county.village(spec["name"], spec["township"])
    for spec in case["villages"]:
        county.report(county.villages[spec["name"]], year, month, spec.get("report"), status=spec["status"])
    run = (run_month or County.run_month)(county, year, month)
    computed = {
        (item.score.village.name, item.indicator.code): item.points
        for item in ScoreItem.objects.filter(score__run=run).select_related("score__village", "indicator")
    }
    for entry in case.get("entries", []):
        county.enter(year=year, month=month, **entry)
    return county, run, computed


def assert_month(case, county, run, computed):
    expected_run = case["expected"]["run"]
    assert run.status == "succeeded"
    assert run.villages_expected == expected_run["villages_expected"]
    assert run.villages_scored == expected_run["villages_scored"]
    assert {v["name"]: v["status"] for v in run.left_out} == expected_run["left_out"]
    for village, items in case["expected"]["items"].items():
        for code, points in items.items():
            assert computed[(village, code)] == Decimal(points), f"{village} {code}"
    year, month = case["year"], case["month"]
    scored = set(
        Score.objects.filter(township__county=county.county, year=year, period=month).values_list(
            "village__name", flat=True
        )
    )
    assert scored == set(case["expected"]["scores"]), "only villages with an approved report have a total"
    for village, expected in case["expected"]["scores"].items():
        score = county.score(village, year, month)
        assert score.total == Decimal(expected["total"]), village
        assert score.veto == expected["veto"], village
        assert score.manual_pending == expected["manual_pending"], village
        assert score.rank_in_county == expected["rank_in_county"], village
        assert score.rank_in_township == expected["rank_in_township"], village
        if "veto_reason" in expected:
            assert score.veto_reason == expected["veto_reason"]
        if "by_category" in expected:
            assert {k: Decimal(v) for k, v in score.by_category.items()} == {
                k: Decimal(v) for k, v in expected["by_category"].items()
            }


def test_the_month_comes_out_as_worked_by_hand():
    county, run, computed = play(CASE)
    assert_month(CASE, county, run, computed)


def test_re_running_the_month_keeps_the_entries_and_gives_the_same_result():
    county, _run, computed = play(CASE)
    again = county.run_month(CASE["year"], CASE["month"])
    assert_month(CASE, county, again, computed)


def test_score_verify_finds_no_difference():
    from assessments.verify import verify_month

    county, _run, _computed = play(CASE)
    checked, found = verify_month(county_id=county.county.pk, year=CASE["year"], month=CASE["month"])
    assert (checked, found) == (5, [])
