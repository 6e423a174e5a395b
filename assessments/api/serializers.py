from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.metrics import REPORTED_CODES, reported_codes
from assessments.models import (
    BallotGroup,
    BallotTally,
    DutyReview,
    Honour,
    Indicator,
    MonthlyReport,
    PayLine,
    PayPeriod,
    Scheme,
    Score,
    ScoreItem,
    ScoringRun,
    Talk,
)
from townships.models import MONTH_MESSAGE, YEAR_MESSAGE


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", *Indicator.EDITABLE_FIELDS]
        extra_kwargs = {
            "code": {"help_text": "指标编号"},
            "name": {"help_text": "指标名称"},
            "category": {
                "help_text": "类别：party_building 抓党建，bottom_lines 守底线，industry 强产业，livelihood 惠民生"
            },
            "max_points": {"help_text": "分值"},
            "method": {"help_text": "计分方法代码（空为分类节点）"},
            "metric": {"help_text": "读取的数据指标代码"},
            "params": {"help_text": "计分参数"},
        }


class SchemeSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True, help_text="指标树（按 parent 组织）")

    class Meta:
        model = Scheme
        fields = ["id", "year", "target", "version", "name", "status", "full_marks", "bonus_cap", "indicators"]
        extra_kwargs = {
            "year": {"help_text": "年度"},
            "target": {"help_text": "考核对象代码"},
            "version": {"help_text": "版本"},
            "status": {"help_text": "状态：draft/active/locked"},
            "full_marks": {"help_text": "满分"},
            "bonus_cap": {"help_text": "加分上限"},
        }


class MonthlyReportSerializer(serializers.ModelSerializer):
    values = serializers.DictField(
        help_text="填报数据。村（社区）月报："
        + "、".join(REPORTED_CODES)
        + "；乡镇本级月报："
        + "、".join(reported_codes("township"))
    )

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "village",
            "township",
            "year",
            "month",
            "status",
            "values",
            "is_late",
            "return_reason",
            "mismatches",
            "version",
        ]
        read_only_fields = ["status", "is_late", "return_reason", "mismatches"]
        # POST saves the village's report for the month, new or draft (report_save); the
        # unique (village, year, month) is the service's to keep, so no "already exists" 400.
        validators = []
        extra_kwargs = {
            "village": {"help_text": "村（社区）编号；乡镇本级月报为空", "required": False, "allow_null": True},
            "township": {"help_text": "乡镇编号：新建乡镇本级月报时填写（不填村）；村月报可省略", "required": False},
            # The same words as the form path (townships.models.validate_period).
            "year": {"help_text": "年", "error_messages": dict.fromkeys(("min_value", "max_value"), YEAR_MESSAGE)},
            "month": {"help_text": "月", "error_messages": dict.fromkeys(("min_value", "max_value"), MONTH_MESSAGE)},
            "status": {"help_text": "状态：draft/submitted/returned/approved"},
            "version": {
                "help_text": "版本：修改已有月报时必须传回读取到的版本（缺少则 400）；期间有人保存过则返回 409 和对方保存的内容；新建月报可省略",
                "required": False,
            },
        }


class ReportConflictSerializer(serializers.Serializer):
    """409 on a save from an older version: who saved since, and the report as it is now."""

    detail = serializers.CharField(help_text="冲突说明：谁在何时保存了新版本")
    current = MonthlyReportSerializer(help_text="当前版本的月报（含 version），据此修改后重新保存")


class LeftOutSerializer(serializers.Serializer):
    """A village a run did not score, and why (its report's state, or 书记空缺)."""

    village = serializers.IntegerField(help_text="村（社区）编号")
    name = serializers.CharField(help_text="村（社区）")
    township = serializers.CharField(help_text="乡镇")
    status = serializers.CharField(
        help_text="missing 缺报，draft 草稿未报送，submitted 待审核，returned 已退回，vacant 书记空缺（已审核但无可评分的书记）"
    )


class ScoringRunSerializer(serializers.ModelSerializer):
    allow_missing = serializers.BooleanField(
        write_only=True,
        default=False,
        help_text="月度评分：有村缺报或待审核时仍然计算（这些村不计分、不排名，补报审核后自动重算）",
    )
    left_out = serializers.SerializerMethodField(help_text="未评分的村及其报表状态（仅限本人可见范围内的村）")

    class Meta:
        model = ScoringRun
        read_only_fields = [
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "chunks_total",
            "chunks_done",
            "targets_scored",
            "villages_expected",
            "villages_scored",
            "error",
        ]
        fields = ["id", "kind", "year", "period", "allow_missing", "left_out", *read_only_fields]
        extra_kwargs = {
            "kind": {"help_text": "monthly 月度评分，quarterly 季度通报，annual 年度评定"},
            "period": {"help_text": "月份或季度；年度为 0"},
        }

    @extend_schema_field(LeftOutSerializer(many=True))
    def get_left_out(self, run):
        # Narrowed to the user's scope by the viewset (selectors.runs_in_scope); a run it did not
        # narrow (the one just created, which has left nothing out yet) shows none rather than all.
        return getattr(run, "left_out_visible", [])


class ScoreItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code", read_only=True, help_text="指标编号")
    points = serializers.DecimalField(
        source="effective_points", max_digits=7, decimal_places=2, read_only=True, help_text="得分（含人工调整）"
    )

    class Meta:
        model = ScoreItem
        fields = ["code", "metric_value", "points", "explanation", "veto", "override_reason"]


class ScoreSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(
        source="village.name", read_only=True, allow_null=True, help_text="村（社区）名称（乡镇考核得分为空）"
    )
    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇名称")

    class Meta:
        model = Score
        fields = [
            "id",
            "target",
            "village",
            "village_name",
            "township",
            "township_name",
            "person",
            "period_kind",
            "year",
            "period",
            "total",
            "by_category",
            "veto",
            "veto_reason",
            "manual_pending",
            "scheme",
            "rank_in_township",
            "rank_in_county",
        ]
        extra_kwargs = {
            "veto_reason": {"help_text": "一票否决事由（一票否决的排在所有未否决的之后）"},
            "manual_pending": {"help_text": "待录入的人工评分项数；大于 0 时总分为暂定"},
            "scheme": {"help_text": "所用考核方案（版本）的编号"},
            "total": {"help_text": "总分"},
            "rank_in_county": {"help_text": "全县名次"},
            "rank_in_township": {"help_text": "乡镇内名次"},
            "person": {"help_text": "村党组织书记（人员编号）"},
        }


# The list body of ScoreSerializer, field by field, read from ``values()`` rows: a page of 100
# scores without 100 model instances or a ModelSerializer pass (issue 11). The tests hold the two
# to the same bytes.
SCORE_ROW_COLUMNS = {
    "id": "id",
    "target": "target",
    "village": "village_id",
    "village_name": "village__name",
    "township": "township_id",
    "township_name": "township__name",
    "person": "person_id",
    "period_kind": "period_kind",
    "year": "year",
    "period": "period",
    "total": "total",
    "by_category": "by_category",
    "veto": "veto",
    "veto_reason": "veto_reason",
    "manual_pending": "manual_pending",
    "scheme": "scheme_id",
    "rank_in_township": "rank_in_township",
    "rank_in_county": "rank_in_county",
}
CENT = Decimal("0.01")


def score_values(queryset):
    """The score queryset as the tuples ``score_rows`` shapes (one query, no model instances)."""
    return queryset.values_list(*SCORE_ROW_COLUMNS.values())


def score_rows(tuples):
    """Rows of ``score_values`` shaped as ScoreSerializer's list body."""
    rows = []
    for values in tuples:
        row = dict(zip(SCORE_ROW_COLUMNS, values, strict=True))
        row["total"] = f"{row['total'].quantize(CENT):f}"
        rows.append(row)
    return rows


class ScoreDetailSerializer(ScoreSerializer):
    items = ScoreItemSerializer(many=True, read_only=True, help_text="各指标得分与说明")

    class Meta(ScoreSerializer.Meta):
        fields = [*ScoreSerializer.Meta.fields, "items"]


class BallotGroupSerializer(serializers.ModelSerializer):
    valid = serializers.IntegerField(read_only=True, help_text="有效票 = 收回 − 无效")

    class Meta:
        model = BallotGroup
        fields = ["code", "label", "weight", "issued", "returned", "invalid", "valid", "counts"]
        extra_kwargs = {
            "code": {"help_text": "测评主体代码"},
            "label": {"help_text": "测评主体名称"},
            "counts": {"help_text": "各选项票数：very 满意，fairly 比较满意，basic 基本满意，not 不满意"},
        }


class SurveySerializer(serializers.ModelSerializer):
    """满意度测评：对象、年度、用途、分组计票与按县级公式计算的结果。"""

    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇")
    target = serializers.CharField(source="target_name", read_only=True, help_text="测评对象名称")
    groups = BallotGroupSerializer(many=True, read_only=True)

    class Meta:
        model = BallotTally
        fields = [
            "id",
            "kind",
            "purpose",
            "target_kind",
            "target",
            "township",
            "township_name",
            "village",
            "organization",
            "person",
            "year",
            "held_on",
            "method",
            "valid",
            "rate",
            "score",
            "band",
            "reason",
            "working",
            "options",
            "status",
            "groups",
        ]
        read_only_fields = fields


class TalkSerializer(serializers.ModelSerializer):
    """约谈：对象、事由与所属期间、决定、约谈记录与回访（只读）。"""

    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇")
    village_name = serializers.CharField(
        source="village.name", read_only=True, allow_null=True, default=None, help_text="村（社区）"
    )
    person_name = serializers.CharField(source="person.name", read_only=True, help_text="约谈对象姓名")

    class Meta:
        model = Talk
        fields = [
            "id",
            "person",
            "person_name",
            "township",
            "township_name",
            "village",
            "village_name",
            "level",
            "cause",
            "year",
            "period",
            "reason",
            "state",
            "decision",
            "opinion",
            "decided_at",
            "held_on",
            "talker",
            "content",
            "commitment",
            "follow_up_on",
            "follow_up_note",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class DutyTallySerializer(serializers.ModelSerializer):
    groups = BallotGroupSerializer(many=True, read_only=True)

    class Meta:
        model = BallotTally
        fields = ["kind", "held_on", "method", "valid", "score", "reason", "working", "options", "groups"]
        read_only_fields = fields


class DutyReviewSerializer(serializers.ModelSerializer):
    """述职评议：述职人、年度、述职与测评、分组计票、综合得分与等次（乡镇党委书记）及计算过程。"""

    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇")
    person_name = serializers.CharField(source="person.name", read_only=True, help_text="述职人")
    tally = DutyTallySerializer(read_only=True)

    class Meta:
        model = DutyReview
        fields = [
            "id",
            "level",
            "township",
            "township_name",
            "village",
            "person",
            "person_name",
            "post",
            "year",
            "reported_on",
            "meeting",
            "meeting_on",
            "comment",
            "veto",
            "veto_reason",
            "annual",
            "composite",
            "grade",
            "grade_reason",
            "tie_pending",
            "working",
            "tally",
        ]
        read_only_fields = fields


class PayPeriodSerializer(serializers.ModelSerializer):
    """村干部报酬测算期间：年度、半年（1 上半年，2 下半年，0 全年）、起止日期、状态；审定后测算表方为正式。"""

    label = serializers.CharField(read_only=True, help_text="期间名称")
    starts_on = serializers.SerializerMethodField(help_text="起始日期")
    ends_on = serializers.SerializerMethodField(help_text="截止日期")
    changed = serializers.SerializerMethodField(help_text="审定后评定或任职有变化，待县委组织部决定是否重新测算")

    class Meta:
        model = PayPeriod
        fields = ["id", "year", "half", "label", "starts_on", "ends_on", "state", "computed_at", "approved_at",
                  "opinion", "changed"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DateField())
    def get_starts_on(self, period):
        return period.bounds[0]

    @extend_schema_field(serializers.DateField())
    def get_ends_on(self, period):
        return period.bounds[1]

    @extend_schema_field(serializers.BooleanField())
    def get_changed(self, period):
        return bool(period.changed_since)


class PayLineSerializer(serializers.ModelSerializer):
    """一人一期的报酬：任职村与职务、计发天数、基础报酬、绩效（标准 × 系数）、扣减、应发合计及计算过程。
    ``final`` 为真表示所属期间已审定。"""

    period_label = serializers.CharField(source="period.label", read_only=True, help_text="期间")
    final = serializers.BooleanField(source="period.is_approved", read_only=True, help_text="期间已审定")
    person_name = serializers.CharField(source="person.name", read_only=True, help_text="姓名")
    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇")

    class Meta:
        model = PayLine
        fields = ["id", "period", "period_label", "final", "person", "person_name", "township", "township_name",
                  "villages", "posts", "days", "base", "performance_standard", "coefficient", "performance",
                  "deductions", "total", "grade", "rating_year", "mean_score", "working"]  # fmt: skip
        read_only_fields = fields


class HonourSerializer(serializers.ModelSerializer):
    """表彰与推荐：类别、年度、对象（人员或党组织）、提名理由、状态与县委组织部的决定意见。"""

    township_name = serializers.CharField(source="township.name", read_only=True, help_text="乡镇")
    village_name = serializers.CharField(
        source="village.name", read_only=True, allow_null=True, default=None, help_text="村（社区）"
    )
    person_name = serializers.CharField(
        source="person.name", read_only=True, allow_null=True, default=None, help_text="人员姓名"
    )
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, allow_null=True, default=None, help_text="党组织名称"
    )

    class Meta:
        model = Honour
        fields = ["id", "year", "kind", "township", "township_name", "village", "village_name", "person",
                  "person_name", "organization", "organization_name", "from_record", "reason", "deeds", "state",
                  "nominated_at", "decided_at", "opinion"]  # fmt: skip
        read_only_fields = fields
