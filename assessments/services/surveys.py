"""Writes for satisfaction surveys (满意度测评): recording a tally, and the township's review of one
entered by a village login. A survey that counts (approved) makes the scored months it feeds dirty,
so they are scored again with it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from cadres.models import Tenure
from townships.choices import AuditAction, EntryStatus, Role
from townships.county_settings import settings_for
from townships.scoping import can_edit_in_township, can_submit_village_entries
from townships.services import audit_record

from ..choices import BallotKind, SurveyPurpose, TallyTarget
from ..county_settings import rater_groups, satisfaction_bands, satisfaction_options
from ..models import BallotTally
from .reports import scored_months_changed
from .tallies import clean_groups, groups_write, tally_fill, tally_result

# How long after its year a year's survey may still be held (the year-end 三评 is often in January).
LATE_MONTHS = 3


def latest_held_on(year):
    """The last day a survey of ``year`` may be held."""
    return datetime.date(year + 1, LATE_MONTHS + 1, 1) - datetime.timedelta(days=1)


def _target(*, actor, target_kind, organization, person, township):
    """(township, village) of the rated, checked against what the actor may record."""
    if target_kind == TallyTarget.TOWNSHIP:
        if township is None:
            raise ValidationError({"township": _("请选择被测评的乡镇。")})
        if not (actor.is_superuser or actor.role == Role.COUNTY_ADMIN):
            raise ValidationError({"target_kind": _("乡镇的满意度测评由县委组织部录入。")})
        return township, None
    if target_kind not in (TallyTarget.ORGANIZATION, TallyTarget.SECRETARY):
        raise ValidationError({"target_kind": _("请选择测评对象类型。")})
    if organization is None or organization.village_id is None:
        raise ValidationError({"organization": _("请选择被测评的村党组织。")})
    if target_kind == TallyTarget.SECRETARY and person is None:
        raise ValidationError({"person": _("请选择被测评的村党组织书记。")})
    return organization.township, organization.village


def _check_scope(actor, township, village):
    if can_submit_village_entries(actor):
        if village is None or actor.village_id != village.pk:
            raise ValidationError(_("只能录入本村的测评。"))
        return
    if not can_edit_in_township(actor, township.pk) or (
        not actor.is_superuser and actor.county_id is not None and actor.county_id != township.county_id
    ):
        raise ValidationError(_("不能为其他乡镇录入测评。"))


def _clean_groups(groups, conf):
    """The groups as ``ballots.Group`` rows; a Chinese message per problem (pooled: weight 1 each)."""
    return clean_groups(groups, dict(rater_groups(conf)))


def survey_result(*, groups, conf):
    """The tally of cleaned groups by the county's formula (ValidationError when counts do not add up)."""
    return tally_result(
        groups, satisfaction_options(conf), min_sample=conf["survey.min_sample"], bands=satisfaction_bands(conf)
    )


@transaction.atomic
def survey_save(
    *,
    actor,
    tally=None,
    target_kind,
    organization=None,
    person=None,
    township=None,
    year,
    held_on,
    purpose,
    method,
    groups,
    note="",
    version=None,
    request=None,
):
    """Record a satisfaction survey (or correct one): every group checked and the result computed
    before anything is written. A village login's survey waits for its township (待审核)."""
    township, village = _target(
        actor=actor, target_kind=target_kind, organization=organization, person=person, township=township
    )
    _check_scope(actor, township, village)
    if not isinstance(held_on, datetime.date):
        raise ValidationError({"held_on": _("请填写测评日期。")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("测评日期不能晚于今天。")})
    last = datetime.date(year, 12, 31)
    if not datetime.date(year, 1, 1) <= held_on <= latest_held_on(year):
        raise ValidationError(
            {
                "held_on": _("%(y)s 年度的测评日期应在 %(y)s 年内（年终测评最晚到次年 %(m)s 月）。")
                % {"y": year, "m": LATE_MONTHS}
            }
        )
    if person is not None and target_kind == TallyTarget.SECRETARY:
        held = Tenure.objects.filter(
            person=person, village=village, post=PostKind.VILLAGE_SECRETARY, started_on__lte=min(held_on, last)
        ).exclude(ended_on__lt=datetime.date(year, 1, 1))
        if not held.exists():
            raise ValidationError({"person": _("%(p)s %(y)s 年未任该村党组织书记。") % {"p": person.name, "y": year}})
    conf = settings_for(township.county_id)
    cleaned = _clean_groups(groups, conf)
    result = survey_result(groups=cleaned, conf=conf)
    previous = None
    if tally is not None:
        tally = BallotTally.objects.select_for_update().get(pk=tally.pk)
        if version is not None and int(version) != tally.version:
            raise ValidationError(_("这条测评已被他人修改，请刷新后再改。"))
        previous = tally.held_on
    else:
        tally = BallotTally(kind=BallotKind.SATISFACTION, entered_by=actor if actor.is_authenticated else None)
    tally.purpose, tally.target_kind, tally.method, tally.note = purpose, target_kind, method, note
    tally.county_id, tally.township, tally.village = township.county_id, township, village
    tally.organization = organization if target_kind != TallyTarget.TOWNSHIP else None
    tally.person = person if target_kind == TallyTarget.SECRETARY else None
    tally.year, tally.held_on = year, held_on
    tally_fill(tally, options=satisfaction_options(conf), result=result)
    if can_submit_village_entries(actor):
        tally.status, tally.reviewed_by, tally.reviewed_at, tally.return_reason = EntryStatus.PENDING, None, None, ""
    else:
        tally.status, tally.reviewed_by, tally.reviewed_at = EntryStatus.APPROVED, actor, timezone.now()
    created = tally.pk is None
    if not created:
        tally.version += 1
    try:
        tally.full_clean(exclude=["entered_by", "reviewed_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    tally.save()
    groups_write(tally, cleaned)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=tally,
        detail={"valid": result.valid, "rate": str(result.rate), "score": str(result.score), "status": tally.status},
        request=request,
    )
    if tally.status == EntryStatus.APPROVED:
        survey_feeds_changed(tally, actor=actor, also=previous)
    else:
        from townships.review import entry_kind
        from townships.services import village_entry_announce

        village_entry_announce(kind=entry_kind(SURVEY_ENTRY), row=tally)
    return tally


SURVEY_ENTRY = "survey"


def survey_entry_describe(tally):
    """(label, value) rows the township's confirmation page shows for a village's survey."""
    rate = f"{tally.rate}%" if tally.rate is not None else tally.reason
    return [
        (_("测评对象"), tally.target_name),
        (_("年度 / 用途"), f"{tally.year} {tally.get_purpose_display()}"),
        (_("测评日期"), tally.held_on.isoformat()),
        (_("测评方式"), tally.get_method_display()),
        (_("有效票"), str(tally.valid)),
        (_("满意率 / 得分"), f"{rate} / {tally.score if tally.score is not None else '—'}"),
    ]


def survey_entry_summary(tally):
    rate = f"{tally.rate}%" if tally.rate is not None else _("未计结果")
    return _("%(d)s 满意度测评，有效票 %(v)s，满意率 %(r)s") % {
        "d": tally.held_on.isoformat(),
        "v": tally.valid,
        "r": rate,
    }


def survey_entry_approved(actor, tally):
    """A village's survey approved by its township: from now on it counts, and feeds its months."""
    survey_feeds_changed(tally, actor=actor)


def survey_feeds_changed(tally, *, actor, also=None):
    """A counted survey was recorded, corrected or approved: the scored months from its month on read
    it (an indicator reads the latest survey on or before its month), so they are scored again."""
    since = min(d for d in (tally.held_on, also) if d is not None)
    scored_months_changed(county_id=tally.county_id, since=since, actor=actor)


def rectification_survey_check(designation):
    """销号 of a 软弱涣散 rectification may require a 整顿验收 survey (county setting, 0 = not required):
    a counted survey of the village's Party organization for that purpose, held since the designation,
    whose rate reaches the line."""
    line = settings_for(designation.township.county_id)["weak.closing_survey_at_least"]
    if not line:
        return
    latest = (
        BallotTally.objects.counted_village_surveys()
        .filter(
            purpose=SurveyPurpose.RECTIFICATION,
            village_id=designation.village_id,
            held_on__gte=timezone.localtime(designation.designated_at).date(),
        )
        .first()
    )
    if latest is None:
        raise ValidationError(_("销号前须开展整顿验收满意度测评（满意率须达到 %(l)s%%），尚无测评记录。") % {"l": line})
    if latest.rate is None or latest.rate < line:
        shown = f"{latest.rate}%" if latest.rate is not None else latest.reason
        raise ValidationError(
            _("整顿验收测评（%(d)s）满意率 %(r)s，未达到 %(l)s%%，不能销号。")
            % {"d": latest.held_on.isoformat(), "r": shown, "l": line}
        )
