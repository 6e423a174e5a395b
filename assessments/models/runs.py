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
    # The first claim: the 30-minute deadline counts from it, so handing the run out again never
    # restarts it (``claimed_at`` is the latest claim).
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("最近领取时间"), null=True, blank=True)
    # Stamped while the run computes (quarterly and annual runs; a monthly run's chunks keep their
    # own): only a run whose heartbeat stopped for the lease is handed out again.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("领取次数"), default=0)
    # The period's DirtyPeriod.generation when the run was claimed, before it read any input: a
    # change of the inputs after that makes the period dirty again.
    inputs_generation = models.PositiveIntegerField(default=0)
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
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped while a worker scores it
    finished_at = models.DateTimeField(null=True, blank=True)
    targets_scored = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(default=list, blank=True)  # villages without an approved report
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "township"], name="chunk_unique_township")]

    def __str__(self):
        return f"{self.run_id}/{self.township_id}"


class DirtyPeriod(models.Model):
    """A period whose scoring inputs changed after a run of it started (待重算): a report approved
    late, or corrected by the county. It is scored again once, by the run that finishes or by the
    sweeper.

    A counter rather than a clock decides: a change stamped before a run read its inputs but
    committed after would look older than the read. The run keeps the generation it saw when it was
    claimed (``ScoringRun.inputs_generation``), before it read anything, so a change it may have
    missed always has a higher generation.
    """

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=RunKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    period = models.PositiveSmallIntegerField(_("期间"), default=0)
    generation = models.PositiveIntegerField(default=0)  # one more on every change of the inputs
    scored_generation = models.PositiveIntegerField(default=0)  # the newest generation a finished run read
    changed_at = models.DateTimeField(_("数据变更时间"))

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("待重算期间")
        verbose_name_plural = _("待重算期间")
        constraints = [
            models.UniqueConstraint(fields=["county", "kind", "year", "period"], name="dirty_period_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}-{self.period}"

    @property
    def is_dirty(self):
        return self.generation > self.scored_generation
