"""Scoring runs (评分批次) and their per-township chunks: the durable intent of the scoring work."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from townships.models import YEAR_VALIDATORS, County, Township

from ..choices import RunKind, RunStatus


class ScoringRun(models.Model):
    """One scoring job (评分批次): claimed atomically so two workers never run it twice."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="scoring_runs")
    kind = models.CharField(_("类型"), max_length=12, choices=RunKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    period = models.PositiveSmallIntegerField(_("期间"), default=0, help_text=_("月份或季度；年度评定为 0"))
    status = models.CharField(_("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    chunks_total = models.PositiveIntegerField(_("分块总数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成分块"), default=0)
    targets_scored = models.PositiveIntegerField(_("评分对象数"), default=0)
    # Monthly runs: how many active villages the month expected, and those left out (no approved
    # report: 缺报 / 待审核 …), each {"village", "name", "township", "status"}.
    villages_expected = models.PositiveIntegerField(_("应评村数"), default=0)
    villages_scored = models.PositiveIntegerField(_("已评村数"), default=0)
    left_out = models.JSONField(_("未评村"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("评分批次")
        verbose_name_plural = _("评分批次")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "year", "period"],
                condition=Q(status__in=["pending", "running"]),
                name="run_one_open_per_period",
                violation_error_message=_("该期间已有正在排队或计算中的评分批次。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}-{self.period}"


class ScoringChunk(models.Model):
    """One township's share of a run; each finishes in seconds and is claimed by one worker."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=list, blank=True)  # computed scores, written by the run's finalize step
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    targets_scored = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(default=list, blank=True)  # villages without an approved report
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "township"], name="chunk_unique_township")]

    def __str__(self):
        return f"{self.run_id}/{self.township_id}"
