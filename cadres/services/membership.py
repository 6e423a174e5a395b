"""Writes for the membership pipeline (发展党员), the roster, mobile members, posts and corrections.

Every membership transition goes through ``member_transition``; it gathers the
facts, asks cadres.rules, and either writes the step with its evidence and an
audit row, or raises a ValidationError naming the rule and writes nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.services import audit_record

from .. import rules
from ..choices import REJOIN_BARRED_REASONS, CorrectionOutcome, LeaveReason, Stage, Transition
from ..models import Correction, MemberPost, MembershipEvent, MobileRecord, PartyMember, Tenure
from .common import ACTIVE_MEMBER_STAGES, _breach, _today

# --- Membership pipeline ----------------------------------------------------


def _barred_until(person, ban_years):
    last = (
        PartyMember.objects.filter(person=person, is_active=False, leave_reason__in=list(REJOIN_BARRED_REASONS))
        .order_by("-left_on")
        .values_list("left_on", flat=True)
        .first()
    )
    return rules.add_months(last, 12 * ban_years) if last else None


def _placement(organization):
    return {
        "organization": organization,
        "township_id": organization.township_id,
        "village_id": organization.village_id,
    }


def _event(member, transition, on_date, actor, detail=None, notice_from=None, notice_to=None):
    return MembershipEvent.objects.create(
        member=member,
        transition=transition,
        on_date=on_date,
        detail=detail or {},
        notice_from=notice_from,
        notice_to=notice_to,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def member_apply(*, actor, person, organization, applied_on, request=None, today=None):
    """入党申请: opens a membership record at the applicant stage."""
    conf = settings_for(organization.township.county_id)
    if PartyMember.objects.filter(person=person, is_active=True).exists():
        raise ValidationError(_("此人已有在册的党员（申请人）记录。"))
    if organization.township_id != person.township_id:
        raise ValidationError({"organization": _("党组织须在此人所属乡镇。")})
    try:
        rules.check_application(
            birth_date=person.birth_date,
            applied_on=applied_on,
            today=today or _today(),
            min_age=conf["pipeline.min_age"],
            barred_until=_barred_until(person, conf["pipeline.rejoin_ban_years"]),
        )
    except rules.RuleBreach as exc:
        raise _breach(exc) from None
    member = PartyMember.objects.create(
        person=person, stage=Stage.APPLICANT, applied_on=applied_on, **_placement(organization)
    )
    _event(member, Transition.APPLY, applied_on, actor)
    audit_record(actor=actor, action=AuditAction.CREATE, target=member, detail={"transition": "apply"}, request=request)
    return member


def _stages_of(members):
    return [m.stage if m.is_active else None for m in members]


def _vote(data):
    try:
        return rules.Vote(
            entitled=int(data["entitled"]), present=int(data["present"]), in_favour=int(data["in_favour"])
        )
    except (KeyError, TypeError, ValueError):
        raise ValidationError(_("请填写表决情况：应到、实到和赞成人数。")) from None


@transaction.atomic
def member_transition(*, actor, member, transition, on_date, request=None, **data):
    """Move a member one step, or record a step's evidence; refuse what the rules forbid."""
    member = PartyMember.objects.select_for_update().select_related("person", "township").get(pk=member.pk)
    if not member.is_active:
        raise ValidationError(_("此记录已不在册，不能再办理发展环节。"))
    if on_date > _today():
        raise ValidationError({"on_date": _("日期不能晚于今天。")})
    conf = settings_for(member.township.county_id)
    notice_from, notice_to = data.get("notice_from"), data.get("notice_to")
    detail = {}
    audit_action = AuditAction.UPDATE
    try:
        if transition == Transition.TALK:
            late = rules.talk_is_late(
                applied_on=member.applied_on, talked_on=on_date, within_days=conf["pipeline.talk_within_days"]
            )
            member.talked_on = on_date
            detail["late"] = late
        elif transition == Transition.REVIEW:
            if member.stage not in (Stage.ACTIVIST, Stage.CANDIDATE):
                raise rules.RuleBreach(_("只有入党积极分子和发展对象需要定期考察。"))
            member.last_reviewed_on = on_date
            detail["summary"] = data.get("summary", "")
        elif transition == Transition.ACTIVIST:
            mentors = list(data.get("mentors") or [])
            rules.check_activist(
                stage=member.stage,
                applied_on=member.applied_on,
                activist_on=on_date,
                mentor_stages=_stages_of(mentors),
                mentors_min=conf["pipeline.mentors_min"],
                mentors_max=conf["pipeline.mentors_max"],
            )
            rules.check_notice(notice_from, notice_to, on_date, conf["pipeline.notice_working_days"])
            member.stage, member.activist_on, member.last_reviewed_on = Stage.ACTIVIST, on_date, on_date
            member.mentors.set(mentors)
            detail["mentors"] = [m.pk for m in mentors]
        elif transition == Transition.CANDIDATE:
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
            rules.check_notice(notice_from, notice_to, on_date, conf["pipeline.notice_working_days"])
            member.stage, member.candidate_on = Stage.CANDIDATE, on_date
            member.political_check = data["political_check"]
            member.training_days, member.training_hours = training_days, training_hours
            member.sponsors.set(sponsors)
            detail.update(sponsors=[s.pk for s in sponsors], training_days=training_days, training_hours=training_hours)
        elif transition == Transition.ADMIT:
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
            rules.check_notice(notice_from, notice_to, on_date, conf["pipeline.notice_working_days"])
            member.stage, member.admitted_on, member.approved_on = Stage.PROBATIONARY, on_date, approved_on
            member.probation_end = rules.add_months(on_date, conf["pipeline.probation_months"])
            detail.update(
                vote=vote.__dict__, approved_on=approved_on.isoformat(), delay_reason=data.get("delay_reason", "")
            )
            audit_action = AuditAction.APPROVE
        elif transition == Transition.CONFIRM:
            vote = _vote(data)
            rules.check_confirmation(
                stage=member.stage, probation_end=member.probation_end, meeting_on=on_date, vote=vote
            )
            rules.check_notice(notice_from, notice_to, on_date, conf["pipeline.notice_working_days"])
            member.stage, member.confirmed_on = Stage.FULL, on_date
            detail["vote"] = vote.__dict__
            audit_action = AuditAction.APPROVE
        elif transition == Transition.EXTEND:
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
            detail["months"] = months
            audit_action = AuditAction.APPROVE
        elif transition == Transition.CANCEL:
            if member.stage != Stage.PROBATIONARY:
                raise rules.RuleBreach(_("只有预备党员才能取消预备党员资格。"))
            member.is_active, member.left_on, member.leave_reason = False, on_date, LeaveReason.PROBATION_CANCELLED
            audit_action = AuditAction.APPROVE
        elif transition == Transition.LEAVE:
            reason = data.get("reason")
            if reason not in LeaveReason.values or reason == LeaveReason.PROBATION_CANCELLED:
                raise rules.RuleBreach(_("请选择出党或转出原因。"), "reason")
            if reason == LeaveReason.WITHDRAWN and member.stage in ACTIVE_MEMBER_STAGES:
                raise rules.RuleBreach(_("党员不能“撤回入党申请”，请选择其他原因。"), "reason")
            member.is_active, member.left_on, member.leave_reason = False, on_date, reason
            MobileRecord.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on_date)
            detail["reason"] = reason
        else:
            raise rules.RuleBreach(_("不支持的办理环节。"))
    except rules.RuleBreach as exc:
        raise _breach(exc) from None
    if data.get("note"):
        detail["note"] = str(data["note"])[:500]
    member.save()
    _event(member, transition, on_date, actor, detail, notice_from, notice_to)
    audit_record(
        actor=actor, action=audit_action, target=member, detail={"transition": transition, **detail}, request=request
    )
    return member


def member_register(*, actor, person, organization, stage, request=None, **dates):
    """Put an existing member on the roster (历史数据、转入) at the stage their file shows.

    The pipeline rules governed steps taken before the product existed; here only
    the dates' order is checked. Used by the roster import and the demo loader.
    """
    order = ["applied_on", "activist_on", "candidate_on", "admitted_on", "confirmed_on"]
    known = [(f, dates[f]) for f in order if dates.get(f)]
    for (f1, d1), (f2, d2) in zip(known, known[1:], strict=False):
        if d2 < d1:
            raise ValidationError(
                {
                    f2: _("“%(later)s”不能早于“%(earlier)s”。")
                    % {
                        "later": PartyMember._meta.get_field(f2).verbose_name,
                        "earlier": PartyMember._meta.get_field(f1).verbose_name,
                    }
                }
            )
    required = {
        Stage.ACTIVIST: "activist_on",
        Stage.CANDIDATE: "candidate_on",
        Stage.PROBATIONARY: "admitted_on",
        Stage.FULL: "admitted_on",
        Stage.APPLICANT: "applied_on",
    }[stage]
    if not dates.get(required):
        raise ValidationError(
            {required: _("该阶段须填写“%(f)s”。") % {"f": PartyMember._meta.get_field(required).verbose_name}}
        )
    with transaction.atomic():
        if PartyMember.objects.filter(person=person, is_active=True).exists():
            raise ValidationError(_("此人已有在册的党员（申请人）记录。"))
        member = PartyMember(person=person, stage=stage, **_placement(organization), **dates)
        if stage == Stage.PROBATIONARY and member.admitted_on and not member.probation_end:
            conf = settings_for(organization.township.county_id)
            member.probation_end = rules.add_months(member.admitted_on, conf["pipeline.probation_months"])
        member.save()
        _event(member, Transition.REGISTER, dates[required], actor, {"stage": stage})
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=member, detail={"transition": "register"}, request=request
        )
    return member


@transaction.atomic
def member_move(*, actor, member, organization, request=None):
    """Move a member to another organization of the same township (组织关系县内转接)."""
    if organization.township_id != member.township_id:
        raise ValidationError({"organization": _("只能在本乡镇内调整所在党组织。")})
    old = member.organization_id
    PartyMember.objects.filter(pk=member.pk).update(**_placement(organization))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=member,
        detail={"organization": [old, organization.pk]},
        request=request,
    )
    member.refresh_from_db()
    return member


# --- Mobile members, posts, corrections ------------------------------------


@transaction.atomic
def mobile_start(*, actor, member, destination, since, contact_person=None, last_contact_on=None, request=None):
    if member.stage not in ACTIVE_MEMBER_STAGES or not member.is_active:
        raise ValidationError(_("只有在册的正式党员和预备党员才能登记为流动党员。"))
    if MobileRecord.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ValidationError(_("此党员已登记为流动党员。"))
    record = MobileRecord(
        member=member,
        township_id=member.township_id,
        destination=destination,
        since=since,
        contact_person=contact_person,
        last_contact_on=last_contact_on or since,
    )
    record.full_clean()
    record.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=record, request=request)
    return record


@transaction.atomic
def mobile_contact(*, actor, record, contacted_on, request=None):
    if contacted_on < record.since or contacted_on > _today():
        raise ValidationError({"last_contact_on": _("联系日期须在外出日期之后且不晚于今天。")})
    MobileRecord.objects.filter(pk=record.pk).update(last_contact_on=contacted_on)
    record.last_contact_on = contacted_on
    return record


@transaction.atomic
def mobile_end(*, actor, record, ended_on, request=None):
    if ended_on < record.since:
        raise ValidationError({"ended_on": _("返回日期不能早于外出日期。")})
    MobileRecord.objects.filter(pk=record.pk).update(ended_on=ended_on)
    record.ended_on = ended_on
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=record, detail={"ended_on": str(ended_on)}, request=request
    )
    return record


@transaction.atomic
def member_post_assign(*, actor, member, post_type, started_on, duty="", request=None):
    if member.stage not in ACTIVE_MEMBER_STAGES or not member.is_active:
        raise ValidationError(_("只有在册党员才能设岗定责。"))
    if Tenure.objects.filter(person_id=member.person_id, ended_on__isnull=True).exists():
        raise ValidationError(_("设岗定责面向无职党员，此人目前担任职务。"))
    post = MemberPost(
        member=member, township_id=member.township_id, post_type=post_type, duty=duty, started_on=started_on
    )
    post.full_clean()
    post.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=post, request=request)
    return post


@transaction.atomic
def correction_start(*, actor, member, started_on, deadline=None, reason="", request=None):
    conf = settings_for(member.township.county_id)
    deadline = deadline or rules.add_months(started_on, conf["pipeline.correction_months"])
    try:
        rules.check_correction_deadline(
            started_on=started_on, deadline=deadline, max_months=conf["pipeline.correction_max_months"]
        )
    except rules.RuleBreach as exc:
        raise _breach(exc) from None
    correction = Correction.objects.create(
        member=member, township_id=member.township_id, started_on=started_on, deadline=deadline, reason=reason
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=correction, request=request)
    return correction


@transaction.atomic
def correction_close(*, actor, correction, outcome, outcome_on, request=None):
    """End a 限期改正: corrected, or 劝退 / 除名, which also takes the member off the roster."""
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    if correction.outcome != CorrectionOutcome.PENDING:
        raise ValidationError(_("此限期改正已经处理完毕。"))
    if outcome not in (CorrectionOutcome.CORRECTED, CorrectionOutcome.PERSUADED, CorrectionOutcome.EXPELLED):
        raise ValidationError({"outcome": _("请选择处理结果。")})
    if outcome_on < correction.started_on:
        raise ValidationError({"outcome_on": _("处理日期不能早于开始日期。")})
    correction.outcome, correction.outcome_on = outcome, outcome_on
    correction.save(update_fields=["outcome", "outcome_on"])
    if outcome != CorrectionOutcome.CORRECTED:
        reason = LeaveReason.PERSUADED if outcome == CorrectionOutcome.PERSUADED else LeaveReason.EXPELLED
        member_transition(
            actor=actor,
            member=correction.member,
            transition=Transition.LEAVE,
            on_date=outcome_on,
            reason=reason,
            request=request,
        )
    audit_record(
        actor=actor, action=AuditAction.APPROVE, target=correction, detail={"outcome": outcome}, request=request
    )
    return correction
