"""A township's 整改台账: items written and closed by the township's office or the county (audited);
the overdue ones reach the township's office once (the morning beat)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction, Role
from townships.models import User
from townships.scoping import can_edit_in_township
from townships.services import audit_record, changed_fields, notify

from ..choices import AssessmentMessageKind, RectificationStatus
from ..models import RectificationItem
from .common import actor_or_none

FIELDS = ("problem", "measure", "deadline", "responsible", "talk")


def _check(*, township, responsible, talk, problem, measure, deadline):
    errors = {}
    if not (problem or "").strip():
        errors["problem"] = _("请填写问题。")
    if not (measure or "").strip():
        errors["measure"] = _("请填写整改措施。")
    if deadline is None:
        errors["deadline"] = _("请填写整改时限。")
    if responsible is None or responsible.township_id != township.pk:
        errors["responsible"] = _("责任人须是本乡镇的人员。")
    if talk is not None and talk.township_id != township.pk:
        errors["talk"] = _("只能关联本乡镇的约谈。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rectification_save(*, actor, township, item=None, request=None, **data):
    """Create or edit an item of ``township``'s 整改台账 (an item already 已完成 is not edited)."""
    if not can_edit_in_township(actor, township.pk):
        raise PermissionDenied(_("您不能编辑该乡镇的整改台账。"))
    data = {k: data.get(k) for k in FIELDS}
    data["problem"], data["measure"] = (data["problem"] or "").strip(), (data["measure"] or "").strip()
    _check(township=township, **data)
    if item is None:
        item = RectificationItem.objects.create(township=township, created_by=actor_or_none(actor), **data)
        audit_record(actor=actor, action=AuditAction.CREATE, target=item, request=request)
        return item
    item = RectificationItem.objects.select_for_update().get(pk=item.pk, township=township)
    if item.status == RectificationStatus.DONE:
        raise ValidationError(_("该整改事项已完成，不能再修改。"))
    changes = changed_fields(item, data)
    for field, value in data.items():
        setattr(item, field, value)
    item.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=item,
        detail={"changes": changes},
        request=request,
    )
    return item


@transaction.atomic
def rectification_close(*, actor, item, completed_on, note, today=None, request=None):
    """Mark an item 已完成 with its completion date (not in the future) and what was done."""
    today = today or timezone.localdate()
    if not can_edit_in_township(actor, item.township_id):
        raise PermissionDenied(_("您不能编辑该乡镇的整改台账。"))
    if completed_on is None:
        raise ValidationError({"completed_on": _("请填写完成日期。")})
    if completed_on > today:
        raise ValidationError({"completed_on": _("完成日期不能晚于今天。")})
    if not (note or "").strip():
        raise ValidationError({"completion_note": _("请填写完成情况。")})
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if item.status == RectificationStatus.DONE:
        raise ValidationError(_("该整改事项已完成。"))
    item.status, item.completed_on, item.completion_note = RectificationStatus.DONE, completed_on, note.strip()
    item.save(update_fields=["status", "completed_on", "completion_note"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=item,
        detail={"completed_on": completed_on.isoformat()},
        request=request,
    )
    return item


def rectifications_remind(*, today):
    """Beat, daily: each open item past its deadline reaches its township's office once (per deadline)."""
    due_count = 0
    for item in RectificationItem.objects.filter(status=RectificationStatus.OPEN, deadline__lt=today):
        due_count += 1
        notify(
            User.objects.filter(township_id=item.township_id, role=Role.TOWNSHIP_STAFF, is_active=True),
            kind=AssessmentMessageKind.RECTIFICATION_OVERDUE,
            title=_("整改事项逾期：%(p)s（时限 %(d)s）") % {"p": item.problem[:60], "d": item.deadline.isoformat()},
            url=reverse("rectification-list") + "?overdue=true",
            key=f"rectification:{item.pk}:{item.deadline.isoformat()}",
        )
    return due_count
