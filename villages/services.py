"""Writes for villages and Party organizations.

Each service validates the domain rules, writes under ``transaction.atomic``
and records an audit row; a rule broken means a ValidationError with a
Chinese message and nothing saved.
"""

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction, Role
from townships.county_settings import settings_for
from townships.dates import add_years
from townships.evidence import validate_evidence
from townships.inputs import inputs_changed
from townships.models import User
from townships.scoping import can_manage_registry
from townships.services import audit_record, changed_fields, enqueue_township_totals, record_set_active

from .choices import ALLOWED_PARENT_KINDS, MatterStep, OrganizationKind
from .models import Matter, MatterStepRecord, PartyOrganization, RectificationStep, Village, WeakDesignation
from .terms import TERM_YEARS_MAX

# A tree is at most committee → committee → general branch → branch → group;
# a longer chain of parents can only be a cycle or corrupted data.
MAX_TREE_DEPTH = 8


def _check_village_township(village, county):
    if village.township.county_id != county.pk:
        raise ValidationError({"township": _("所选乡镇不属于本县。")})


@transaction.atomic
def village_create(*, actor, request=None, **data):
    village = Village(**data)
    if actor is not None and getattr(actor, "county_id", None) and not actor.is_superuser:
        _check_village_township(village, actor.county)
    village.full_clean()
    village.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=village, request=request)
    enqueue_township_totals(village.township_id)
    return village


@transaction.atomic
def village_update(*, actor, village, request=None, **data):
    village = Village.objects.select_for_update().get(pk=village.pk)
    old_township_id = village.township_id
    changes = changed_fields(village, data)
    for field, value in data.items():
        setattr(village, field, value)
    if actor is not None and getattr(actor, "county_id", None) and not actor.is_superuser:
        _check_village_township(village, actor.county)
    village.full_clean()
    village.save()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=village, detail=changes, request=request)
    enqueue_township_totals(village.township_id)
    if old_township_id != village.township_id:
        enqueue_township_totals(old_township_id)
    return village


@transaction.atomic
def village_set_active(*, actor, village, active, request=None):
    """Deactivate or restore a village; its records and scores stay."""
    record_set_active(actor=actor, instance=village, active=active, request=request)
    enqueue_township_totals(village.township_id)
    return village


def _validate_organization(org, joint_villages=()):
    """The rules of the tree that one row's constraints can't express."""
    errors = {}
    if org.village_id and org.village.township_id != org.township_id:
        errors["village"] = _("所属村（社区）不在所选乡镇。")
    parent = org.parent
    if parent is not None:
        if parent.township_id != org.township_id:
            errors["parent"] = _("上级组织必须在同一乡镇。")
        elif parent.kind not in ALLOWED_PARENT_KINDS[org.kind]:
            errors["parent"] = _("%(kind)s不能设在%(parent_kind)s之下。") % {
                "kind": OrganizationKind(org.kind).label,
                "parent_kind": OrganizationKind(parent.kind).label,
            }
        else:
            # Walk up: meeting ourselves means a cycle.
            node, depth = parent, 0
            while node is not None:
                if org.pk is not None and node.pk == org.pk:
                    errors["parent"] = _("上级组织不能是本组织或其下级组织（组织树不能成环）。")
                    break
                depth += 1
                if depth > MAX_TREE_DEPTH:
                    errors["parent"] = _("组织层级过深，请检查上级组织。")
                    break
                node = node.parent
    elif None not in ALLOWED_PARENT_KINDS[org.kind]:
        errors["parent"] = _("%(kind)s必须有上级组织。") % {"kind": OrganizationKind(org.kind).label}
    for village in joint_villages:
        if village.township_id != org.township_id:
            errors["joint_villages"] = _("联建村（社区）必须在同一乡镇。")
            break
        if village.pk == org.village_id:
            errors["joint_villages"] = _("联建村（社区）不应重复所属村（社区）。")
            break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(*, actor, joint_villages=(), request=None, **data):
    org = PartyOrganization(**data)
    org.full_clean()
    _validate_organization(org, joint_villages)
    org.save()
    if joint_villages:
        org.joint_villages.set(joint_villages)
    audit_record(actor=actor, action=AuditAction.CREATE, target=org, request=request)
    return org


@transaction.atomic
def organization_update(*, actor, organization, joint_villages=None, request=None, **data):
    org = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    changes = changed_fields(org, data)
    for field, value in data.items():
        setattr(org, field, value)
    org.full_clean()
    _validate_organization(org, joint_villages if joint_villages is not None else org.joint_villages.all())
    org.save()
    if joint_villages is not None:
        before = set(org.joint_villages.values_list("pk", flat=True))
        after = {v.pk for v in joint_villages}
        if before != after:
            changes["joint_villages"] = [sorted(before), sorted(after)]
        org.joint_villages.set(joint_villages)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=org, detail=changes, request=request)
    return org


@transaction.atomic
def organization_set_active(*, actor, organization, active, request=None):
    if not active and organization.children.filter(is_active=True).exists():
        raise ValidationError(_("该组织下还有启用的下级组织，请先停用下级组织。"))
    return record_set_active(actor=actor, instance=organization, active=active, request=request)


@transaction.atomic
def organization_elect(*, actor, organization, elected_on, years, note="", request=None):
    """Record a 换届选举: the new term starts on the election day and lasts ``years`` years.

    The election may not lie in the future nor before the current term began (an early
    换届 is allowed); ``years`` is 1 to 5. The note goes to the audit record, the one place
    that keeps the history of terms.
    """
    org = PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    if not isinstance(elected_on, datetime.date) or isinstance(elected_on, datetime.datetime):
        raise ValidationError({"elected_on": _("请填写有效的选举日期。")})
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= TERM_YEARS_MAX:
        raise ValidationError({"years": _("任期年限须为 1 至 5 年。")})
    if not org.is_active:
        raise ValidationError(_("该党组织已停用，不能记录换届选举。"))
    if elected_on > timezone.localdate():
        raise ValidationError({"elected_on": _("选举日期不能晚于今天。")})
    if org.term_start is not None and elected_on < org.term_start:
        raise ValidationError(
            {"elected_on": _("选举日期不能早于本届任期开始日期（%(date)s）。") % {"date": org.term_start.isoformat()}}
        )
    note = (note or "").strip()[:200]
    previous = [
        org.term_start.isoformat() if org.term_start else None,
        org.term_end.isoformat() if org.term_end else None,
    ]
    org.term_start = elected_on
    org.term_end = add_years(elected_on, years)  # at least a year on: the term constraint holds
    org.save(update_fields=["term_start", "term_end"])
    detail = {
        "election": elected_on.isoformat(),
        "term_end": org.term_end.isoformat(),
        "years": years,
        "previous_term": previous,
    }
    if note:
        detail["note"] = note
    audit_record(actor=actor, action=AuditAction.UPDATE, target=org, detail=detail, request=request)
    return org


# --- 四议两公开 --------------------------------------------------------------


@transaction.atomic
def matter_create(*, actor, village, title, description="", request=None):

    matter = Matter(village=village, township_id=village.township_id, title=title, description=description)
    matter.full_clean()
    matter.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=matter, request=request)
    return matter


@transaction.atomic
def matter_record_step(*, actor, matter, step, done_on, evidence=None, evidence_kind="minutes", note="", request=None):
    """Record one of the six steps; each needs the one before it, on or before its date."""

    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    recorded = dict(matter.steps.values_list("step", "done_on"))
    step = MatterStep(int(step))
    if step in recorded:
        raise ValidationError({"step": _("“%(step)s”已经记录。") % {"step": step.label}})
    if step > MatterStep.PROPOSE:
        previous = MatterStep(step - 1)
        if previous not in recorded:
            raise ValidationError(
                {"step": _("“四议两公开”不能跳步：请先记录“%(previous)s”。") % {"previous": previous.label}}
            )
        if done_on < recorded[previous]:
            raise ValidationError(
                {
                    "done_on": _("“%(step)s”的日期不能早于“%(previous)s”（%(date)s）。")
                    % {"step": step.label, "previous": previous.label, "date": recorded[previous].isoformat()}
                }
            )
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("日期不能晚于今天。")})
    if evidence is not None:
        conf = settings_for(matter.township.county_id)
        validate_evidence(evidence, kind=evidence_kind, max_mb=conf["life.evidence_max_mb"])
    record = MatterStepRecord(matter=matter, step=step, done_on=done_on, note=note)
    if evidence is not None:
        record.evidence = evidence
    record.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, target=matter, detail={"step": int(step)}, request=request)
    inputs_changed(county_id=matter.township.county_id, since=done_on, actor=actor)  # 完成事项 from its date
    return record


# --- 软弱涣散: designation, rectification, acceptance ------------------------------


@transaction.atomic
def weak_designate(*, actor, village, year, reason, source="", request=None):

    if not reason or not reason.strip():
        raise ValidationError({"reason": _("认定须说明理由。")})
    if WeakDesignation.objects.filter(village=village, status=WeakDesignation.Status.RECTIFYING).exists():
        raise ValidationError(_("该村已在整顿名单中。"))
    designation = WeakDesignation.objects.create(
        village=village,
        township_id=village.township_id,
        year=year,
        reason=reason.strip()[:300],
        source=source,
        designated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=designation,
        detail={"designated": source or "manual"},
        request=request,
    )
    inputs_changed(county_id=village.township.county_id, since=timezone.localdate(), actor=actor)  # 软弱涣散数
    return designation


@transaction.atomic
def weak_add_step(*, actor, designation, done_on, description, request=None):

    if designation.status != WeakDesignation.Status.RECTIFYING:
        raise ValidationError(_("已销号，不能再添加整顿措施。"))
    if not description or not description.strip():
        raise ValidationError({"description": _("请填写整顿措施。")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("日期不能晚于今天。")})
    step = RectificationStep.objects.create(
        designation=designation,
        done_on=done_on,
        description=description.strip()[:300],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=designation, detail={"step": step.description}, request=request
    )
    return step


# What else must hold before a rectification is accepted, registered by the apps above this one from
# their AppConfig.ready() (the assessment: a 整顿验收 survey above the county's line). Each check takes
# the designation and raises a ValidationError with its reason.
ACCEPTANCE_CHECKS = []


def register_acceptance_check(check):
    if check not in ACCEPTANCE_CHECKS:
        ACCEPTANCE_CHECKS.append(check)
    return check


@transaction.atomic
def weak_accept(*, actor, designation, note, request=None):
    """销号: the county accepts the rectification; the record and its steps stay."""

    designation = WeakDesignation.objects.select_for_update().get(pk=designation.pk)
    if designation.status != WeakDesignation.Status.RECTIFYING:
        raise ValidationError(_("已经销号。"))
    if not designation.steps.exists():
        raise ValidationError(_("还没有记录整顿措施，不能销号。"))
    if not note or not note.strip():
        raise ValidationError({"note": _("销号须填写验收意见。")})
    for check in ACCEPTANCE_CHECKS:
        check(designation)
    designation.status = WeakDesignation.Status.ACCEPTED
    designation.accepted_by = actor if getattr(actor, "is_authenticated", False) else None
    designation.accepted_at = timezone.now()
    designation.acceptance_note = note.strip()[:300]
    designation.save()
    audit_record(
        actor=actor, action=AuditAction.APPROVE, target=designation, detail={"accepted": True}, request=request
    )
    inputs_changed(county_id=designation.township.county_id, since=timezone.localdate(), actor=actor)
    return designation


# --- Village logins (村级账号) ------------------------------------------------------


@transaction.atomic
def village_login_create(*, actor, village, username, name, password, request=None):
    """One login for a village's Party secretary or Party-building clerk, made by the county
    administrator. Its township and county are the village's own, never chosen apart from it."""
    if not can_manage_registry(actor):
        raise PermissionDenied(_("只有县委组织部管理员可以开设村级账号。"))
    township = village.township
    if actor.county_id is not None and township.county_id != actor.county_id:
        raise ValidationError({"village": _("所选村（社区）不属于本县。")})
    if not (village.is_active and township.is_active):
        raise ValidationError({"village": _("该村（社区）已停用，不能开设账号。")})
    user = User(
        username=username,
        first_name=name,
        role=Role.VILLAGE_STAFF,
        county_id=township.county_id,
        township=township,
        village=village,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_CHANGED,
        target=user,
        detail={"role": ["", str(Role.VILLAGE_STAFF.label)], "village": village.name},
        request=request,
        scope=(township.county_id, township.pk),
    )
    return user
