"""The membership pipeline's steps (发展党员), one function per transition, and the service that runs them.

``member_transition`` locks the member, looks the transition up in ``TRANSITIONS``
and runs it; the step function asks cadres.rules and sets the member's fields, or
raises ``RuleBreach`` naming the rule. The service then saves the member, writes
the membership event and the audit row, all in one transaction, or nothing at all.

Each step function takes the locked member, the step's date, the county's settings
and the form's data, and returns the ``Step`` to record. It never saves the member
itself (only the many-to-many mentors and sponsors, and a leaving member's open
mobile records, are written directly), so it can be exercised alone.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.inputs import inputs_changed
from townships.services import audit_record

from .. import rules
from ..choices import LeaveReason, Stage, Transition
from ..models import MobileRecord, PartyMember
from .common import ACTIVE_MEMBER_STAGES, _breach, _event, _today


@dataclass(frozen=True)
class Step:
    """What a transition recorded: the event's detail and the audit action."""

    detail: dict = field(default_factory=dict)
    audit_action: str = AuditAction.UPDATE


def _stages_of(members):
    return [m.stage if m.is_active else None for m in members]


def _vote(data):
    try:
        return rules.Vote(
            entitled=int(data["entitled"]), present=int(data["present"]), in_favour=int(data["in_favour"])
        )
    except (KeyError, TypeError, ValueError):
        raise ValidationError(_("请填写表决情况：应到、实到和赞成人数。")) from None


def _check_notice(data, on_date, conf):
    rules.check_notice(data.get("notice_from"), data.get("notice_to"), on_date, conf["pipeline.notice_working_days"])


def talk(member, *, on_date, conf, data):
    """入党谈话: recorded even when late; the event says whether it was."""
    late = rules.talk_is_late(
        applied_on=member.applied_on, talked_on=on_date, within_days=conf["pipeline.talk_within_days"]
    )
    member.talked_on = on_date
    return Step({"late": late})


def review(member, *, on_date, conf, data):
    """积极分子考察: the periodic review of activists and candidates."""
    if member.stage not in (Stage.ACTIVIST, Stage.CANDIDATE):
        raise rules.RuleBreach(_("只有入党积极分子和发展对象需要定期考察。"))
    member.last_reviewed_on = on_date
    return Step({"summary": data.get("summary", "")})


def activist(member, *, on_date, conf, data):
    """确定为入党积极分子, with one or two full members as mentors (培养联系人)."""
    mentors = list(data.get("mentors") or [])
    rules.check_activist(
        stage=member.stage,
        applied_on=member.applied_on,
        activist_on=on_date,
        mentor_stages=_stages_of(mentors),
        mentors_min=conf["pipeline.mentors_min"],
        mentors_max=conf["pipeline.mentors_max"],
    )
    _check_notice(data, on_date, conf)
    member.stage, member.activist_on, member.last_reviewed_on = Stage.ACTIVIST, on_date, on_date
    member.mentors.set(mentors)
    return Step({"mentors": [m.pk for m in mentors]})


def candidate(member, *, on_date, conf, data):
    """列为发展对象: a year as activist, two sponsors, the political check and training."""
    sponsors = list(data.get("sponsors") or [])
    training_days, training_hours = int(data.get("training_days") or 0), int(data.get("training_hours") or 0)
    rules.check_candidate(
        stage=member.stage,
        activist_on=member.activist_on,
        candidate_on=on_date,
        min_months=conf["pipeline.activist_min_months"],
        sponsor_stages=_stages_of(sponsors),
        sponsors_required=conf["pipeline.sponsors"],
        political_check=data.get("political_check"),
        training_days=training_days,
        training_hours=training_hours,
        min_training_days=conf["pipeline.training_days"],
        min_training_hours=conf["pipeline.training_hours"],
    )
    _check_notice(data, on_date, conf)
    member.stage, member.candidate_on = Stage.CANDIDATE, on_date
    member.political_check = data["political_check"]
    member.training_days, member.training_hours = training_days, training_hours
    member.sponsors.set(sponsors)
    return Step(
        {"sponsors": [s.pk for s in sponsors], "training_days": training_days, "training_hours": training_hours}
    )


def admit(member, *, on_date, conf, data):
    """接收为预备党员: the branch meeting's vote and the township committee's approval; probation starts."""
    vote = _vote(data)
    approved_on = data.get("approved_on")
    if approved_on is None:
        raise rules.RuleBreach(_("请填写乡镇党委审批日期。"), "approved_on")
    rules.check_admission(
        stage=member.stage,
        candidate_on=member.candidate_on,
        meeting_on=on_date,
        vote=vote,
        approved_on=approved_on,
        approval_months=conf["pipeline.approval_months"],
        approval_max_months=conf["pipeline.approval_max_months"],
        delay_reason=data.get("delay_reason", ""),
    )
    _check_notice(data, on_date, conf)
    member.stage, member.admitted_on, member.approved_on = Stage.PROBATIONARY, on_date, approved_on
    member.probation_end = rules.add_months(on_date, conf["pipeline.probation_months"])
    return Step(
        {"vote": vote.__dict__, "approved_on": approved_on.isoformat(), "delay_reason": data.get("delay_reason", "")},
        AuditAction.APPROVE,
    )


def confirm(member, *, on_date, conf, data):
    """预备党员转正: a branch meeting's vote once probation has ended."""
    vote = _vote(data)
    rules.check_confirmation(stage=member.stage, probation_end=member.probation_end, meeting_on=on_date, vote=vote)
    _check_notice(data, on_date, conf)
    member.stage, member.confirmed_on = Stage.FULL, on_date
    return Step({"vote": vote.__dict__}, AuditAction.APPROVE)


def extend(member, *, on_date, conf, data):
    """延长预备期: once, by a number of months within the county's bounds."""
    months = int(data.get("months") or 0)
    rules.check_extension(
        stage=member.stage,
        already_extended=member.probation_extended,
        months=months,
        min_months=conf["pipeline.extension_min_months"],
        max_months=conf["pipeline.extension_max_months"],
    )
    member.probation_end = rules.add_months(member.probation_end, months)
    member.probation_extended = True
    return Step({"months": months}, AuditAction.APPROVE)


def cancel(member, *, on_date, conf, data):
    """取消预备党员资格: the probationary member leaves the roster."""
    if member.stage != Stage.PROBATIONARY:
        raise rules.RuleBreach(_("只有预备党员才能取消预备党员资格。"))
    member.is_active, member.left_on, member.leave_reason = False, on_date, LeaveReason.PROBATION_CANCELLED
    return Step({}, AuditAction.APPROVE)


def leave(member, *, on_date, conf, data):
    """出党或转出: off the roster for a reason; an open mobile record ends the same day."""
    reason = data.get("reason")
    if reason not in LeaveReason.values or reason == LeaveReason.PROBATION_CANCELLED:
        raise rules.RuleBreach(_("请选择出党或转出原因。"), "reason")
    if reason == LeaveReason.WITHDRAWN and member.stage in ACTIVE_MEMBER_STAGES:
        raise rules.RuleBreach(_("党员不能“撤回入党申请”，请选择其他原因。"), "reason")
    member.is_active, member.left_on, member.leave_reason = False, on_date, reason
    MobileRecord.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on_date)
    return Step({"reason": reason})


# Applying and registering open a membership record: member_apply and member_register do those.
TRANSITIONS = {
    Transition.TALK: talk,
    Transition.REVIEW: review,
    Transition.ACTIVIST: activist,
    Transition.CANDIDATE: candidate,
    Transition.ADMIT: admit,
    Transition.CONFIRM: confirm,
    Transition.EXTEND: extend,
    Transition.CANCEL: cancel,
    Transition.LEAVE: leave,
}


@transaction.atomic
def member_transition(*, actor, member, transition, on_date, request=None, **data):
    """Move a member one step, or record a step's evidence; refuse what the rules forbid."""
    member = PartyMember.objects.select_for_update().select_related("person", "township").get(pk=member.pk)
    if not member.is_active:
        raise ValidationError(_("此记录已不在册，不能再办理发展环节。"))
    if on_date > _today():
        raise ValidationError({"on_date": _("日期不能晚于今天。")})
    conf = settings_for(member.township.county_id)
    try:
        run = TRANSITIONS.get(transition)
        if run is None:
            raise rules.RuleBreach(_("不支持的办理环节。"))
        step = run(member, on_date=on_date, conf=conf, data=data)
    except rules.RuleBreach as exc:
        raise _breach(exc) from None
    detail = dict(step.detail)
    if data.get("note"):
        detail["note"] = str(data["note"])[:500]
    member.save()
    _event(member, transition, on_date, actor, detail, data.get("notice_from"), data.get("notice_to"))
    audit_record(
        actor=actor,
        action=step.audit_action,
        target=member,
        detail={"transition": transition, **detail},
        request=request,
    )
    inputs_changed(county_id=member.township.county_id, since=on_date, actor=actor)
    return member
