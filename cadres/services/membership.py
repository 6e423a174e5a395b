"""Writes for the roster: applications, registration, moves, mobile members, posts and corrections.

The pipeline's steps after the application go through ``member_transition``
(services/transitions.py); it gathers the facts, asks cadres.rules, and either
writes the step with its evidence and an audit row, or raises a ValidationError
naming the rule and writes nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.inputs import inputs_changed
from townships.models import Township
from townships.services import audit_record

from .. import rules
from ..choices import REJOIN_BARRED_REASONS, CorrectionOutcome, LeaveReason, Stage, Transition
from ..models import Correction, MemberPost, MobileRecord, PartyMember, Tenure
from .common import ACTIVE_MEMBER_STAGES, _breach, _event, _today
from .transitions import member_transition

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
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=member, detail={"transition": Transition.APPLY}, request=request
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
        inputs_changed(county_id=organization.township.county_id, since=dates[required], actor=actor)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=member,
            detail={"transition": Transition.REGISTER},
            request=request,
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
    inputs_changed(county_id=organization.township.county_id, since=_today(), actor=actor)  # its village's counts
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
    _mobile_changed(record, since, actor)
    return record


def _mobile_changed(record, since, actor):
    """The months from ``since`` on count lost-contact mobile members again (失联流动党员)."""
    county_id = Township.objects.values_list("county_id", flat=True).get(pk=record.township_id)
    inputs_changed(county_id=county_id, since=since, actor=actor)


@transaction.atomic
def mobile_contact(*, actor, record, contacted_on, request=None):
    if contacted_on < record.since or contacted_on > _today():
        raise ValidationError({"last_contact_on": _("联系日期须在外出日期之后且不晚于今天。")})
    MobileRecord.objects.filter(pk=record.pk).update(last_contact_on=contacted_on)
    record.last_contact_on = contacted_on
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=record,
        detail={"last_contact_on": str(contacted_on)},
        request=request,
    )
    _mobile_changed(record, contacted_on, actor)
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
    _mobile_changed(record, ended_on, actor)
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
