"""Golden case: the 约谈 proposal rule (cases/talk_proposals.toml)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services, talk_rules
from assessments.models import AnnualRating, Bulletin, Talk
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

CASE = load("talk_proposals.toml")


def _publish(county, villages, period, ranks):
    """A published bulletin of the shape bulletin_compute stores, with the case's ranks in the township."""
    year, quarter = int(period[:4]), int(period[5:])
    rows = [
        {
            "village_id": villages[name].pk,
            "village": name,
            "township_id": villages[name].township_id,
            "township": villages[name].township.name,
            "rank_in_township": rank,
            "rank_in_county": rank,
            "average": float(100 - rank),
            "veto": False,
        }
        for name, rank in ranks.items()
    ]
    Bulletin.objects.create(
        county=county.county,
        year=year,
        quarter=quarter,
        data={"targets": [{"target": "village_secretary", "rows": rows}], "months": []},
        published_at=timezone.now(),
    )


def _talks(county):
    return sorted(
        f"{t.person.name} {t.cause} {t.period} {t.state}"
        for t in Talk.objects.filter(township__county=county.county).select_related("person")
    )


def test_the_talk_proposals_follow_the_case_worked_by_hand():
    county = County()
    villages = {}
    for entry in CASE["villages"]:
        village = villages[entry["name"]] = county.village(entry["name"], entry["township"])
        person = county.person(entry["secretary"], entry["township"])
        county.secretary(person, village, datetime.date(2024, 1, 1))
    for period, ranks in CASE["quarters"].items():
        _publish(county, villages, period, ranks)
    for number, step in enumerate(CASE["steps"], start=1):
        if step["op"] == "setting":
            county.settings(step["values"])
        elif step["op"] == "rating":
            village = villages[step["village"]]
            AnnualRating.objects.create(
                person=county.people[step["person"]],
                village=village,
                township=village.township,
                year=step["year"],
                daily=Decimal(500),
                total=Decimal(500),
                grade=step["grade"],
                reason="golden",
            )
        elif step["op"] == "decide":
            talk = Talk.objects.get(person=county.people[step["person"]], period=step["period"])
            services.talk_decide(actor=county.admin, talk=talk, decision=step["decision"], opinion=step["opinion"])
        else:
            period = step["period"]
            quarter = int(period[5:]) if "Q" in period else None
            services.talks_apply(county_id=county.county.pk, year=int(period[:4]), quarter=quarter)
            assert _talks(county) == sorted(step["expected"]), f"step {number} ({period})"


@pytest.mark.parametrize("case", CASE["review_grades"], ids=lambda c: f"{c['grade']}-{c['fair_triggers']}")
def test_the_review_grades_that_propose_a_talk(case):
    assert talk_rules.review_grade_triggers(case["grade"], fair_triggers=case["fair_triggers"]) is case["proposed"]
