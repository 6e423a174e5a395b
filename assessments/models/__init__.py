from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import MONTH_VALIDATORS, YEAR_VALIDATORS, County, Township
from villages.models import Village

from ..choices import (
    Category,
    Grade,
    Method,
    PeriodKind,
    RemovalDecision,
    RemovalState,
    ReportStatus,
    SchemeStatus,
    Target,
)
from .ballots import BallotGroup, BallotTally
from .duty import DutyReview
from .honours import Honour
from .pay import PayDeduction, PayLine, PayPeriod, PayStandard
from .runs import DirtyPeriod, ScoringChunk, ScoringRun
from .talks import RectificationItem, Talk
from .votes import VoteResult

__all__ = [
    "AnnualRating",
    "BallotGroup",
    "BallotTally",
    "Bulletin",
    "DirtyPeriod",
    "DutyReview",
    "Honour",
    "Indicator",
    "MonthlyReport",
    "PayDeduction",
    "PayLine",
    "PayPeriod",
    "PayStandard",
    "PeriodLock",
    "RatingSignOff",
    "RectificationItem",
    "RemovalFlag",
    "ReportCorrection",
    "Scheme",
    "Score",
    "ScoreItem",
    "ScoringChunk",
    "ScoringRun",
    "Talk",
    "VetoQuerySet",
    "VoteResult",
]


class Scheme(models.Model):
    """A yearly assessment scheme (考核方案): the county's tree of indicators for one kind of target.

    Edited as data. Once a closed period has been scored with it, it is locked;
    changes then go into a new version copied from it.
    """

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="schemes", verbose_name=_("县"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    target = models.CharField(_("考核对象"), max_length=24, choices=Target.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    full_marks = models.DecimalField(_("满分"), max_digits=7, decimal_places=2, default=1000)
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=7, decimal_places=2, default=0)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("复制自")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "target", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "target", "version"], name="scheme_unique_version"),
            models.UniqueConstraint(
                fields=["county", "year", "target"],
                condition=Q(status="active"),
                name="scheme_one_active_per_year_target",
                violation_error_message=_("该年度该对象已有启用的考核方案。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class Indicator(models.Model):
    """One node of a scheme's tree: a focus area's group or a scored item (考核指标)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级指标")
    )
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=120)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    max_points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, default=0)
    method = models.CharField(_("计分方法"), max_length=12, choices=Method.choices, blank=True)
    metric = models.CharField(_("数据指标"), max_length=40, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    department = models.CharField(_("评分部门"), max_length=50, blank=True)
    evidence_required = models.BooleanField(_("需佐证材料"), default=False)
    is_bonus = models.BooleanField(_("加分项"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    # What a county edits (form, workbook, API); the rest is the scheme's and the tree's.
    EDITABLE_FIELDS = (
        "parent",
        "code",
        "name",
        "category",
        "max_points",
        "method",
        "metric",
        "params",
        "department",
        "evidence_required",
        "is_bonus",
    )

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="indicator_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_leaf(self):
        return bool(self.method)


class MonthlyReport(models.Model):
    """A township's monthly report (月报): the reported metric values of one village, or — without a
    village — of the township itself (乡镇本级月报, read by the township schemes). Both go through the
    same filing, review, correction and audit; ``codes`` are the metrics each holds."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("村（社区）")
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="reports", verbose_name=_("乡镇"))
    year = models.PositiveSmallIntegerField(_("年"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("月"), validators=MONTH_VALIDATORS)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    values = models.JSONField(_("填报数据"), default=dict)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    mismatches = models.JSONField(_("与台账不符之处"), default=list, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # Optimistic locking: each save of the values adds one; a save based on an older
    # version is refused (ReportConflict) instead of silently overwriting the other's values.
    version = models.PositiveIntegerField(_("版本"), default=0)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("月度报表")
        verbose_name_plural = _("月度报表")
        ordering = ["-year", "-month", "township", "village"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "month"],
                condition=Q(village__isnull=False),
                name="report_one_per_village_month",
            ),
            models.UniqueConstraint(
                fields=["township", "year", "month"],
                condition=Q(village__isnull=True),
                name="report_one_per_township_month",
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_valid"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="report_year_valid"),
        ]
        indexes = [models.Index(fields=["township", "year", "month", "status"])]

    def __str__(self):
        return f"{self.unit_name} {self.year}年{self.month}月"

    @property
    def level(self):
        """ "village", or "township" for the township's own report (the metrics' levels)."""
        return "township" if self.village_id is None else "village"

    @property
    def codes(self):
        from ..metrics import reported_codes

        return reported_codes(self.level)

    @property
    def form_url(self):
        """The form the report is filed on: its village's, or the township's own."""
        from django.urls import reverse

        if self.village_id is None:
            return reverse("township-report-form", args=[self.township_id, self.year, self.month])
        return reverse("report-form", args=[self.village_id, self.year, self.month])

    @property
    def unit_name(self):
        """The village's name, or "<township>（乡镇本级）" for the township's own report."""
        if self.village_id is None:
            return _("%(t)s（乡镇本级）") % {"t": self.township.name}
        return self.village.name


class ReportCorrection(models.Model):
    """A county correction of an approved (locked) report, with its reason."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="corrections")
    metric = models.CharField(_("数据指标"), max_length=40)
    old_value = models.JSONField(_("原值"), null=True)
    new_value = models.JSONField(_("新值"), null=True)
    reason = models.CharField(_("更正原因"), max_length=300)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报表更正")
        verbose_name_plural = _("报表更正")
        ordering = ["-corrected_at"]

    def __str__(self):
        return f"{self.report} {self.metric}"


class VetoQuerySet(models.QuerySet):
    """Scores and ratings: ordering by ("-clean", "-total") puts every vetoed one last (DOMAIN §6)."""

    def with_clean(self):
        """``clean`` is true without a veto."""
        return self.annotate(clean=models.ExpressionWrapper(Q(veto=False), output_field=models.BooleanField()))


class Score(models.Model):
    """A target's score for one period (得分): the total and where it came from.

    Keyed by (target, unit, period): the unit is the village for the village targets and the
    township (``village`` empty) for the township target. Unique per key, so a re-run replaces,
    never duplicates.
    """

    target = models.CharField(_("考核对象"), max_length=24, choices=Target.choices)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="scores")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="scores")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="scores")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="scores")
    period_kind = models.CharField(_("期间类型"), max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    period = models.PositiveSmallIntegerField(_("期间"))
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    by_category = models.JSONField(_("分类得分"), default=dict)
    veto = models.BooleanField(_("一票否决"), default=False)
    veto_reason = models.CharField(_("否决事由"), max_length=300, blank=True)
    # Manual indicators (人工评分项) still waiting for the assessor: the total is provisional while > 0.
    manual_pending = models.PositiveSmallIntegerField(_("待人工评分项"), default=0)
    rank_in_township = models.PositiveIntegerField(_("乡镇内排名"), null=True, blank=True)
    rank_in_county = models.PositiveIntegerField(_("全县排名"), null=True, blank=True)
    run = models.ForeignKey(ScoringRun, on_delete=models.SET_NULL, null=True, related_name="scores")
    computed_at = models.DateTimeField(_("计算时间"))
    # Moves on every write (a run or an override): the scorecard API's Last-Modified and ETag.
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True, db_index=True)

    objects = VetoQuerySet.as_manager()

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "village"  # a village login sees its own scorecard

    class Meta:
        verbose_name = _("得分")
        verbose_name_plural = _("得分")
        ordering = ["-year", "-period", "rank_in_county"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "village", "period_kind", "year", "period"],
                condition=Q(village__isnull=False),
                name="score_unique_target_period",
            ),
            models.UniqueConstraint(
                fields=["target", "township", "period_kind", "year", "period"],
                condition=Q(village__isnull=True),
                name="score_unique_township_period",
            ),
            models.CheckConstraint(
                condition=Q(target=Target.TOWNSHIP, village__isnull=True)
                | (~Q(target=Target.TOWNSHIP) & Q(village__isnull=False)),
                name="score_unit_matches_target",
            ),
        ]
        indexes = [
            models.Index(fields=["township", "period_kind", "year", "period"]),
            models.Index(fields=["person", "period_kind", "year"]),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}-{self.period} {self.total}"

    @property
    def unit(self):
        """Whose score this is: the village, or the township for the township target."""
        return self.township if self.village_id is None else self.village

    @property
    def unit_name(self):
        return self.unit.name

    @property
    def unit_lookup(self):
        """The filter of this score's unit, for its other periods (a trend)."""
        if self.village_id is None:
            return {"township_id": self.township_id, "village__isnull": True}
        return {"village_id": self.village_id}

    @property
    def is_provisional(self):
        return self.manual_pending > 0


class ScoreItem(models.Model):
    """The points of one indicator in a score, with the value it read and the explanation."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    metric_value = models.JSONField(_("取值"), null=True)
    points = models.DecimalField(_("计算得分"), max_digits=7, decimal_places=2)
    explanation = models.TextField(_("计分说明"))
    veto = models.BooleanField(default=False)
    override_points = models.DecimalField(_("调整后得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    override_reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(_("调整时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["score", "indicator"], name="score_item_unique")]

    def __str__(self):
        return f"{self.score_id}/{self.indicator_id}"

    @property
    def effective_points(self):
        return self.override_points if self.override_points is not None else self.points


class AnnualRating(models.Model):
    """The year's rating of a village Party secretary (年度考核等次): one per person and year.

    It combines only the months the person held the post, from every village they served
    (跨村任职 counts each village-month); ``village`` is where they served most months.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="annual_ratings")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="annual_ratings")
    months = models.PositiveSmallIntegerField(_("任职月数"), default=0)
    villages = models.JSONField(_("任职村"), default=list, blank=True)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    daily = models.DecimalField(_("日常考核"), max_digits=8, decimal_places=2)
    concentrated = models.DecimalField(_("集中考核"), max_digits=8, decimal_places=2, null=True, blank=True)
    vote = models.DecimalField(_("民主测评"), max_digits=8, decimal_places=2, null=True, blank=True)
    incompetent_vote_share = models.DecimalField(_("不称职票比例"), max_digits=5, decimal_places=4, default=0)
    # Where the vote came from: the 述职述廉 ballots ("ballots"), or a value typed before they existed
    # ("typed", 录入值（历史）); "" without a vote. ``vote_working`` is the arithmetic.
    vote_source = models.CharField(_("民主测评来源"), max_length=8, blank=True)
    vote_working = models.JSONField(_("民主测评计算过程"), default=list, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=8, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    reason = models.CharField(_("定等理由"), max_length=300)
    veto = models.BooleanField(_("一票否决"), default=False)
    rank_in_county = models.PositiveIntegerField(_("全县排名"), null=True)
    # Tied at the 优秀 quota boundary after every tie-break: the county decides (grade 称职 until then).
    tie_pending = models.BooleanField(_("并列待定"), default=False)
    # The grade was chosen by the county at a tie on the 优秀 quota (shown when the year is signed).
    decided_by_county = models.BooleanField(_("县委组织部决定"), default=False)
    run = models.ForeignKey(ScoringRun, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    objects = VetoQuerySet.as_manager()

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("年度评定")
        verbose_name_plural = _("年度评定")
        ordering = ["-year", "rank_in_county"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="annual_rating_unique_person")]

    def __str__(self):
        return f"{self.person} {self.year} {self.get_grade_display()}"


class RatingSignOff(models.Model):
    """A county's year of annual ratings signed (审定) by a named county user, with the opinion
    given and what was signed: the counts by grade and a digest of every (rating, grade, total)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("审定时间"), auto_now_add=True)
    opinion = models.TextField(_("审定意见"))
    counts = models.JSONField(_("各等次人数"), default=dict)
    digest = models.CharField(_("审定内容摘要"), max_length=64)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("年度评定审定")
        verbose_name_plural = _("年度评定审定")
        ordering = ["-year", "-signed_at"]

    def __str__(self):
        return f"{self.county} {self.year}"


class RemovalFlag(models.Model):
    """A secretary on the watch list or flagged for adjustment (调整退出) under the removal rule.

    The rule suggests; a named county user decides a flag — 同意调整 or 不予调整, with an
    opinion — and counting starts afresh after the decision. The watch list is informational.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="removal_flags")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    state = models.CharField(_("状态"), max_length=10, choices=RemovalState.choices)
    incompetent_count = models.PositiveSmallIntegerField(_("不称职次数"))
    reason = models.CharField(_("依据"), max_length=300)
    rated_years = models.JSONField(_("不称职年度"), default=list, blank=True)
    decision = models.CharField(_("决定"), max_length=10, choices=RemovalDecision.choices, blank=True)
    opinion = models.TextField(_("意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("调整退出预警")
        verbose_name_plural = _("调整退出预警")
        ordering = ["-year", "state"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="removal_flag_unique")]

    def __str__(self):
        return f"{self.person} {self.get_state_display()}"


class Bulletin(models.Model):
    """A quarterly bulletin (季度通报): the stored figures of one quarter's rankings.

    A circular the county issues to all its townships: the county sees it as soon as it is
    computed; once the county publishes it, every user of the county reads it whole (each
    township sees the others' villages, as on the printed circular). Computing it again makes it
    a draft that must be published again."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="bulletins")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("季度"))
    data = models.JSONField(_("通报内容"))
    run = models.ForeignKey(ScoringRun, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_county_path = "county"
    scope_township_path = "county__townships"
    scope_township_only = Q(published_at__isnull=False)  # townships read it once the county publishes it

    class Meta:
        verbose_name = _("季度通报")
        verbose_name_plural = _("季度通报")
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["county", "year", "quarter"], name="bulletin_unique_quarter")]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度"


class PeriodLock(models.Model):
    """A closed month (关账): its reports and scores change only through recorded corrections and overrides."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年"), validators=YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("月"), validators=MONTH_VALIDATORS)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(_("关账时间"), auto_now_add=True)

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("已关账月份")
        verbose_name_plural = _("已关账月份")
        constraints = [models.UniqueConstraint(fields=["county", "year", "month"], name="period_lock_unique")]

    def __str__(self):
        return f"{self.year}年{self.month}月"
