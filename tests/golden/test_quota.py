"""Golden case: the 优秀 quota, its rounding and ties at the boundary (cases/quota_ties.toml)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services
from assessments.choices import PeriodKind, SchemeStatus, Target
from assessments.models import AnnualRating, Scheme, Score, VoteResult
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

CASE = load("quota_ties.toml")
YEAR = 2025


def play(scenario):
    """The annual job's inputs: each person's stored monthly score and vote, then the annual rating."""
    county = County()
    county.settings(scenario["settings"])
    scheme = Scheme.objects.create(
        county=county.county,
        year=YEAR,
        target=Target.VILLAGE_SECRETARY,
        name="方案",
        full_marks=1000,
        status=SchemeStatus.LOCKED,
    )
    now = timezone.now()
    for spec in scenario["people"]:
        village = county.village(f"{spec['name']}村", spec["township"])
        person = county.person(spec["name"], spec["township"])
        Score.objects.create(
            target=Target.VILLAGE_SECRETARY,
            village=village,
            person=person,
            township=village.township,
            scheme=scheme,
            period_kind=PeriodKind.MONTH,
            year=YEAR,
            period=1,
            total=Decimal(spec["month"]),
            computed_at=now,
        )
        VoteResult.objects.create(
            village=village,
            township=village.township,
            person=person,
            year=YEAR,
            score=Decimal(spec.get("vote", spec["month"])),
        )
    services.annual_rating_compute(county_id=county.county.pk, year=YEAR)
    return county


def outcome(county):
    return {
        r.person.name: "tie" if r.tie_pending else r.grade
        for r in AnnualRating.objects.filter(year=YEAR, township__county=county.county).select_related("person")
    }


def digest(county):
    """What the sign-off page shows and the signature must match."""
    return services.sign_off_summary(county_id=county.county.pk, year=YEAR)["digest"]


@pytest.mark.parametrize("scenario", CASE["scenarios"], ids=[s["name"] for s in CASE["scenarios"]])
def test_quota_places_and_ties_as_worked_by_hand(scenario):
    county = play(scenario)
    assert outcome(county) == scenario["expected"]
    decision = scenario.get("decide")
    if not decision:
        return
    # Ties are shown to the county: sign-off waits for the decision, which must fill the places exactly.
    with pytest.raises(ValidationError, match="并列"):
        services.annual_ratings_sign_off(
            actor=county.admin, county_id=county.county.pk, year=YEAR, opinion="同意", digest=digest(county)
        )
    tied = {r.person.name: r.pk for r in AnnualRating.objects.filter(tie_pending=True).select_related("person")}
    with pytest.raises(ValidationError, match="恰好选择 1 人"):
        services.excellent_ties_decide(
            actor=county.admin, county_id=county.county.pk, year=YEAR, chosen=list(tied.values()), opinion="都选"
        )
    with pytest.raises(ValidationError, match="意见"):
        services.excellent_ties_decide(
            actor=county.admin, county_id=county.county.pk, year=YEAR, chosen=[tied["P2"]], opinion=" "
        )
    assert outcome(county) == scenario["expected"]  # nothing changed by the refused attempts
    services.excellent_ties_decide(
        actor=county.admin,
        county_id=county.county.pk,
        year=YEAR,
        chosen=[tied[name] for name in decision["chosen"]],
        opinion=decision["opinion"],
    )
    assert outcome(county) == {**scenario["expected"], **decision["after"]}
    signed = services.annual_ratings_sign_off(
        actor=county.admin, county_id=county.county.pk, year=YEAR, opinion="同意", digest=digest(county)
    )
    assert signed == len(scenario["people"])
