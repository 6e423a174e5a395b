"""Golden case: 述职 ballots, the township 述职评议 composite and grades, and who is rated for a
township's year (cases/duty_ballots.toml), through the same functions the services call."""

import datetime
from decimal import Decimal

import pytest

from assessments import duty
from assessments.ballots import Group, tally
from assessments.county_settings import duty_groups, duty_options, township_duty_bands
from assessments.services.duty import year_holder
from tests.golden.runner import load
from townships.county_settings import CountySettings

CASE = load("duty_ballots.toml")
CONF = CountySettings({"duty.min_sample": 1})
OPTIONS = ("excellent", "competent", "basic", "incompetent")


def _groups(specs):
    weights = {code: weight for code, _label, weight in duty_groups(CONF, "village")}
    return [
        Group(
            s["code"],
            s["code"],
            s["issued"],
            s["returned"],
            s["invalid"],
            {k: v for k, v in s.items() if k not in ("code", "issued", "returned", "invalid")},
            weights[s["code"]],
        )
        for s in specs
    ]


@pytest.mark.parametrize("case", CASE["tallies"], ids=[c["name"] for c in CASE["tallies"]])
def test_village_ballots(case):
    groups = _groups(case["groups"])
    result = tally(groups, duty_options(CONF, "village"), min_sample=1, bands=[], group_weighted=True)
    assert result.valid == case["valid"]
    assert result.score == Decimal(case["score"])
    share, _line = duty.incompetent_share(groups)
    assert share == Decimal(case["share"])
    assert duty.vote_on_1000(result.score)[0] == Decimal(case["vote"])


@pytest.mark.parametrize("case", CASE["refused"], ids=[c["name"] for c in CASE["refused"]])
def test_bad_counts_are_refused_with_the_reason(case):
    with pytest.raises(ValueError, match=case["message"]):
        tally(_groups([case["group"]]), duty_options(CONF, "village"), min_sample=1, bands=[], group_weighted=True)


def _composite(case):
    return duty.township_composite(
        vote=Decimal(case["vote"]),
        annual_total=Decimal(case["annual"]) if "annual" in case else None,
        full_marks=Decimal(1000),
        weight_vote=CONF["duty.township.weight_vote"],
        weight_annual=CONF["duty.township.weight_annual"],
    )


def _inputs():
    return [
        duty.DutyInput(c["name"], _composite(c).value, c.get("veto", False), "乡镇年度考核一票否决")
        for c in CASE["composites"]
    ]


@pytest.mark.parametrize("case", CASE["composites"], ids=[c["name"] for c in CASE["composites"]])
def test_township_composite_and_grade(case):
    composite = _composite(case)
    assert (composite.value or "") == (Decimal(case["composite"]) if case["composite"] else "")
    if "reason" in case:
        assert case["reason"] in composite.reason
    grades = duty.township_grades(_inputs(), bands=township_duty_bands(CONF))
    assert grades[case["name"]].grade == case["grade"]


def test_the_cap_on_good():
    grades = duty.township_grades(_inputs(), bands=township_duty_bands(CONF), good_cap=CASE["cap"]["percent"])
    for name, grade in CASE["cap"]["expected"].items():
        assert grades[name].grade == grade, name
    assert [n for n, g in grades.items() if g.tie_pending] == CASE["cap"]["pending"]
    assert "超出" in grades["T2 exactly on the 好 edge"].reason


def test_a_tie_at_the_cap_is_left_to_the_county():
    tie = CASE["tie"]
    rows = [duty.DutyInput(name, Decimal(value)) for name, value in tie["rows"].items()]
    grades = duty.township_grades(rows, bands=township_duty_bands(CONF), good_cap=tie["percent"])
    assert {n: g.grade for n, g in grades.items()} == tie["expected"]
    assert sorted(n for n, g in grades.items() if g.tie_pending) == tie["pending"]
    assert "待县委组织部决定" in grades["B"].reason


@pytest.mark.parametrize("case", CASE["holders"], ids=[c["name"] for c in CASE["holders"]])
def test_who_is_rated_when_the_secretary_changed(case):
    tenures = [
        (
            t["person"],
            datetime.date.fromisoformat(t["from"]),
            datetime.date.fromisoformat(t["to"]) if "to" in t else None,
        )
        for t in case["tenures"]
    ]
    assert year_holder(tenures, 2025) == (case["rated"], case["months"])
