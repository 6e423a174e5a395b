"""Golden case: the annual rating's 民主测评 from the 述职述廉 ballots (cases/duty_annual_vote.toml), through
monthly runs, ``duty_review_save`` and ``annual_rating_compute``; a correction after the rating marks the
year for a re-run, and a signed year is left as signed (the county is told)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services
from assessments.choices import RunKind
from assessments.models import AnnualRating, DirtyPeriod, DutyReview, RatingSignOff, VoteResult
from cadres.choices import PostKind
from tests.golden.runner import County, load
from townships.models import Message

pytestmark = pytest.mark.django_db

CASE = load("duty_annual_vote.toml")
SCHEME = {
    "target": "village_secretary",
    "full_marks": 100,
    "indicators": [
        {"code": "R1", "name": "重点项目推进", "category": "industry", "max": 100, "method": "ratio",
         "metric": "key_project_progress", "params": {"target": 100}},
    ],
}  # fmt: skip


def _save(county, spec, review=None):
    village = county.villages[spec["village"]]
    return services.duty_review_save(
        actor=county.admin, review=review, level="village", person=county.people[spec["person"]],
        post=PostKind.VILLAGE_SECRETARY, township=None, village=village, year=CASE["year"],
        reported_on=datetime.date(CASE["year"], 12, 20), groups=spec["groups"],
        version=review.version if review else None,
    )  # fmt: skip


def play():
    county, year = County(), CASE["year"]
    county.settings(CASE["settings"])
    county.scheme(SCHEME, year)
    for spec in CASE["villages"]:
        county.village(spec["name"], spec["township"])
    for tenure in CASE["tenures"]:
        village = county.villages[tenure["village"]]
        county.secretary(county.person(tenure["person"], village.township.name), village, datetime.date(2020, 1, 1))
    for month in range(1, CASE["months"] + 1):
        for village in county.villages.values():
            county.report(village, year, month, {"key_project_progress": 80})
        county.run_month(year, month, allow_missing=False)
    for typed in CASE["typed"]:
        village = county.villages[typed["village"]]
        VoteResult.objects.create(
            village=village, township=village.township, person=county.people[typed["person"]], year=year,
            score=Decimal(typed["score"]), incompetent_share=Decimal(typed["incompetent_share"]),
        )  # fmt: skip
    for spec in CASE["ballots"]:
        _save(county, spec)
    services.annual_rating_compute(county_id=county.county.pk, year=year)
    return county


def _ratings():
    return {r.person.name: r for r in AnnualRating.objects.filter(year=CASE["year"]).select_related("person")}


def test_the_vote_and_the_share_come_from_the_ballots():
    play()
    ratings = _ratings()
    assert set(ratings) == set(CASE["expected"])
    for name, expected in CASE["expected"].items():
        rating = ratings[name]
        assert rating.vote == Decimal(expected["vote"]), name
        assert rating.incompetent_vote_share == Decimal(expected["share"]), name
        assert rating.total == Decimal(expected["total"]), name
        assert (rating.grade, rating.rank_in_county) == (expected["grade"], expected["rank"]), name
        assert rating.vote_source == "ballots" and rating.vote_working, name
    assert "40" in ratings["乙"].reason  # 不称职 share named in the reason


def test_a_correction_after_the_rating_reruns_the_year_and_a_signed_year_is_kept():
    county = play()
    year, spec = CASE["year"], CASE["correction"]
    review = DutyReview.objects.get(person=county.people[spec["person"]], year=year)
    _save(county, spec, review=review)
    assert DirtyPeriod.objects.get(county=county.county, kind=RunKind.ANNUAL, year=year).is_dirty
    services.annual_rating_compute(county_id=county.county.pk, year=year)  # what the queued run does
    rating = _ratings()[spec["person"]]
    assert (rating.vote, rating.total, rating.grade) == (
        Decimal(spec["vote"]),
        Decimal(spec["total"]),
        spec["grade"],
    )
    # Signed: a further correction changes nothing and tells the county.
    AnnualRating.objects.update(signed_off_by=county.admin, signed_off_at=timezone.now())
    RatingSignOff.objects.create(county=county.county, year=year, signed_by=county.admin, opinion="同意", digest="-")
    _save(county, CASE["ballots"][1], review=DutyReview.objects.get(pk=review.pk))
    services.annual_rating_compute(county_id=county.county.pk, year=year)
    assert _ratings()[spec["person"]].grade == spec["grade"]
    assert Message.objects.filter(recipient=county.admin, title__contains="已审定").exists()
