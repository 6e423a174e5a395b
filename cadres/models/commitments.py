"""定·查·评: a village Party organization's yearly commitments (承诺实事), their milestones, the
progress ledger (台账), the 督查 findings and the amendments made after approval."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.choices import EvidenceKind
from townships.models import YEAR_VALIDATORS, Township
from villages.models import PartyOrganization, Village

from ..choices import (
    CommitmentGrade,
    CommitmentStatus,
    FocusArea,
    InspectionFinding,
    InspectionLevel,
    ProgressStatus,
    TargetKind,
)
from .people import Person

QUANTITY = {"max_digits": 12, "decimal_places": 2}


def commitment_file_path(instance, filename):
    township_id = getattr(instance, "township_id", None) or instance.commitment.township_id
    return f"evidence/{instance._meta.model_name}/{township_id}/{filename}"


class Commitment(models.Model):
    """A commitment (承诺实事) of a village Party organization for one year: 一件承诺实事、一名班子成员、
    一套实施方案、一抓到底落实. Entered by the township, approved by the township 党委 (审核); once
    approved a change is an amendment (``CommitmentAmendment``); graded at the year's end (评等次)."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("村党组织")
    )
    # Copied from the organization so scoping (township, and the village login's village) needs no join.
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("村（社区）")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("承诺事项"), max_length=120)
    focus = models.CharField(_("重点方面"), max_length=16, choices=FocusArea.choices)
    responsible = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("责任人")
    )
    plan = models.TextField(_("实施方案"))
    plan_file = models.FileField(_("实施方案附件"), upload_to=commitment_file_path, blank=True)
    plan_file_kind = models.CharField(_("附件类型"), max_length=10, choices=EvidenceKind.choices, blank=True)
    target_kind = models.CharField(_("目标类型"), max_length=10, choices=TargetKind.choices)
    target_quantity = models.DecimalField(_("目标数量"), **QUANTITY, null=True, blank=True)
    target_unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.DRAFT
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    grade = models.CharField(_("评定等次"), max_length=10, choices=CommitmentGrade.choices, blank=True)
    grade_note = models.CharField(_("评定说明"), max_length=300, blank=True)
    grade_evidence = models.FileField(_("评定佐证"), upload_to=commitment_file_path, blank=True)
    grade_evidence_kind = models.CharField(_("佐证类型"), max_length=10, choices=EvidenceKind.choices, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(_("评定时间"), null=True, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "village"

    class Meta:
        verbose_name = _("承诺实事")
        verbose_name_plural = _("承诺实事")
        ordering = ["-year", "township", "village", "pk"]
        indexes = [models.Index(fields=["township", "year", "status"]), models.Index(fields=["village", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_kind=TargetKind.QUANTITY, target_quantity__gt=0) & ~Q(target_unit="")
                    | Q(target_kind=TargetKind.DONE, target_quantity__isnull=True)
                ),
                name="commitment_target_quantity_or_done",
                violation_error_message=_("数量目标须填写大于 0 的数量和计量单位；完成与否类目标不填数量。"),
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(status=CommitmentStatus.APPROVED),
                name="commitment_graded_only_when_approved",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"

    @property
    def target_display(self):
        if self.target_kind == TargetKind.QUANTITY and self.target_quantity is not None:
            return f"{self.target_quantity.normalize():f} {self.target_unit}"
        return str(TargetKind.DONE.label)


class Milestone(models.Model):
    """A dated milestone (节点) of a commitment, reckoned backwards from its end (倒排工期)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("承诺实事")
    )
    title = models.CharField(_("节点内容"), max_length=120)
    due_on = models.DateField(_("完成时限"))
    quantity = models.DecimalField(_("应达数量"), **QUANTITY, null=True, blank=True)

    scope_county_path = "commitment__township__county"
    scope_township_path = "commitment__township"
    scope_village_path = "commitment__village"

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["commitment", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="milestone_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.due_on} {self.title}"


class ProgressEntry(models.Model):
    """One line of a commitment's ledger (台账): what was done by a date, with evidence. Entered by the
    township (approved at once) or by the village (pending until the township approves it)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress", verbose_name=_("承诺实事")
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="progress", verbose_name=_("节点")
    )
    on_date = models.DateField(_("日期"))
    quantity = models.DecimalField(_("累计完成数量"), **QUANTITY, null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)
    note = models.CharField(_("进展情况"), max_length=300)
    evidence = models.FileField(_("佐证材料"), upload_to=commitment_file_path, blank=True)
    evidence_kind = models.CharField(_("材料类型"), max_length=10, choices=EvidenceKind.choices, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ProgressStatus.choices, default=ProgressStatus.PENDING)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    scope_county_path = "commitment__township__county"
    scope_township_path = "commitment__township"
    scope_village_path = "commitment__village"

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")
        ordering = ["commitment", "-on_date", "-pk"]
        indexes = [models.Index(fields=["milestone", "status", "on_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=False, percent__isnull=True)
                | Q(quantity__isnull=True, percent__isnull=False),
                name="progress_quantity_or_percent",
                violation_error_message=_("请填写累计完成数量或完成进度（%），二者填一项。"),
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="progress_percent_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.on_date} {self.note[:30]}"


class Inspection(models.Model):
    """A 督查 finding on one commitment, by the county or the township, with its 整改 requirement,
    deadline and closing (整改销号)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("承诺实事")
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    level = models.CharField(_("督查层级"), max_length=10, choices=InspectionLevel.choices)
    inspected_on = models.DateField(_("督查日期"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finding = models.CharField(_("督查结论"), max_length=10, choices=InspectionFinding.choices)
    note = models.CharField(_("督查情况"), max_length=300, blank=True)
    rectification = models.CharField(_("整改要求"), max_length=300, blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closing_note = models.CharField(_("整改情况"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "village"

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-inspected_on", "-pk"]
        indexes = [models.Index(fields=["township", "inspected_on"]), models.Index(fields=["township", "rectify_by"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding=InspectionFinding.ON_TRACK) | (~Q(rectification="") & Q(rectify_by__isnull=False)),
                name="inspection_rectification_when_not_on_track",
                violation_error_message=_("督查结论不是“正常推进”时，须填写整改要求和整改期限。"),
            ),
            models.CheckConstraint(
                condition=Q(rectify_by__isnull=True) | Q(rectify_by__gte=F("inspected_on")),
                name="inspection_deadline_after_inspection",
                violation_error_message=_("整改期限不能早于督查日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("inspected_on")),
                name="inspection_closed_after_inspection",
                violation_error_message=_("销号日期不能早于督查日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.inspected_on} {self.get_finding_display()}"


class CommitmentAmendment(models.Model):
    """A change to an approved commitment (承诺变更): each changed field before and after, and why."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("承诺实事")
    )
    changes = models.JSONField(_("变更内容"), default=dict)  # {field label: [before, after]}
    reason = models.CharField(_("变更原因"), max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amended_at = models.DateTimeField(_("变更时间"), auto_now_add=True)

    scope_county_path = "commitment__township__county"
    scope_township_path = "commitment__township"
    scope_village_path = "commitment__village"

    class Meta:
        verbose_name = _("承诺变更")
        verbose_name_plural = _("承诺变更")
        ordering = ["commitment", "-amended_at", "-pk"]

    def __str__(self):
        return f"{self.commitment_id} {self.amended_at:%Y-%m-%d}"
