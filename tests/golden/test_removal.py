"""Golden case: the removal rule over years (cases/removal_sequences.toml)."""

from decimal import Decimal

import pytest

from assessments import services
from assessments.models import AnnualRating, RemovalFlag
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

GRADES = {"I": "incompetent", "B": "basic", "C": "competent", "E": "excellent"}
CASE = load("removal_sequences.toml")


def _flag(person, year):
    flag = RemovalFlag.objects.filter(person=person, year=year).first()
    return "none" if flag is None else f"{flag.state}:{flag.incompetent_count}", flag


def test_the_removal_rule_follows_the_sequences_worked_by_hand():
    county = County()
    rated = {}
    for entry in CASE["ratings"]:
        for rating in entry["ratings"]:
            village = county.village(rating["village"], rating["township"])
            person = county.person(entry["person"], rating["township"])
            AnnualRating.objects.create(
                person=person,
                village=village,
                township=village.township,
                year=rating["year"],
                daily=Decimal(500),
                total=Decimal(500),
                grade=GRADES[rating["grade"]],
                reason="golden",
            )
            rated.setdefault(rating["year"], set()).add(entry["person"])
    for number, step in enumerate(CASE["steps"], start=1):
        if step["op"] == "setting":
            county.settings(step["values"])
        elif step["op"] == "decide":
            _state, flag = _flag(county.people[step["person"]], step["year"])
            services.removal_decide(actor=county.admin, flag=flag, decision=step["decision"], opinion=step["opinion"])
        else:
            year = step["year"]
            services.removal_rule_apply(county_id=county.county.pk, year=year)
            # Every person rated that year is listed in the case; nobody else may have a flag for it.
            assert set(step["expected"]) == rated[year], f"step {number}: the case must list everyone rated"
            for name, person in county.people.items():
                state, flag = _flag(person, year)
                assert state == step["expected"].get(name, "none"), f"step {number} ({year}): {name}"
            for name, decision in step.get("decided", {}).items():
                _state, flag = _flag(county.people[name], year)
                assert flag.decision == decision and flag.opinion, f"step {number}: {name}'s decision stands"
