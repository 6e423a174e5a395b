from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.models import Township

from .choices import MatterStep, OrganizationKind, ShowcaseType, VillageKind


class Village(models.Model):
    """An administrative village (行政村, with its 村委会) or a community (社区, 居委会)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("所属乡镇")
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=16, choices=VillageKind.choices, default=VillageKind.VILLAGE)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    sort_key = models.CharField(_("排序码"), max_length=32, blank=True)
    natural_villages = models.PositiveIntegerField(_("自然村数"), default=0)
    villager_groups = models.PositiveIntegerField(_("村民小组数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)
    showcase_type = models.CharField(_("示范村类型"), max_length=16, choices=ShowcaseType.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "pk"  # a village login sees its own village (townships.scoping)

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["township__sort_key", "township__name", "sort_key", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_unique_name_in_township",
                violation_error_message=_("本乡镇已有同名村（社区）。"),
            ),
        ]
        indexes = [models.Index(fields=["township", "sort_key", "name"])]

    def __str__(self):
        return self.name


class PartyOrganization(models.Model):
    """A Party organization (党委/党总支/党支部/党小组) in the tree under a township committee.

    Every organization belongs to a township (for scoping); a village
    organization also names its village. A joint branch (联合党支部) covers
    further villages through ``joint_villages``.
    """

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=16, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级组织")
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("所属乡镇")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("所属村（社区）"),
    )
    joint_villages = models.ManyToManyField(
        Village, blank=True, related_name="joint_organizations", verbose_name=_("联建村（社区）")
    )
    term_start = models.DateField(_("本届任期开始"), null=True, blank=True)
    term_end = models.DateField(_("本届任期届满"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "village"  # a village login sees its own organizations (not a joint branch's others)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["township__sort_key", "township__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="organization_unique_name_under_parent",
                violation_error_message=_("同一上级组织下已有同名党组织。"),
            ),
            models.UniqueConstraint(
                fields=["township", "name"],
                condition=Q(parent__isnull=True),
                name="organization_unique_top_name_in_township",
                violation_error_message=_("本乡镇已有同名的顶层党组织。"),
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganizationKind.COMMITTEE) | Q(parent__isnull=False),
                name="organization_non_committee_has_parent",
                violation_error_message=_("党总支、党支部和党小组必须有上级组织。"),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organization_not_own_parent",
                violation_error_message=_("党组织不能以自己为上级组织。"),
            ),
            models.CheckConstraint(
                condition=Q(term_start__isnull=True) | Q(term_end__isnull=True) | Q(term_end__gt=F("term_start")),
                name="organization_term_end_after_start",
                violation_error_message=_("任期届满日期必须晚于开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["township", "kind"])]

    def __str__(self):
        return self.name


def matter_evidence_path(instance, filename):
    return f"evidence/matter/{instance.matter.township_id}/{filename}"


class Matter(models.Model):
    """A village's major matter decided through 四议两公开."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="matters", verbose_name=_("村（社区）"))
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="matters", verbose_name=_("乡镇"))
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("“四议两公开”事项")
        verbose_name_plural = _("“四议两公开”事项")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.title


class MatterStepRecord(models.Model):
    """One recorded step of a matter: its date and evidence."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("步骤"), choices=MatterStep.choices)
    done_on = models.DateField(_("日期"))
    evidence = models.FileField(_("佐证材料"), upload_to=matter_evidence_path, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事项步骤")
        verbose_name_plural = _("事项步骤")
        ordering = ["matter", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "step"],
                name="matter_step_once",
                violation_error_message=_("该步骤已记录。"),
            ),
        ]

    def __str__(self):
        return self.get_step_display()


class WeakDesignation(models.Model):
    """A village Party organization designated weak and lax (软弱涣散) for rectification, until 销号."""

    class Status(models.TextChoices):
        RECTIFYING = "rectifying", _("整顿中")
        ACCEPTED = "accepted", _("已销号")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="weak_designations", verbose_name=_("村（社区）")
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("认定理由"), max_length=300)
    source = models.CharField(_("来源"), max_length=40, blank=True, help_text=_("系统预警代码，人工认定为空"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECTIFYING)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    designated_at = models.DateTimeField(_("认定时间"), auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    acceptance_note = models.CharField(_("验收意见"), max_length=300, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("软弱涣散村党组织")
        verbose_name_plural = _("软弱涣散村党组织")
        ordering = ["-year", "status", "township"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(status="rectifying"),
                name="weak_one_open_designation",
                violation_error_message=_("该村已在整顿名单中。"),
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"


class RectificationStep(models.Model):
    """One recorded step of a weak-and-lax organization's rectification (整顿措施)."""

    designation = models.ForeignKey(WeakDesignation, on_delete=models.CASCADE, related_name="steps")
    done_on = models.DateField(_("日期"))
    description = models.CharField(_("整顿措施"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整顿措施")
        verbose_name_plural = _("整顿措施")
        ordering = ["done_on", "pk"]

    def __str__(self):
        return self.description
