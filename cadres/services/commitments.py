"""Writes for 定·查·评: commitments (承诺实事) from entry to approval, amendments, the progress
ledger (台账), 督查 and 整改销号, and the year-end grade (评等次).

Every function runs in one transaction, refuses bad input with a Chinese message naming the
field (and the row of a milestone), and writes its audit record; nothing is half-written.
Permissions are the pages' concern (``townships.scoping``); what depends on who acts (a progress
entry by the township is approved at once, one by anyone else waits for the township) is here.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.evidence import validate_evidence
from townships.inputs import inputs_changed
from townships.models import Township
from townships.review import entry_kind
from townships.scoping import can_edit_in_township, can_submit_village_entries
from townships.services import audit_record, notify, township_recipients, village_entry_announce

from ..choices import (
    CadreMessageKind,
    CommitmentGrade,
    CommitmentStatus,
    InspectionFinding,
    InspectionLevel,
    ProgressStatus,
    TargetKind,
)
from ..models import Commitment, CommitmentAmendment, Inspection, Milestone, ProgressEntry, Tenure
from ..selectors.commitments import commitments_due
from .common import _today

# The fields an amendment may change, with the labels its history shows.
AMENDABLE = {
    "title": gettext_lazy("承诺事项"),
    "focus": gettext_lazy("重点方面"),
    "responsible": gettext_lazy("责任人"),
    "plan": gettext_lazy("实施方案"),
    "target_kind": gettext_lazy("目标类型"),
    "target_quantity": gettext_lazy("目标数量"),
    "target_unit": gettext_lazy("计量单位"),
}


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _evidence(upload, kind, county_id, field):
    """The shared evidence check, its error under this form's field name."""
    if upload is None:
        return
    try:
        validate_evidence(upload, kind=kind, max_mb=settings_for(county_id)["life.evidence_max_mb"])
    except ValidationError as error:
        raise ValidationError({field: error.message_dict["evidence"]}) from None


def holds_post_in_year(*, person, village, year):
    """A tenure of ``person`` in ``village`` overlapping the year (``ended_on`` is the first day out)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Tenure.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=start), person=person, village=village, started_on__lte=end
    ).exists()


def _check_commitment(*, organization, year, responsible, target_kind, target_quantity, target_unit):
    errors = {}
    if organization.village_id is None:
        errors["organization"] = _("承诺实事只能由村（社区）党组织作出，请选择村党组织。")
    elif responsible is not None and not holds_post_in_year(
        person=responsible, village=organization.village, year=year
    ):
        errors["responsible"] = _("%(name)s 在 %(year)s 年没有在%(village)s任职，不能作为责任人。") % {
            "name": responsible.name,
            "year": year,
            "village": organization.village.name,
        }
    if target_kind == TargetKind.QUANTITY:
        if target_quantity is None or target_quantity <= 0:
            errors["target_quantity"] = _("数量目标须填写大于 0 的目标数量。")
        if not (target_unit or "").strip():
            errors["target_unit"] = _("数量目标须填写计量单位（如 公里、户）。")
    elif target_quantity is not None:
        errors["target_quantity"] = _("“完成与否”类目标不填目标数量。")
    return errors


def _clean_milestones(rows, *, year, target_kind, target_quantity):
    """Rows of {"title", "due_on", "quantity"[, "id"]}; every problem names the row (第 n 个节点)."""
    problems = []
    for n, row in enumerate(rows, start=1):
        where = _("第 %(n)s 个节点") % {"n": n}
        if not (row.get("title") or "").strip():
            problems.append(_("%(where)s：请填写节点内容。") % {"where": where})
        due_on = row.get("due_on")
        if due_on is None:
            problems.append(_("%(where)s：请填写完成时限。") % {"where": where})
        elif due_on.year != year:
            problems.append(
                _("%(where)s：完成时限 %(day)s 不在承诺年度 %(year)s 年内。")
                % {"where": where, "day": due_on.isoformat(), "year": year}
            )
        quantity = row.get("quantity")
        if quantity is not None:
            if target_kind != TargetKind.QUANTITY:
                problems.append(_("%(where)s：“完成与否”类目标的节点不填应达数量。") % {"where": where})
            elif quantity <= 0:
                problems.append(_("%(where)s：应达数量须大于 0。") % {"where": where})
            elif target_quantity is not None and quantity > target_quantity:
                problems.append(_("%(where)s：应达数量不能超过目标数量。") % {"where": where})
    if problems:
        raise ValidationError({"milestones": problems})


@transaction.atomic
def commitment_create(
    *,
    actor,
    organization,
    year,
    title,
    focus,
    responsible,
    plan,
    target_kind,
    target_quantity=None,
    target_unit="",
    plan_file=None,
    plan_file_kind="",
    milestones=(),
    submit=False,
    request=None,
):
    """Enter a commitment and its milestones (a draft, or submitted for 审核 at once)."""
    errors = _check_commitment(
        organization=organization,
        year=year,
        responsible=responsible,
        target_kind=target_kind,
        target_quantity=target_quantity,
        target_unit=target_unit,
    )
    if errors:
        raise ValidationError(errors)
    milestones = list(milestones)
    _clean_milestones(milestones, year=year, target_kind=target_kind, target_quantity=target_quantity)
    _evidence(plan_file, plan_file_kind, organization.township.county_id, "plan_file")
    commitment = Commitment(
        organization=organization,
        township_id=organization.township_id,
        village_id=organization.village_id,
        year=year,
        title=title,
        focus=focus,
        responsible=responsible,
        plan=plan,
        target_kind=target_kind,
        target_quantity=target_quantity if target_kind == TargetKind.QUANTITY else None,
        target_unit=target_unit if target_kind == TargetKind.QUANTITY else "",
        plan_file_kind=plan_file_kind if plan_file is not None else "",
        entered_by=_user(actor),
    )
    if plan_file is not None:
        commitment.plan_file = plan_file
    commitment.full_clean()
    commitment.save()
    Milestone.objects.bulk_create(
        Milestone(commitment=commitment, title=m["title"], due_on=m["due_on"], quantity=m.get("quantity"))
        for m in milestones
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=commitment,
        detail={"milestones": len(milestones)},
        request=request,
    )
    if submit:
        commitment = commitment_submit(actor=actor, commitment=commitment, request=request)
    return commitment


def _locked(commitment):
    return Commitment.objects.select_for_update().select_related("township", "village").get(pk=commitment.pk)


@transaction.atomic
def commitment_update(*, actor, commitment, milestones, plan_file=None, plan_file_kind="", request=None, **fields):
    """Edit a draft or returned commitment (before approval: no history is kept but the audit's)."""
    commitment = _locked(commitment)
    if commitment.status not in (CommitmentStatus.DRAFT, CommitmentStatus.RETURNED):
        raise ValidationError(_("已报审或已审核的承诺不能直接修改；审核通过后的修改请走“变更”。"))
    merged = {name: fields.get(name, getattr(commitment, name)) for name in AMENDABLE}
    errors = _check_commitment(
        organization=commitment.organization,
        year=commitment.year,
        responsible=merged["responsible"],
        target_kind=merged["target_kind"],
        target_quantity=merged["target_quantity"],
        target_unit=merged["target_unit"],
    )
    if errors:
        raise ValidationError(errors)
    milestones = list(milestones)
    _clean_milestones(
        milestones, year=commitment.year, target_kind=merged["target_kind"], target_quantity=merged["target_quantity"]
    )
    _evidence(plan_file, plan_file_kind, commitment.township.county_id, "plan_file")
    changed = [name for name in AMENDABLE if getattr(commitment, name) != merged[name]]
    for name, value in merged.items():
        setattr(commitment, name, value)
    if commitment.target_kind == TargetKind.DONE:
        commitment.target_quantity, commitment.target_unit = None, ""
    if plan_file is not None:
        commitment.plan_file, commitment.plan_file_kind = plan_file, plan_file_kind
        changed.append("plan_file")
    commitment.full_clean()
    commitment.save()
    commitment.milestones.all().delete()  # nothing refers to a milestone before approval
    Milestone.objects.bulk_create(
        Milestone(commitment=commitment, title=m["title"], due_on=m["due_on"], quantity=m.get("quantity"))
        for m in milestones
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=commitment,
        detail={"fields": changed, "milestones": len(milestones)},
        request=request,
    )
    return commitment


@transaction.atomic
def commitment_submit(*, actor, commitment, request=None):
    """Draft or returned → submitted for the township 党委's 审核."""
    commitment = _locked(commitment)
    if commitment.status not in (CommitmentStatus.DRAFT, CommitmentStatus.RETURNED):
        raise ValidationError(_("只有草稿或被退回的承诺可以报审。"))
    if not commitment.milestones.exists():
        raise ValidationError({"milestones": _("请至少填写一个节点（倒排工期）后再报审。")})
    commitment.status = CommitmentStatus.SUBMITTED
    commitment.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.SUBMIT, target=commitment, request=request)
    return commitment


@transaction.atomic
def commitment_approve(*, actor, commitment, request=None):
    """The township 党委's 审核: submitted → approved; from now on a change is an amendment."""
    commitment = _locked(commitment)
    if commitment.status != CommitmentStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的承诺可以审核通过。"))
    commitment.status = CommitmentStatus.APPROVED
    commitment.return_reason = ""
    commitment.approved_by = _user(actor)
    commitment.approved_at = timezone.now()
    commitment.save(update_fields=["status", "return_reason", "approved_by", "approved_at"])
    audit_record(actor=actor, action=AuditAction.APPROVE, target=commitment, request=request)
    _year_changed(commitment, actor)
    return commitment


def _year_changed(commitment, actor):
    """What the year's scores read of this commitment (approved, its milestones) changed."""
    inputs_changed(county_id=commitment.township.county_id, since=datetime.date(commitment.year, 1, 1), actor=actor)


@transaction.atomic
def commitment_return(*, actor, commitment, reason, request=None):
    """Submitted → returned to the township's clerk, with the reason."""
    commitment = _locked(commitment)
    if commitment.status != CommitmentStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的承诺可以退回。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    commitment.status = CommitmentStatus.RETURNED
    commitment.return_reason = reason[:300]
    commitment.save(update_fields=["status", "return_reason"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=commitment, detail={"returned": reason}, request=request
    )
    return commitment


def _shown(name, value):
    if value is None:
        return ""
    if name == "responsible":
        return value.name
    if name == "focus" or name == "target_kind":
        field = Commitment._meta.get_field(name)
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _milestones_text(rows):
    return "；".join(
        f"{r['due_on'].isoformat()} {r['title']}" + (f"（{r['quantity'].normalize():f}）" if r.get("quantity") else "")
        for r in rows
    )


@transaction.atomic
def commitment_amend(*, actor, commitment, reason, milestones=None, request=None, **fields):
    """Change an approved commitment: the changed fields' before and after and the reason are kept
    (``CommitmentAmendment``) and shown on the commitment's page. ``milestones`` (when given) is the
    whole new list: rows with an ``id`` keep that milestone (and its ledger), the others are added,
    and a milestone left out is removed unless progress was recorded against it."""
    commitment = _locked(commitment)
    if commitment.status != CommitmentStatus.APPROVED:
        raise ValidationError(_("只有审核通过的承诺需要变更；未审核的可直接修改。"))
    if commitment.grade:
        raise ValidationError(_("已评定等次的承诺不能再变更。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更原因。")})
    merged = {name: fields.get(name, getattr(commitment, name)) for name in AMENDABLE}
    if merged["target_kind"] == TargetKind.DONE:
        merged["target_quantity"], merged["target_unit"] = None, ""
    errors = _check_commitment(
        organization=commitment.organization,
        year=commitment.year,
        responsible=merged["responsible"],
        target_kind=merged["target_kind"],
        target_quantity=merged["target_quantity"],
        target_unit=merged["target_unit"],
    )
    if errors:
        raise ValidationError(errors)
    changes = {
        str(AMENDABLE[name]): [_shown(name, getattr(commitment, name)), _shown(name, merged[name])]
        for name in AMENDABLE
        if getattr(commitment, name) != merged[name]
    }
    if milestones is not None:
        milestones = list(milestones)
        _clean_milestones(
            milestones,
            year=commitment.year,
            target_kind=merged["target_kind"],
            target_quantity=merged["target_quantity"],
        )
        existing = {m.pk: m for m in commitment.milestones.all()}
        before = [{"title": m.title, "due_on": m.due_on, "quantity": m.quantity} for m in existing.values()]
        kept = {row["id"] for row in milestones if row.get("id") in existing}
        dropped = set(existing) - kept
        if ProgressEntry.objects.filter(milestone_id__in=dropped).exists():
            raise ValidationError({"milestones": _("已有台账记录的节点不能删除，可修改其内容或时限。")})
        if _milestones_text(before) != _milestones_text(milestones):
            changes[str(_("节点"))] = [_milestones_text(before), _milestones_text(milestones)]
    if not changes:
        raise ValidationError(_("没有变更任何内容。"))
    for name, value in merged.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    commitment.save()
    if milestones is not None:
        Milestone.objects.filter(pk__in=dropped).delete()
        for row in milestones:
            values = {"title": row["title"], "due_on": row["due_on"], "quantity": row.get("quantity")}
            if row.get("id") in existing:
                Milestone.objects.filter(pk=row["id"]).update(**values)
            else:
                Milestone.objects.create(commitment=commitment, **values)
    amendment = CommitmentAmendment.objects.create(
        commitment=commitment, changes=changes, reason=reason[:300], amended_by=_user(actor)
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=commitment,
        detail={"amendment": amendment.pk, "changes": changes, "reason": reason},
        request=request,
    )
    _year_changed(commitment, actor)
    return amendment


@transaction.atomic
def milestone_add(*, actor, commitment, title, due_on, quantity=None, reason="", request=None):
    """Add one milestone: directly to a draft or returned commitment, as an amendment (with its
    reason) to an approved one."""
    if commitment.status == CommitmentStatus.APPROVED:
        rows = [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "quantity": m.quantity}
            for m in commitment.milestones.all()
        ]
        commitment_amend(
            actor=actor,
            commitment=commitment,
            reason=reason,
            milestones=[*rows, {"title": title, "due_on": due_on, "quantity": quantity}],
            request=request,
        )
        return commitment.milestones.order_by("-pk").first()
    if commitment.status == CommitmentStatus.SUBMITTED:
        raise ValidationError(_("承诺正在审核中，不能修改节点。"))
    _clean_milestones(
        [{"title": title, "due_on": due_on, "quantity": quantity}],
        year=commitment.year,
        target_kind=commitment.target_kind,
        target_quantity=commitment.target_quantity,
    )
    milestone = Milestone.objects.create(commitment=commitment, title=title, due_on=due_on, quantity=quantity)
    audit_record(actor=actor, action=AuditAction.CREATE, target=milestone, request=request)
    return milestone


@transaction.atomic
def milestone_delete(*, actor, milestone, reason="", request=None):
    """Remove a milestone (of an approved commitment: as an amendment, and only without progress)."""
    commitment = milestone.commitment
    if commitment.status == CommitmentStatus.APPROVED:
        rows = [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "quantity": m.quantity}
            for m in commitment.milestones.exclude(pk=milestone.pk)
        ]
        return commitment_amend(actor=actor, commitment=commitment, reason=reason, milestones=rows, request=request)
    if commitment.status == CommitmentStatus.SUBMITTED:
        raise ValidationError(_("承诺正在审核中，不能修改节点。"))
    audit_record(actor=actor, action=AuditAction.DEACTIVATE, target=milestone, request=request)
    milestone.delete()
    return None


@transaction.atomic
def progress_record(
    *,
    actor,
    commitment,
    on_date,
    note,
    milestone=None,
    quantity=None,
    percent=None,
    evidence=None,
    evidence_kind="",
    request=None,
):
    """A line of the ledger (台账). The township's and the county's entries are approved at once;
    anyone else's (the village login) waits for the township's approval and counts for nothing
    (not even for an overdue milestone) until then."""
    commitment = Commitment.objects.select_related("township").get(pk=commitment.pk)
    if commitment.status != CommitmentStatus.APPROVED:
        raise ValidationError(_("承诺实事尚未审核通过，不能记录进展。"))
    if commitment.grade:
        raise ValidationError(_("已评定等次的承诺不能再记录进展。"))
    errors = {}
    if on_date > _today():
        errors["on_date"] = _("日期不能晚于今天。")
    elif on_date < datetime.date(commitment.year, 1, 1):
        errors["on_date"] = _("日期不能早于承诺年度。")
    if milestone is not None and milestone.commitment_id != commitment.pk:
        errors["milestone"] = _("所选节点不属于这件承诺实事。")
    if (quantity is None) == (percent is None):
        errors["quantity"] = _("请填写累计完成数量或完成进度（%），二者填一项。")
    elif percent is not None and not 0 <= percent <= 100:
        errors["percent"] = _("完成进度须在 0 到 100 之间。")
    elif quantity is not None and commitment.target_kind != TargetKind.QUANTITY:
        errors["quantity"] = _("“完成与否”类目标请填写完成进度（%）。")
    elif quantity is not None and quantity < 0:
        errors["quantity"] = _("累计完成数量不能为负数。")
    elif milestone is not None and milestone.quantity is not None and quantity is None:
        errors["quantity"] = _("该节点有应达数量，请填写累计完成数量。")
    if not (note or "").strip():
        errors["note"] = _("请填写进展情况。")
    if errors:
        raise ValidationError(errors)
    _evidence(evidence, evidence_kind, commitment.township.county_id, "evidence")
    approved = can_edit_in_township(actor, commitment.township_id)
    if not approved and not can_submit_village_entries(actor, commitment.village_id):
        raise PermissionDenied(_("您没有为这件承诺实事记录进展的权限。"))
    entry = ProgressEntry(
        commitment=commitment,
        milestone=milestone,
        on_date=on_date,
        quantity=quantity,
        percent=percent,
        note=note.strip(),
        evidence_kind=evidence_kind if evidence is not None else "",
        status=ProgressStatus.APPROVED if approved else ProgressStatus.PENDING,
        recorded_by=_user(actor),
        reviewed_by=_user(actor) if approved else None,
        reviewed_at=timezone.now() if approved else None,
    )
    if evidence is not None:
        entry.evidence = evidence
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=entry, detail={"status": entry.status}, request=request)
    if approved:
        inputs_changed(county_id=commitment.township.county_id, since=on_date, actor=actor)
    else:
        village_entry_announce(kind=entry_kind(PROGRESS_ENTRY), row=entry)
    return entry


def progress_entry_approved(actor, entry):
    """A village's ledger entry approved by its township: from now on it meets milestones (from its date)."""
    inputs_changed(county_id=entry.commitment.township.county_id, since=entry.on_date, actor=actor)


PROGRESS_ENTRY = "progress"


def progress_entry_describe(entry):
    """(label, value) rows the township's confirmation page shows for a village's ledger entry."""
    done = f"{entry.quantity} {entry.commitment.target_unit}" if entry.quantity is not None else f"{entry.percent}%"
    return [
        (_("承诺实事"), entry.commitment.title),
        (_("节点"), entry.milestone.title if entry.milestone else "—"),
        (_("日期"), entry.on_date.isoformat()),
        (_("完成情况"), done),
        (_("进展情况"), entry.note),
        (_("佐证材料"), entry.get_evidence_kind_display() if entry.evidence else ""),
    ]


def progress_entry_summary(entry):
    return f"{entry.on_date.isoformat()} {entry.commitment.title}：{entry.note}"


def inspection_level_of(actor):
    """County staff inspect as the county, township staff as the township."""
    return InspectionLevel.TOWNSHIP if getattr(actor, "is_township_staff", False) else InspectionLevel.COUNTY


@transaction.atomic
def inspection_record(
    *, actor, commitment, inspected_on, finding, note="", rectification="", rectify_by=None, request=None
):
    """A 督查 finding; anything but 正常推进 needs a 整改 requirement and its deadline."""
    commitment = Commitment.objects.get(pk=commitment.pk)
    if commitment.status != CommitmentStatus.APPROVED:
        raise ValidationError(_("承诺实事尚未审核通过，不能督查。"))
    errors = {}
    if inspected_on > _today():
        errors["inspected_on"] = _("督查日期不能晚于今天。")
    if finding not in InspectionFinding.values:
        errors["finding"] = _("请选择督查结论。")
    elif finding != InspectionFinding.ON_TRACK:
        if not (rectification or "").strip():
            errors["rectification"] = _("督查结论为“%(f)s”时须填写整改要求。") % {"f": InspectionFinding(finding).label}
        if rectify_by is None:
            errors["rectify_by"] = _("请填写整改期限。")
        elif rectify_by < inspected_on:
            errors["rectify_by"] = _("整改期限不能早于督查日期。")
    if errors:
        raise ValidationError(errors)
    on_track = finding == InspectionFinding.ON_TRACK
    inspection = Inspection(
        commitment=commitment,
        township_id=commitment.township_id,
        village_id=commitment.village_id,
        level=inspection_level_of(actor),
        inspected_on=inspected_on,
        inspector=_user(actor),
        finding=finding,
        note=(note or "").strip(),
        rectification="" if on_track else rectification.strip(),
        rectify_by=None if on_track else rectify_by,
    )
    inspection.full_clean()
    inspection.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=inspection, request=request)
    return inspection


@transaction.atomic
def inspection_close(*, actor, inspection, closed_on, closing_note, request=None):
    """整改销号: the rectification is done."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.finding == InspectionFinding.ON_TRACK:
        raise ValidationError(_("该督查结论为正常推进，没有整改事项。"))
    if inspection.closed_on is not None:
        raise ValidationError(_("该整改事项已销号。"))
    errors = {}
    if closed_on > _today():
        errors["closed_on"] = _("销号日期不能晚于今天。")
    elif closed_on < inspection.inspected_on:
        errors["closed_on"] = _("销号日期不能早于督查日期。")
    if not (closing_note or "").strip():
        errors["closing_note"] = _("请填写整改情况。")
    if errors:
        raise ValidationError(errors)
    inspection.closed_on, inspection.closing_note, inspection.closed_by = closed_on, closing_note.strip(), _user(actor)
    inspection.save(update_fields=["closed_on", "closing_note", "closed_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=inspection, detail={"closed": True}, request=request)
    return inspection


def grading_opens(year):
    """评等次 is the year's end: from 1 December of the commitment's year."""
    return datetime.date(year, 12, 1)


@transaction.atomic
def commitment_grade(*, actor, commitment, grade, note, evidence=None, evidence_kind="", request=None):
    """评等次 (完成/基本完成/未完成) by the township or the county, entered or corrected. What the
    grades feed is told in this transaction (a month reads the grades given by its end, so from today on)."""
    commitment = _locked(commitment)
    if commitment.status != CommitmentStatus.APPROVED:
        raise ValidationError(_("只有审核通过的承诺可以评定等次。"))
    errors = {}
    if _today() < grading_opens(commitment.year):
        errors["grade"] = _("评等次在年终进行：%(day)s 起方可评定。") % {
            "day": grading_opens(commitment.year).isoformat()
        }
    elif grade not in CommitmentGrade.values:
        errors["grade"] = _("评定等次只能是完成、基本完成或未完成。")
    if not (note or "").strip():
        errors["note"] = _("请填写评定说明（对照目标和台账的完成情况）。")
    if errors:
        raise ValidationError(errors)
    _evidence(evidence, evidence_kind, commitment.township.county_id, "evidence")
    before = commitment.grade
    commitment.grade, commitment.grade_note = grade, note.strip()[:300]
    commitment.graded_by, commitment.graded_at = _user(actor), timezone.now()
    if evidence is not None:
        commitment.grade_evidence, commitment.grade_evidence_kind = evidence, evidence_kind
    commitment.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.APPROVE,
        target=commitment,
        detail={"grade": [before, grade], "note": commitment.grade_note},
        request=request,
    )
    inputs_changed(county_id=commitment.township.county_id, since=_today(), actor=actor)
    return commitment


def commitments_remind(*, today):
    """Beat, daily: tell each township's office of every milestone and 整改 deadline that became
    overdue, once each (the message's key names the milestone or the inspection). Returns the
    number of items told about."""
    told = 0
    items = commitments_due(townships=Township.objects.filter(is_active=True, county__is_active=True), today=today)
    recipients = {}
    for item in items:
        if item.township_id not in recipients:
            recipients[item.township_id] = list(township_recipients(item.township_id))
        notify(
            recipients[item.township_id],
            kind=CadreMessageKind.DEADLINE,
            title=item.message,
            url=reverse("commitment-detail", args=[item.commitment_id]),
            key=item.key,
        )
        told += 1
    return told
