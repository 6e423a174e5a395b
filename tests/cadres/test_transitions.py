"""Each step of the membership pipeline alone (DOMAIN §4), without member_transition around it.

The pure steps run on an unsaved member; the steps that write mentors, sponsors or
mobile records use the database. County settings are the defaults.
"""

import datetime

import pytest

from cadres import rules
from cadres.choices import LeaveReason, Stage, Transition
from cadres.models import MobileRecord, PartyMember
from cadres.services import transitions
from tests import factories
from townships.choices import AuditAction
from townships.county_settings import CountySettings

D = datetime.date
CONF = CountySettings({})


def _notice(end):
    """A public notice (公示) of more than five working days, ending on ``end``."""
    return {"notice_from": end - datetime.timedelta(days=10), "notice_to": end}


def _vote(entitled=7, present=6, in_favour=6):
    return {"entitled": entitled, "present": present, "in_favour": in_favour}


def test_the_table_runs_every_step_after_the_application():
    assert set(transitions.TRANSITIONS) == set(Transition) - {
        Transition.APPLY,
        Transition.REGISTER,
        Transition.TRANSFER_IN,
    }


def test_talk_within_a_month_is_on_time_and_later_is_flagged_late():
    member = PartyMember(stage=Stage.APPLICANT, applied_on=D(2026, 3, 1))
    step = transitions.talk(member, on_date=D(2026, 3, 20), conf=CONF, data={})
    assert (member.talked_on, step.detail, step.audit_action) == (D(2026, 3, 20), {"late": False}, AuditAction.UPDATE)
    step = transitions.talk(member, on_date=D(2026, 4, 15), conf=CONF, data={})
    assert (member.talked_on, step.detail) == (D(2026, 4, 15), {"late": True})


def test_review_records_the_date_for_activists_and_refuses_applicants():
    member = PartyMember(stage=Stage.ACTIVIST, activist_on=D(2025, 6, 1), last_reviewed_on=D(2025, 6, 1))
    step = transitions.review(member, on_date=D(2025, 12, 1), conf=CONF, data={"summary": "表现良好"})
    assert (member.last_reviewed_on, step.detail) == (D(2025, 12, 1), {"summary": "表现良好"})
    with pytest.raises(rules.RuleBreach, match="只有入党积极分子和发展对象需要定期考察"):
        transitions.review(PartyMember(stage=Stage.APPLICANT), on_date=D(2025, 12, 1), conf=CONF, data={})


@pytest.mark.django_db
def test_activist_takes_one_or_two_full_members_as_mentors(township):
    applicant = factories.PartyMemberFactory(
        township=township, stage=Stage.APPLICANT, applied_on=D(2024, 3, 1), activist_on=None, candidate_on=None
    )
    mentor = factories.PartyMemberFactory(township=township)
    step = transitions.activist(
        applicant, on_date=D(2024, 6, 3), conf=CONF, data={"mentors": [mentor], **_notice(D(2024, 5, 31))}
    )
    assert (applicant.stage, applicant.activist_on, applicant.last_reviewed_on) == (
        Stage.ACTIVIST,
        D(2024, 6, 3),
        D(2024, 6, 3),
    )
    assert list(applicant.mentors.all()) == [mentor]
    assert step.detail == {"mentors": [mentor.pk]}
    probationary = factories.PartyMemberFactory(township=township, stage=Stage.PROBATIONARY)
    with pytest.raises(rules.RuleBreach, match="培养联系人必须是正式党员"):
        transitions.activist(
            PartyMember(stage=Stage.APPLICANT, applied_on=D(2024, 3, 1)),
            on_date=D(2024, 6, 3),
            conf=CONF,
            data={"mentors": [probationary], **_notice(D(2024, 5, 31))},
        )


@pytest.mark.django_db
def test_candidate_after_a_year_with_two_sponsors_a_political_check_and_training(township):
    activist = factories.PartyMemberFactory(
        township=township, stage=Stage.ACTIVIST, activist_on=D(2024, 6, 3), candidate_on=None
    )
    sponsors = [factories.PartyMemberFactory(township=township) for _ in range(2)]
    data = {"sponsors": sponsors, "political_check": "passed", "training_days": 3, **_notice(D(2025, 6, 6))}
    with pytest.raises(rules.RuleBreach, match="细则第十四条"):
        transitions.candidate(activist, on_date=D(2025, 6, 2), conf=CONF, data={**data, **_notice(D(2025, 5, 30))})
    step = transitions.candidate(activist, on_date=D(2025, 6, 10), conf=CONF, data=data)
    assert (activist.stage, activist.candidate_on, activist.political_check) == (
        Stage.CANDIDATE,
        D(2025, 6, 10),
        "passed",
    )
    assert (activist.training_days, activist.training_hours) == (3, 0)
    assert set(activist.sponsors.all()) == set(sponsors)
    assert step.detail == {"sponsors": [s.pk for s in sponsors], "training_days": 3, "training_hours": 0}


def test_admit_starts_a_year_of_probation_from_the_branch_meeting():
    member = PartyMember(stage=Stage.CANDIDATE, candidate_on=D(2025, 6, 10))
    with pytest.raises(rules.RuleBreach, match="请填写乡镇党委审批日期") as exc:
        transitions.admit(member, on_date=D(2025, 9, 1), conf=CONF, data={**_vote(), **_notice(D(2025, 8, 29))})
    assert exc.value.field == "approved_on"
    step = transitions.admit(
        member,
        on_date=D(2025, 9, 1),
        conf=CONF,
        data={**_vote(), "approved_on": D(2025, 10, 15), **_notice(D(2025, 8, 29))},
    )
    assert (member.stage, member.admitted_on, member.approved_on, member.probation_end) == (
        Stage.PROBATIONARY,
        D(2025, 9, 1),
        D(2025, 10, 15),
        D(2026, 9, 1),
    )
    assert step.detail == {
        "vote": {"entitled": 7, "present": 6, "in_favour": 6},
        "approved_on": "2025-10-15",
        "delay_reason": "",
    }
    assert step.audit_action == AuditAction.APPROVE


def test_confirm_waits_for_the_end_of_probation_and_makes_a_full_member():
    member = PartyMember(stage=Stage.PROBATIONARY, probation_end=D(2026, 9, 1))
    with pytest.raises(rules.RuleBreach, match="届满前不能讨论转正"):
        transitions.confirm(member, on_date=D(2026, 8, 31), conf=CONF, data={**_vote(), **_notice(D(2026, 8, 28))})
    step = transitions.confirm(
        member, on_date=D(2026, 9, 2), conf=CONF, data={**_vote(7, 7, 7), **_notice(D(2026, 9, 1))}
    )
    assert (member.stage, member.confirmed_on) == (Stage.FULL, D(2026, 9, 2))
    assert step.detail == {"vote": {"entitled": 7, "present": 7, "in_favour": 7}}
    assert step.audit_action == AuditAction.APPROVE


def test_extend_moves_the_end_of_probation_once():
    member = PartyMember(stage=Stage.PROBATIONARY, probation_end=D(2026, 9, 1), probation_extended=False)
    step = transitions.extend(member, on_date=D(2026, 9, 2), conf=CONF, data={"months": 6})
    assert (member.probation_end, member.probation_extended) == (D(2027, 3, 1), True)
    assert (step.detail, step.audit_action) == ({"months": 6}, AuditAction.APPROVE)
    with pytest.raises(rules.RuleBreach, match="预备期只能延长一次"):
        transitions.extend(member, on_date=D(2026, 9, 3), conf=CONF, data={"months": 6})


def test_cancel_takes_a_probationary_member_off_the_roster_and_refuses_a_full_member():
    member = PartyMember(stage=Stage.PROBATIONARY, probation_end=D(2026, 9, 1))
    step = transitions.cancel(member, on_date=D(2026, 9, 2), conf=CONF, data={})
    assert (member.is_active, member.left_on, member.leave_reason) == (
        False,
        D(2026, 9, 2),
        LeaveReason.PROBATION_CANCELLED,
    )
    assert (step.detail, step.audit_action) == ({}, AuditAction.APPROVE)
    with pytest.raises(rules.RuleBreach, match="只有预备党员才能取消预备党员资格"):
        transitions.cancel(PartyMember(stage=Stage.FULL), on_date=D(2026, 9, 2), conf=CONF, data={})


@pytest.mark.django_db
def test_leave_needs_a_reason_and_ends_an_open_mobile_record(township):
    member = factories.PartyMemberFactory(township=township)
    record = MobileRecord.objects.create(
        member=member, township=township, destination="广东省深圳市", since=D(2025, 3, 1), last_contact_on=D(2025, 3, 1)
    )
    with pytest.raises(rules.RuleBreach, match="党员不能“撤回入党申请”"):
        transitions.leave(member, on_date=D(2026, 2, 1), conf=CONF, data={"reason": LeaveReason.WITHDRAWN})
    with pytest.raises(rules.RuleBreach, match="请选择出党或转出原因"):
        transitions.leave(member, on_date=D(2026, 2, 1), conf=CONF, data={"reason": LeaveReason.PROBATION_CANCELLED})
    step = transitions.leave(member, on_date=D(2026, 2, 1), conf=CONF, data={"reason": LeaveReason.DEATH})
    assert (member.is_active, member.left_on, member.leave_reason) == (False, D(2026, 2, 1), LeaveReason.DEATH)
    assert step.detail == {"reason": LeaveReason.DEATH}
    record.refresh_from_db()
    assert record.ended_on == D(2026, 2, 1)
