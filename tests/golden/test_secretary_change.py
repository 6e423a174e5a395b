"""Golden case: a secretary replaced mid-year, a predecessor's veto, 跨村任职 (cases/secretary_change.toml)."""

from decimal import Decimal

import pytest

from assessments import services
from assessments.choices import Target
from assessments.models import AnnualRating, RemovalFlag, VoteResult
from tests.golden.runner import County, date, load

pytestmark = pytest.mark.django_db

CASE = load("secretary_change.toml")


def play(case):
    county = County()
    year = case["year"]
    county.settings(case.get("settings"))
    county.scheme(case["scheme"], year)
    for spec in case["villages"]:
        county.village(spec["name"], spec["township"])
    for tenure in case["tenures"]:
        village = county.villages[tenure["village"]]
        person = county.person(tenure["person"], village.township.name)
        county.secretary(person, village, date(tenure["from"]), date(tenure["to"]) if "to" in tenure else None)
    for month in range(1, 13):
        for name, series in case["reports"].items():
            values = {metric: numbers[month - 1] for metric, numbers in series.items()}
            county.report(county.villages[name], year, month, values)
        county.run_month(year, month, allow_missing=False)
    for vote in case["votes"]:
        village = county.villages[vote["village"]]
        VoteResult.objects.create(
            village=village,
            township=village.township,
            person=county.people[vote["person"]],
            year=year,
            score=Decimal(str(vote["score"])),
            incompetent_share=Decimal(str(vote["incompetent_share"])),
        )
    services.annual_rating_compute(county_id=county.county.pk, year=year)
    return county


def test_months_belong_to_the_holder_and_the_year_combines_only_their_months():
    county = play(CASE)
    year = CASE["year"]
    for village, expected in CASE["expected"]["months"].items():
        for month, (holder, total) in enumerate(zip(expected["holders"], expected["totals"], strict=True), start=1):
            score = county.score(village, year, month, target=Target.VILLAGE_SECRETARY)
            assert score.person == county.people[holder], f"{village} {month}月"
            assert score.total == Decimal(total), f"{village} {month}月"
    ratings = {r.person.name: r for r in AnnualRating.objects.filter(year=year).select_related("person", "village")}
    assert set(ratings) == set(CASE["expected"]["ratings"])
    for name, expected in CASE["expected"]["ratings"].items():
        rating = ratings[name]
        for field in ("months", "grade", "veto", "rank_in_county"):
            assert getattr(rating, field) == expected[field], f"{name} {field}"
        for field in ("daily", "concentrated", "total", "vote"):
            if field in expected:
                assert getattr(rating, field) == Decimal(expected[field]), f"{name} {field}"
        assert rating.village.name == expected["village"], name
    assert "重特大安全事故" in ratings["甲"].reason and "3月" in ratings["甲"].reason
    flags = {f.person.name: f"{f.state}:{f.incompetent_count}" for f in RemovalFlag.objects.filter(year=year)}
    assert flags == CASE["expected"]["flags"]


def test_re_running_the_annual_rating_changes_nothing():
    county = play(CASE)
    year = CASE["year"]
    fields = ("person_id", "village_id", "months", "daily", "concentrated", "vote", "total", "grade", "rank_in_county")
    before = sorted(AnnualRating.objects.filter(year=year).values_list(*fields))
    flags = sorted(RemovalFlag.objects.filter(year=year).values_list("person_id", "state", "incompetent_count"))
    services.annual_rating_compute(county_id=county.county.pk, year=year)
    assert sorted(AnnualRating.objects.filter(year=year).values_list(*fields)) == before
    assert sorted(RemovalFlag.objects.filter(year=year).values_list("person_id", "state", "incompetent_count")) == flags
