"""The leaving allowance (正常离任村干部生活补贴): the county's band tables, recorded
disqualifications and stops, and what tenure corrections changed for the roster. Who is paid is
computed from the tenures (cadres.allowance), never stored."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from townships.models import County

from ..choices import AllowanceStopKind, DisqualificationKind
from .people import Person

MONEY = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class AllowanceTable(models.Model):
    """A county's band table for the leaving allowance from a date on (生活补贴标准), with its
    document's name. A county's tables never overlap; a new document is a new table from its date."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="allowance_tables")
    name = models.CharField(_("标准名称（依据文件）"), max_length=120)
    effective_from = models.DateField(_("起始日期"))
    effective_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("留空表示长期有效"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("离任生活补贴标准")
        verbose_name_plural = _("离任生活补贴标准")
        ordering = ["county", "-effective_from"]

    def __str__(self):
        return self.name


class AllowanceBand(models.Model):
    """One band of a table (档次): from ``min_years`` of service, the monthly amount by the last post's
    class (书记 / 主任 / 其他（会计等）)."""

    table = models.ForeignKey(AllowanceTable, on_delete=models.CASCADE, related_name="bands")
    min_years = models.PositiveSmallIntegerField(_("任职年限（满）"))
    secretary = models.DecimalField(_("书记（元/月）"), **MONEY)
    director = models.DecimalField(_("主任（元/月）"), **MONEY)
    other = models.DecimalField(_("其他（元/月）"), **MONEY)

    class Meta:
        verbose_name = _("补贴档次")
        verbose_name_plural = _("补贴档次")
        ordering = ["table", "-min_years"]
        constraints = [models.UniqueConstraint(fields=["table", "min_years"], name="allowance_band_once_per_table")]

    def __str__(self):
        return f"{self.table} {self.min_years}"


class AllowanceDisqualification(models.Model):
    """A recorded disqualification (不享受生活补贴的情形): a criminal or Party penalty, or a recall
    (罢免), with its date and reason and who recorded it. Nothing is paid from the month after."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allowance_disqualifications")
    kind = models.CharField(_("情形"), max_length=16, choices=DisqualificationKind.choices)
    occurred_on = models.DateField(_("日期"))
    reason = models.CharField(_("事由（处分或判决文书）"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_county_path = "person__township__county"
    scope_township_path = "person__township"

    class Meta:
        verbose_name = _("不享受生活补贴情形")
        verbose_name_plural = _("不享受生活补贴情形")
        ordering = ["person", "occurred_on", "pk"]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"


class AllowanceStop(models.Model):
    """A stop of payments (停发): death or a salaried public post, with the date; paid up to that month."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allowance_stops")
    kind = models.CharField(_("停发原因"), max_length=16, choices=AllowanceStopKind.choices)
    stopped_on = models.DateField(_("日期"))
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_county_path = "person__township__county"
    scope_township_path = "person__township"

    class Meta:
        verbose_name = _("生活补贴停发")
        verbose_name_plural = _("生活补贴停发")
        ordering = ["person", "stopped_on", "pk"]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"


class AllowanceChange(models.Model):
    """A tenure change the allowance roster must re-check (任职变动): written by cadres' tenure
    listener, shown on the roster as 自上次查看后变化 (since the reader last opened it in this sign-in)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allowance_changes")
    since = models.DateField(_("变动日期"))
    what = models.CharField(_("变动"), max_length=200)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True, db_index=True)

    scope_county_path = "person__township__county"
    scope_township_path = "person__township"

    class Meta:
        verbose_name = _("生活补贴相关任职变动")
        verbose_name_plural = _("生活补贴相关任职变动")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.what
