"""Writes for organizational life (组织生活): meetings and appraisals (民主评议党员)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction, EntryStatus
from townships.county_settings import settings_for
from townships.evidence import validate_evidence
from townships.inputs import inputs_changed
from townships.review import entry_kind
from townships.scoping import can_submit_village_entries
from townships.services import audit_record, village_entry_announce
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

from .. import rules
from ..choices import MeetingKind, Rating
from ..models import Appraisal, AppraisalRating, Meeting, PartyMember
from .common import ACTIVE_MEMBER_STAGES, _breach, _today
from .membership import correction_start

# --- Organizational life ----------------------------------------------------

# Which organization kinds hold which meetings: group meetings in Party groups,
# everything else in branch-level organizations (branch, general branch, committee).
GROUP_ONLY_KINDS = frozenset({MeetingKind.GROUP})


@transaction.atomic
def meeting_record(
    *, actor, organization, kind, held_on, topic, entitled, present, evidence=None, evidence_kind="", request=None
):
    """Record a meeting. The township's or the county's record counts at once; a village login's
    (its own village's organizations only) is pending until its township approves it."""
    from_village = can_submit_village_entries(actor)
    if from_village and not can_submit_village_entries(actor, organization.village_id):
        raise ValidationError({"organization": _("只能记录本村党组织的会议。")})
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
        status=EntryStatus.PENDING if from_village else EntryStatus.APPROVED,
    )
    if evidence is not None:
        meeting.evidence = evidence
    meeting.full_clean()
    meeting.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=meeting, request=request)
    if from_village:
        village_entry_announce(kind=entry_kind(MEETING_ENTRY), row=meeting)
    else:
        inputs_changed(county_id=organization.township.county_id, since=held_on, actor=actor)
    return meeting


def meeting_entry_approved(actor, meeting):
    """A village's meeting approved by its township: from now on it counts (in its month and after)."""
    inputs_changed(county_id=meeting.township.county_id, since=meeting.held_on, actor=actor)


# The meeting's kind in the township's review of village entries (registered in CadresConfig.ready).
MEETING_ENTRY = "meeting"


def meeting_entry_describe(meeting):
    """(label, value) rows the township's confirmation page shows for a meeting."""
    return [
        (_("党组织"), meeting.organization.name),
        (_("会议类型"), meeting.get_kind_display()),
        (_("召开日期"), meeting.held_on.isoformat()),
        (_("主题"), meeting.topic),
        (_("应到 / 实到"), f"{meeting.entitled} / {meeting.present}"),
        (_("佐证材料"), meeting.get_evidence_kind_display() if meeting.evidence else ""),
    ]


def meeting_entry_summary(meeting):
    return f"{meeting.held_on.isoformat()} {meeting.get_kind_display()}：{meeting.topic}"


def _subtree_ids(organization):
    """The organization and everything below it (at most a few levels: one query per level)."""
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
    # The next year's months read whether this year's 民主评议 was held.
    inputs_changed(county_id=organization.township.county_id, since=datetime.date(year + 1, 1, 1), actor=actor)
    return appraisal
