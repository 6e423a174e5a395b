"""Golden cases of the leaving allowance (cases/allowance.toml): the pure rule (cadres/allowance.py)
and the same cases entered through the services and read back through the roster's selector (the
birth date from the ID number, the table from the county's data)."""

import datetime
from decimal import Decimal

import pytest

from cadres import allowance as rule
from cadres.models import Tenure
from cadres.selectors.allowance import person_allowance
from cadres.services import allowance as services
from tests import factories
from tests.golden.runner import County, load

CASE = load("allowance.toml")


def _day(text):
    return datetime.date.fromisoformat(text) if text else None


def _month(text):
    year, month = text.split("-")
    return (int(year), int(month))


TABLES = [
    rule.Table(
        _day(t["from"]),
        _day(t.get("to")),
        tuple(
            rule.Band(y, {rule.SECRETARY: Decimal(s), rule.DIRECTOR: Decimal(d), rule.OTHER: Decimal(o)})
            for y, s, d, o in t["bands"]
        ),
        t["name"],
    )
    for t in CASE["tables"]
]
KIND_LABELS = {"party": "受到党纪处分", "criminal": "受到刑事处罚", "recall": "被罢免", "death": "去世"}
CHECKS = [(case, check) for case in CASE["cases"] for check in case["checks"]]
IDS = [f"{case['name']}@{check['month']}" for case, check in CHECKS]


def _rules(case):
    settings = case.get("settings", {})
    return rule.Rules(counting=settings.get("allowance.counting", rule.CUMULATIVE))


def _expect(result, check):
    assert result.eligible is check["eligible"], (result.reasons, result.working)
    if "years" in check:
        assert result.years == check["years"]
    if "service" in check:
        assert str(result.service) == check["service"]
    if "band" in check:
        assert result.band_label == check["band"]
    if "class" in check:
        assert result.last_class == check["class"]
    if "amount" in check:
        assert result.amount == Decimal(check["amount"])
    if "first" in check:
        assert result.first_month == (_month(check["first"]) if check["first"] else None)
    if "reason" in check:
        assert check["reason"] in result.reasons, result.reasons
    if not check["eligible"]:
        assert result.amount is None and result.reasons


@pytest.mark.parametrize(("case", "check"), CHECKS, ids=IDS)
def test_the_rule_as_worked_by_hand(case, check):
    result = rule.assess(
        held=[rule.Held(h["post"], h["village"], _day(h["from"]), _day(h.get("to"))) for h in case["held"]],
        birth_date=_day(case["birth"]),
        month=_month(check["month"]),
        rules=_rules(case),
        tables=TABLES,
        disqualifications=[
            rule.Mark(_day(d["on"]), KIND_LABELS[d["kind"]], d["reason"]) for d in case.get("disqualifications", [])
        ],
        stops=[rule.Mark(_day(s["on"]), KIND_LABELS[s["kind"]], s["reason"]) for s in case.get("stops", [])],
    )
    _expect(result, check)


@pytest.mark.django_db
def test_the_cases_through_the_services_and_the_roster():
    """Every case entered as the county enters it; each check read back as the pages read it."""
    for number, case in enumerate(CASE["cases"]):
        county = County(name=f"补贴县{number}")
        county.settings(case.get("settings"))
        for table in CASE["tables"]:
            services.allowance_table_save(
                actor=county.admin,
                county=county.county,
                name=table["name"],
                effective_from=_day(table["from"]),
                effective_to=_day(table.get("to")),
                bands=[(y, Decimal(s), Decimal(d), Decimal(o)) for y, s, d, o in table["bands"]],
            )
        township = county.township("城关镇")
        birth = _day(case["birth"])
        person = factories.PersonFactory(
            township=township,
            name=f"老干部{number}",
            birth_date=birth,
            id_number=factories.make_id_number(birth, number, region="320183"),
        )
        for h in case["held"]:
            village = county.village(f"{h['village']}号村", "城关镇")
            Tenure.objects.create(
                person=person,
                post=h["post"],
                township=township,
                village=village,
                started_on=_day(h["from"]),
                ended_on=_day(h.get("to")),
            )
        for d in case.get("disqualifications", []):
            services.allowance_disqualify(
                actor=county.admin, person=person, kind=d["kind"], occurred_on=_day(d["on"]), reason=d["reason"]
            )
        for s in case.get("stops", []):
            services.allowance_stop(
                actor=county.admin, person=person, kind=s["kind"], stopped_on=_day(s["on"]), reason=s["reason"]
            )
        for check in case["checks"]:
            row = person_allowance(person=person, month=_month(check["month"]))
            _expect(row.result, check)
