"""Village cadres' pay (村干部报酬): the county's dated pay standards, and each settlement period's
calculation (报酬测算) — one line per paid person, with its working — approved by a named county user.

The rule is ``assessments/pay.py``; the records it reads and writes, here.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import YEAR_VALIDATORS, County, Township

from .. import pay
from ..choices import Grade, PayMode, PayPeriodState, PayRhythm

MONEY = {"max_digits": 10, "decimal_places": 2}


def default_coefficients():
    """The issue's defaults: 优秀 1.2 / 称职 1.0 / 基本称职 0.8 / 不称职 0."""
    return {Grade.EXCELLENT: "1.2", Grade.COMPETENT: "1.0", Grade.BASIC: "0.8", Grade.INCOMPETENT: "0"}


class PayStandard(models.Model):
    """A county's pay standard for village cadres from a date on (村干部报酬标准): the monthly amount per
    category, the share of it that is performance pay, and how the assessment sets that part.

    Standards of a county never overlap. A standard that a settled (approved) period read is kept as
    it is: a change is a new standard from a later date, so a settled period is never rewritten."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="pay_standards")
    name = models.CharField(_("标准名称（依据文件）"), max_length=120)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("留空表示长期有效"))
    one_shoulder_month = models.DecimalField(
        _("一肩挑月报酬"), **MONEY, validators=[MinValueValidator(0)], default=Decimal(1560)
    )
    principal_month = models.DecimalField(
        _("书记或主任（单设）月报酬"), **MONEY, validators=[MinValueValidator(0)], default=Decimal(1500)
    )
    deputy_month = models.DecimalField(
        _("副职及委员月报酬"), **MONEY, validators=[MinValueValidator(0)], default=Decimal(1300)
    )
    performance_share = models.DecimalField(
        _("绩效报酬占比"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.3"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    mode = models.CharField(_("绩效系数依据"), max_length=8, choices=PayMode.choices, default=PayMode.GRADE)
    coefficients = models.JSONField(_("等次系数"), default=default_coefficients, blank=True)
    bands = models.JSONField(_("分档系数"), default=list, blank=True)  # [[lowest mean score, coefficient], …]
    unrated = models.DecimalField(
        _("未评定系数"), max_digits=4, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    rhythm = models.CharField(_("结算周期"), max_length=8, choices=PayRhythm.choices, default=PayRhythm.HALF)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("报酬标准")
        verbose_name_plural = _("报酬标准")
        ordering = ["county", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "effective_from"], name="pay_standard_one_per_start"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="pay_standard_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def rule(self):
        """The standard as the pure rule reads it."""
        return pay.Standard(
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            amounts={
                pay.ONE_SHOULDER: Decimal(self.one_shoulder_month),
                pay.PRINCIPAL: Decimal(self.principal_month),
                pay.DEPUTY: Decimal(self.deputy_month),
            },
            performance_share=Decimal(self.performance_share),
            mode=self.mode,
            coefficients={grade: Decimal(str(value)) for grade, value in (self.coefficients or {}).items()},
            bands=tuple((Decimal(str(low)), Decimal(str(value))) for low, value in (self.bands or [])),
            unrated=Decimal(self.unrated),
            name=self.name,
        )


class PayPeriod(models.Model):
    """A settlement period of a county (a half-year, or a year): computed, approved by a named county
    user with an opinion (then locked: the finance export counts as final), reopened only by a decision."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="pay_periods")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    half = models.PositiveSmallIntegerField(_("半年"), default=0, help_text=_("1 上半年，2 下半年，0 全年"))
    state = models.CharField(_("状态"), max_length=10, choices=PayPeriodState.choices, default=PayPeriodState.OPEN)
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    opinion = models.TextField(_("审定意见"), blank=True)
    # A rating or a tenure it read changed after approval: the county is told; a person decides.
    changed_since = models.TextField(_("审定后变化"), blank=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("报酬测算期")
        verbose_name_plural = _("报酬测算期")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "half"], name="pay_period_unique"),
            models.CheckConstraint(condition=Q(half__lte=2), name="pay_period_half_valid"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        part = {0: _("全年"), 1: _("上半年"), 2: _("下半年")}[self.half]
        return f"{self.year}年{part}"

    @property
    def bounds(self):
        return pay.period_bounds(self.year, self.half)

    @property
    def is_approved(self):
        return self.state == PayPeriodState.APPROVED


class PayLine(models.Model):
    """One person's pay for a period (报酬测算表的一行), with the working that made it."""

    period = models.ForeignKey(PayPeriod, on_delete=models.CASCADE, related_name="lines")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pay_lines")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    villages = models.JSONField(_("任职村"), default=list)
    posts = models.JSONField(_("职务"), default=list)
    days = models.PositiveSmallIntegerField(_("计发天数"))
    base = models.DecimalField(_("基础报酬"), **MONEY)
    performance_standard = models.DecimalField(_("绩效标准"), **MONEY)
    coefficient = models.DecimalField(_("绩效系数"), max_digits=4, decimal_places=2)
    performance = models.DecimalField(_("绩效报酬"), **MONEY)
    deductions = models.DecimalField(_("扣减"), **MONEY, default=Decimal(0))
    total = models.DecimalField(_("应发合计"), **MONEY)
    grade = models.CharField(_("适用等次"), max_length=12, choices=Grade.choices, blank=True)
    rating_year = models.PositiveSmallIntegerField(_("评定年度"), null=True, blank=True)
    mean_score = models.DecimalField(_("期内平均分"), max_digits=8, decimal_places=2, null=True, blank=True)
    working = models.JSONField(_("计算过程"), default=list)

    scope_county_path = "period__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("报酬测算")
        verbose_name_plural = _("报酬测算")
        ordering = ["period", "township", "person"]
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="pay_line_one_per_person")]

    def __str__(self):
        return f"{self.person} {self.period}"


class PayDeduction(models.Model):
    """An amount the county takes off one person's pay for a period, with its reason (扣发)."""

    period = models.ForeignKey(PayPeriod, on_delete=models.CASCADE, related_name="deduction_entries")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    amount = models.DecimalField(_("扣减金额"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(_("扣减事由"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope_county_path = "period__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("报酬扣减")
        verbose_name_plural = _("报酬扣减")
        ordering = ["period", "created_at"]

    def __str__(self):
        return f"{self.person} {self.amount}"
