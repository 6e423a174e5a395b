"""Writes for people, members, cadres and organizational life.

Every membership transition goes through ``member_transition``; it gathers the
facts, asks cadres.rules, and either writes the step with its evidence and an
audit row, or raises a ValidationError naming the rule and writes nothing.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.evidence import validate_evidence
from townships.services import audit_record, changed_fields

from . import rules
from .choices import (
    REJOIN_BARRED_REASONS,
    TOWNSHIP_POSTS,
    VILLAGE_POSTS,
    CorrectionOutcome,
    Gender,
    LeaveReason,
    MeetingKind,
    Rating,
    Stage,
    Transition,
)
from .identity import IdentityError, check_id_matches, normalize_phone, parse_id_number
from .models import (
    Appraisal,
    AppraisalRating,
    Correction,
    Meeting,
    MemberPost,
    MembershipEvent,
    MobileRecord,
    PartyMember,
    Person,
    ReserveCadre,
    Tenure,
    VillageContact,
)

ACTIVE_MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


def _today():
    return timezone.localdate()


def _breach(exc):
    return ValidationError({exc.field: str(exc)} if exc.field else str(exc))


def household_key(address):
    """Normalize an address so two spellings of one household compare equal."""
    from .identity import normalize_text

    key = normalize_text(address)
    key = re.sub(r"[，,。.、\-—()（）#]", "", key)
    return key.replace("号院", "号")[:120]


# --- People -----------------------------------------------------------------


def _clean_person_identity(person):
    try:
        parsed = parse_id_number(person.id_number)
        check_id_matches(parsed, birth_date=person.birth_date, is_male=person.gender == Gender.MALE)
        person.id_number = parsed.number
    except IdentityError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    try:
        person.phone = normalize_phone(person.phone)
    except IdentityError as exc:
        raise ValidationError({"phone": str(exc)}) from None
    if person.village_id and person.village.township_id != person.township_id:
        raise ValidationError({"village": _("所属村（社区）不在所选乡镇。")})
    from .choices import ETHNICITIES

    if person.ethnicity not in ETHNICITIES:
        raise ValidationError({"ethnicity": _("民族名称不正确，如“汉族”“回族”。")})
    person.household_key = household_key(person.household_address)


@transaction.atomic
def person_create(*, actor, request=None, **data):
    person = Person(**data)
    _clean_person_identity(person)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=person, request=request)
    return person


@transaction.atomic
def person_update(*, actor, person, request=None, **data):
    person = Person.objects.select_for_update().get(pk=person.pk)
    changes = changed_fields(person, data)
    for field, value in data.items():
        setattr(person, field, value)
    _clean_person_identity(person)
    person.full_clean()
    person.save()
    # Never put personal data into the audit trail in clear text.
    for sensitive in ("id_number", "phone"):
        if sensitive in changes:
            changes[sensitive] = ["***", "***"]
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=person, detail=changes, request=request)
    return person


def person_reveal(*, actor, person, request=None):
    """Record that ``actor`` asked to see the person's ID number and phone in full."""
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        target=person,
        detail={"fields": ["id_number", "phone"]},
        request=request,
    )
    return {"id_number": person.id_number, "phone": person.phone}


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


# --- Cadres -----------------------------------------------------------------


def _membership_in_village(person, village):
    """The person's current stage (None when on no roster) and whether the membership is kept
    by the village's Party organization: the record names the village, or its organization
    belongs to the village or is a joint branch (联合党支部) covering it."""
    member = (
        PartyMember.objects.filter(person=person, is_active=True)
        .select_related("organization")
        .only("stage", "village_id", "organization__village_id")
        .first()
    )
    if member is None:
        return None, False
    in_village = (
        member.village_id == village.pk
        or member.organization.village_id == village.pk
        or member.organization.joint_villages.filter(pk=village.pk).exists()
    )
    return member.stage, in_village


@transaction.atomic
def tenure_start(*, actor, person, post, township, started_on, village=None, request=None):
    if post in VILLAGE_POSTS and village is None:
        raise ValidationError({"village": _("村干部职务须指定所在村（社区）。")})
    if post in TOWNSHIP_POSTS and village is not None:
        raise ValidationError({"village": _("乡镇班子职务不属于某个村。")})
    if village is not None and village.township_id != township.pk:
        raise ValidationError({"village": _("所选村（社区）不在该乡镇。")})
    if person.township.county_id != township.county_id:
        raise ValidationError({"person": _("此人不在本县。")})
    if Tenure.objects.filter(
        person=person, post=post, village=village, township=township, ended_on__isnull=True
    ).exists():
        raise ValidationError(_("此人已在任该职务。"))
    if village is not None:
        stage, in_village = _membership_in_village(person, village)
        try:
            rules.check_village_party_post(post=post, name=person.name, stage=stage, in_village_organization=in_village)
        except rules.RuleBreach as exc:
            raise _breach(exc) from None
    tenure = Tenure(person=person, post=post, township=township, village=village, started_on=started_on)
    tenure.full_clean()
    tenure.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=tenure, request=request)
    return tenure


@transaction.atomic
def tenure_end(*, actor, tenure, ended_on, reason="", request=None):
    tenure = Tenure.objects.select_for_update().get(pk=tenure.pk)
    if tenure.ended_on is not None:
        raise ValidationError(_("此任职已经结束。"))
    if ended_on < tenure.started_on:
        raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})
    tenure.ended_on, tenure.end_reason = ended_on, reason
    tenure.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=tenure, detail={"ended_on": str(ended_on)}, request=request
    )
    return tenure


@transaction.atomic
def contact_assign(*, actor, person, village, started_on, request=None):
    if not Tenure.objects.filter(
        person=person, township_id=village.township_id, post__in=list(TOWNSHIP_POSTS), ended_on__isnull=True
    ).exists():
        raise ValidationError({"person": _("包村联村干部须是该乡镇的在任班子成员。")})
    contact = VillageContact.objects.create(
        person=person, township_id=village.township_id, village=village, started_on=started_on
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=contact, request=request)
    return contact


@transaction.atomic
def reserve_add(*, actor, person, village, added_on, note="", request=None):
    if person.township_id != village.township_id:
        raise ValidationError({"person": _("后备干部须是本乡镇人员。")})
    if ReserveCadre.objects.filter(person=person, village=village, removed_on__isnull=True).exists():
        raise ValidationError(_("此人已在该村后备干部名单中。"))
    entry = ReserveCadre.objects.create(
        person=person, township_id=village.township_id, village=village, added_on=added_on, note=note
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=entry, request=request)
    return entry


# --- Organizational life ----------------------------------------------------

# Which organization kinds hold which meetings: group meetings in Party groups,
# everything else in branch-level organizations (branch, general branch, committee).
GROUP_ONLY_KINDS = frozenset({MeetingKind.GROUP})


@transaction.atomic
def meeting_record(
    *, actor, organization, kind, held_on, topic, entitled, present, evidence=None, evidence_kind="", request=None
):
    from villages.choices import OrganizationKind

    conf = settings_for(organization.township.county_id)
    errors = {}
    if held_on > _today():
        errors["held_on"] = _("召开日期不能晚于今天。")
    if (kind in GROUP_ONLY_KINDS) != (organization.kind == OrganizationKind.GROUP):
        errors["kind"] = (
            _("党小组会只能由党小组召开。")
            if kind in GROUP_ONLY_KINDS
            else _("党小组只记录党小组会，其他会议请记在所在支部。")
        )
    if present > entitled:
        errors["present"] = _("实到人数不能多于应到人数。")
    members = PartyMember.objects.filter(is_active=True, stage__in=ACTIVE_MEMBER_STAGES)
    # Members are kept on their branch's roll; a Party group's meeting draws on its branch.
    roll = organization.parent if organization.kind == OrganizationKind.GROUP else organization
    eligible = members.filter(organization__in=_subtree_ids(roll)).count()
    if entitled > eligible:
        errors["entitled"] = _("应到人数（%(n)s）多于该组织在册党员数（%(m)s）。") % {"n": entitled, "m": eligible}
    if errors:
        raise ValidationError(errors)
    if evidence is not None:
        validate_evidence(evidence, kind=evidence_kind, max_mb=conf["life.evidence_max_mb"])
    meeting = Meeting(
        organization=organization,
        township_id=organization.township_id,
        village_id=organization.village_id,
        kind=kind,
        held_on=held_on,
        topic=topic,
        entitled=entitled,
        present=present,
        evidence_kind=evidence_kind if evidence is not None else "",
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if evidence is not None:
        meeting.evidence = evidence
    meeting.full_clean()
    meeting.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=meeting, request=request)
    return meeting


def _subtree_ids(organization):
    """The organization and everything below it (at most a few levels: one query per level)."""
    from villages.models import PartyOrganization

    ids, frontier = [organization.pk], [organization.pk]
    while frontier:
        frontier = list(PartyOrganization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


@transaction.atomic
def appraisal_record(*, actor, organization, year, held_on, ratings, request=None):
    """民主评议党员: ``ratings`` maps member id → Rating. 不合格 members enter 限期改正."""
    conf = settings_for(organization.township.county_id)
    if held_on.year != year:
        raise ValidationError({"held_on": _("评议日期须在评议年度内。")})
    if Appraisal.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(_("该组织本年度已开展民主评议。"))
    members = {
        m.pk: m
        for m in PartyMember.objects.filter(
            pk__in=list(ratings), organization__in=_subtree_ids(organization), is_active=True
        ).select_related("township")
    }
    unknown = set(ratings) - set(members)
    if unknown:
        raise ValidationError({"ratings": _("有 %(n)s 人不是该组织的在册党员。") % {"n": len(unknown)}})
    if any(r not in Rating.values for r in ratings.values()):
        raise ValidationError({"ratings": _("评定等次只能是优秀、合格、基本合格或不合格。")})
    try:
        rules.check_ratings(
            ratings=[(members[pk].stage, rating) for pk, rating in ratings.items()],
            excellent_max_share=conf["life.excellent_max_share"],
        )
    except rules.RuleBreach as exc:
        raise _breach(exc) from None
    appraisal = Appraisal.objects.create(
        organization=organization,
        township_id=organization.township_id,
        year=year,
        held_on=held_on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    AppraisalRating.objects.bulk_create(
        AppraisalRating(appraisal=appraisal, member_id=pk, rating=rating) for pk, rating in ratings.items()
    )
    for pk, rating in ratings.items():
        if rating == Rating.UNQUALIFIED:
            correction_start(
                actor=actor, member=members[pk], started_on=held_on, reason=_("民主评议不合格"), request=request
            )
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=appraisal,
        detail={"rated": len(ratings), "excellent": sum(r == Rating.EXCELLENT for r in ratings.values())},
        request=request,
    )
    return appraisal
