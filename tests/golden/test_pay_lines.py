"""Golden cases of the pay rule (cases/pay_lines.toml): assessments/pay.py, pure, worked by hand."""

import dataclasses
import datetime
from decimal import Decimal

import pytest

from assessments import pay
from tests.golden.runner import load
from townships.dates import overlaps

CASE = load("pay_lines.toml")
START, END = (datetime.date.fromisoformat(CASE[k]) for k in ("start", "end"))
COEFFICIENTS = {
    "excellent": Decimal("1.2"),
    "competent": Decimal(1),
    "basic": Decimal("0.8"),
    "incompetent": Decimal(0),
}


def _day(text):
    return datetime.date.fromisoformat(text) if text else None


STANDARDS = [
    pay.Standard(
        effective_from=_day(s["from"]),
        effective_to=_day(s.get("to")),
        amounts={k: Decimal(str(v)) for k, v in s["amounts"].items()},
        performance_share=Decimal(str(s["share"])),
        coefficients=COEFFICIENTS,
        name=s["name"],
    )
    for s in CASE["standards"]
]


def _held(rows):
    return [pay.Held(r["post"], r["village"], _day(r["from"]), _day(r.get("to"))) for r in rows]


@pytest.mark.parametrize("case", CASE["cases"], ids=[c["name"] for c in CASE["cases"]])
def test_a_pay_line_as_worked_by_hand(case):
    line = pay.pay_line(
        held=_held(case["held"]),
        standards=STANDARDS,
        start=START,
        end=END,
        grade=case.get("grade"),
        deductions=[(Decimal(str(a)), r) for a, r in case.get("deductions", [])],
    )
    want = case["expected"]
    got = {key: getattr(line, key) for key in want}
    assert got == {k: (v if k == "days" else Decimal(str(v))) for k, v in want.items()}
    # The working ends with the total it shows, and names every month paid.
    assert line.working[-1] == f"应发合计 {pay.fmt(line.total)} 元"


BAND_STANDARDS = [
    dataclasses.replace(
        s,
        mode=pay.BAND_MODE,
        bands=((Decimal(90), Decimal("1.2")), (Decimal(75), Decimal(1)), (Decimal(60), Decimal("0.8"))),
    )
    for s in STANDARDS
]


@pytest.mark.parametrize("case", CASE["bands"], ids=[str(c["mean"]) for c in CASE["bands"]])
def test_a_score_band_sets_the_coefficient(case):
    line = pay.pay_line(
        held=[pay.Held("village_secretary", 1, datetime.date(2020, 1, 1), None)],
        standards=BAND_STANDARDS,
        start=START,
        end=END,
        mean_score=None if case["mean"] == "-" else Decimal(str(case["mean"])),
    )
    assert (line.coefficient, line.total) == (Decimal(str(case["coefficient"])), Decimal(str(case["total"])))


def test_overlapping_standards_are_found():
    first, second = STANDARDS
    assert overlaps(STANDARDS) == []
    late = dataclasses.replace(second, effective_from=datetime.date(2026, 8, 31))  # S1 still runs on 31 August
    assert overlaps([first, late]) == [(first, late)]
    open_ended = dataclasses.replace(first, effective_to=None)
    assert overlaps([open_ended, second]) == [(open_ended, second)]
