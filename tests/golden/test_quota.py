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


def test_a_recompute_keeps_the_countys_tie_decision_while_the_tie_stands_and_says_when_it_lapses():
    """The first scenario (P1, P2 tied at 950 for one place) decided for P2, then the year re-run.

    Unchanged inputs: the same two tied for the same one place, so P2 stays 优秀 and P1 称职, both
    still marked as decided by the county. Then P1's vote drops from 950 to 940: P1's total is
    (950 × 80 + 940 × 20) / 100 = 760 + 188 = 948, below P2's and P3's 950; P2 beats P3 on the
    vote (950 > 930) and takes the one place by the rule. No tie remains, so the decision lapses:
    neither is marked as decided, and their reasons say the county's decision no longer applies."""
    scenario = CASE["scenarios"][0]
    county = play(scenario)
    tied = {r.person.name: r.pk for r in AnnualRating.objects.filter(tie_pending=True).select_related("person")}
    services.excellent_ties_decide(
        actor=county.admin, county_id=county.county.pk, year=YEAR, chosen=[tied["P2"]], opinion="P2 成效更突出"
    )

    services.annual_rating_compute(county_id=county.county.pk, year=YEAR)
    assert outcome(county) == {**scenario["expected"], "P1": "competent", "P2": "excellent"}
    decided = AnnualRating.objects.filter(decided_by_county=True).select_related("person")
    assert sorted(r.person.name for r in decided) == ["P1", "P2"]
    assert "P2 成效更突出" in AnnualRating.objects.get(person__name="P2").reason

    VoteResult.objects.filter(person__name="P1").update(score=Decimal(940))
    services.annual_rating_compute(county_id=county.county.pk, year=YEAR)
    ratings = {r.person.name: r for r in AnnualRating.objects.select_related("person")}
    assert ratings["P1"].total == Decimal(948)
    assert outcome(county) == {**scenario["expected"], "P1": "competent", "P2": "excellent"}
    assert not AnnualRating.objects.filter(decided_by_county=True).exists()
    for name in ("P1", "P2"):
        assert ratings[name].reason.startswith("县委组织部此前对优秀名额并列的决定已不适用")
    assert "已不适用" not in ratings["P3"].reason


def test_a_recompute_that_gives_the_place_to_another_lapses_the_decision_for_the_one_chosen():
    """Decided for P2, then P2's vote drops from 950 to 930: P2's total is (950 × 80 + 930 × 20) / 100
    = 760 + 186 = 946, below P1's and P3's 950. P1 beats P3 on the vote (950 > 930) and takes the
    one place by the rule: P1 优秀, P2 称职, and the county's choice of P2 no longer applies."""
    scenario = CASE["scenarios"][0]
    county = play(scenario)
    tied = {r.person.name: r.pk for r in AnnualRating.objects.filter(tie_pending=True).select_related("person")}
    services.excellent_ties_decide(
        actor=county.admin, county_id=county.county.pk, year=YEAR, chosen=[tied["P2"]], opinion="P2 成效更突出"
    )
    VoteResult.objects.filter(person__name="P2").update(score=Decimal(930))
    services.annual_rating_compute(county_id=county.county.pk, year=YEAR)
    assert outcome(county)["P1"] == "excellent" and outcome(county)["P2"] == "competent"
    assert not AnnualRating.objects.filter(decided_by_county=True).exists()
