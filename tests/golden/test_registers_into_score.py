"""Golden case: a register a scheme reads (组织生活记录) changed after its months were scored
(cases/registers_into_score.toml): a village's meeting approved late, a meeting recorded in a
closed month, a tenure started — each marks exactly the months it feeds, and verify agrees."""

import datetime
from decimal import Decimal

import pytest

from assessments.choices import RunKind
from assessments.models import DirtyPeriod
from assessments.services import period_close
from assessments.verify import verify_month
from cadres.choices import MeetingKind, PostKind
from cadres.services import meeting_record, tenure_start
from cadres.services.meetings import MEETING_ENTRY
from tests import factories
from tests.golden.runner import County, load
from townships.review import entry_kind
from townships.services import village_entry_decide

pytestmark = pytest.mark.django_db

CASE = load("registers_into_score.toml")
YEAR = CASE["year"]
SCHEME = {
    "full_marks": 100,
    "indicators": [
        {
            "code": "G1",
            "name": "组织生活",
            "category": "party_building",
            "max": 20,
            "method": "per_item",
            "metric": "meetings_held",
            "params": {"per_item": 10},
        },
        {
            "code": "D1",
            "name": "信访",
            "category": "bottom_lines",
            "max": 80,
            "method": "deduction",
            "metric": "petitions",
            "params": {"per_event": 20},
        },
    ],
}


def _meeting(actor, branch, held_on):
    return meeting_record(
        actor=actor,
        organization=branch,
        kind=MeetingKind.PARTY_DAY,
        held_on=held_on,
        topic="主题党日",
        entitled=3,
        present=3,
    )


def _dirty(county, month):
    row = DirtyPeriod.objects.filter(county=county.county, kind=RunKind.MONTHLY, year=YEAR, period=month).first()
    return row is not None and row.is_dirty


def _check(county, month, expected):
    for name, total in expected["total"].items():
        score = county.score(name, YEAR, month)
        assert score.total == Decimal(total), (name, month)
        assert score.rank_in_township == expected["rank"][name], (name, month)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    county = County()
    branches = {}
    for name in ("甲村", "乙村"):
        village = county.village(name, "东镇")
        branches[name] = factories.PartyOrganizationFactory(
            township=village.township, village=village, name=f"{name}党支部"
        )
        factories.PartyMemberFactory.create_batch(3, organization=branches[name])
    staff = factories.township_staff(county.townships["东镇"])
    county.scheme(SCHEME, YEAR)
    _meeting(staff, branches["甲村"], datetime.date(YEAR, 2, 10))
    for month in (2, 3):
        for village in county.villages.values():
            county.report(village, YEAR, month, {"petitions": 0})
    with django_capture_on_commit_callbacks(execute=False):  # the runs are started below, by hand
        for month in (2, 3):
            county.run_month(YEAR, month)
    return county, branches, staff


def test_the_months_as_scored_before_any_change(world):
    county, _branches, _staff = world
    for month in (2, 3):
        _check(county, month, CASE["before"][str(month)])
        assert not _dirty(county, month)


def test_a_village_meeting_approved_late_makes_its_month_dirty_and_only_from_its_month_on(
    world, django_capture_on_commit_callbacks
):
    county, branches, staff = world
    login = factories.village_staff(county.villages["乙村"])
    with django_capture_on_commit_callbacks(execute=False) as pending_callbacks:
        meeting = _meeting(login, branches["乙村"], datetime.date(YEAR, 3, 12))
    assert not _dirty(county, 2) and not _dirty(county, 3)  # pending: it counts for nothing yet
    assert verify_month(county_id=county.county.pk, year=YEAR, month=3)[1] == []
    assert len(pending_callbacks) <= 1  # at most the message gateway; no run

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        village_entry_decide(actor=staff, kind=entry_kind(MEETING_ENTRY), entry=meeting, approve=True)
    assert _dirty(county, 3) and not _dirty(county, 2)
    assert len(callbacks) == 1  # one run owed, March's
    _checked, found = verify_month(county_id=county.county.pk, year=YEAR, month=3)
    assert any("乙村" in line and "meetings_held=0" in line and "records now 1" in line for line in found), found

    with django_capture_on_commit_callbacks(execute=False):
        county.run_month(YEAR, 3)
    _check(county, 3, CASE["approved"]["3"])
    assert not _dirty(county, 3)
    assert verify_month(county_id=county.county.pk, year=YEAR, month=3)[1] == []


def test_a_closed_month_is_not_scored_again_and_verify_names_its_drift(world, django_capture_on_commit_callbacks):
    county, branches, staff = world
    period_close(actor=county.admin, county=county.county, year=YEAR, month=2)
    closed = CASE["closed"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _meeting(staff, branches[closed["village"]], datetime.date(YEAR, 2, 20))
    assert not _dirty(county, 2) and _dirty(county, 3)
    assert len(callbacks) == 1  # March only
    item = county.score(closed["village"], YEAR, 2).items.get(indicator__code="G1")
    assert item.points == Decimal(closed["stored_g1"])
    _checked, found = verify_month(county_id=county.county.pk, year=YEAR, month=2)
    assert any(closed["village"] in line and "records now 2" in line for line in found), found
    with django_capture_on_commit_callbacks(execute=False):
        county.run_month(YEAR, 3)
    _check(county, 3, CASE["before"]["3"])  # the meeting is not in March: nothing moves


def test_a_tenure_started_marks_the_months_from_its_day_on(world, django_capture_on_commit_callbacks):
    county, branches, staff = world
    secretary = branches["甲村"].members.first().person
    with django_capture_on_commit_callbacks(execute=False):
        tenure_start(
            actor=staff,
            person=secretary,
            post=PostKind.VILLAGE_SECRETARY,
            township=county.townships["东镇"],
            village=county.villages["甲村"],
            started_on=datetime.date(YEAR, 3, 5),
        )
    assert _dirty(county, 3) and not _dirty(county, 2)
