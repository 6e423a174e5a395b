import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from townships.choices import EntryStatus
from townships.filtersets import IntegerFilter
from villages.filtersets import scoped_townships, village_filter

from .choices import (
    DutyGrade,
    DutyLevel,
    Grade,
    HonourKind,
    HonourState,
    PeriodKind,
    RectificationStatus,
    ReportStatus,
    SurveyPurpose,
    TalkCause,
    TalkLevel,
    TalkState,
    TallyTarget,
    Target,
)
from .models import (
    AnnualRating,
    BallotTally,
    Bulletin,
    DutyReview,
    Honour,
    MonthlyReport,
    PayLine,
    PayPeriod,
    RectificationItem,
    Score,
    Talk,
)
from .services.reports import ended_months_q


class ScoreFilterSet(django_filters.FilterSet):
    """Shared by the rankings page and /api/v1/scores/."""

    year = IntegerFilter(label=_("年度"))
    period = IntegerFilter(label=_("月份"))
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("期间类型"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    target = django_filters.ChoiceFilter(choices=Target.choices, label=_("考核对象"))
    village = village_filter()
    # One secretary's scores, linked from the secretary's page: an id in the address, never typed.
    person = IntegerFilter(field_name="person_id", widget=forms.HiddenInput, label=_("书记"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, method="filter_grade", label=_("年度等次"))
    rank_min = IntegerFilter(field_name="rank_in_county", lookup_expr="gte", label=_("名次不前于"))
    rank_max = IntegerFilter(field_name="rank_in_county", lookup_expr="lte", label=_("名次不后于"))

    class Meta:
        model = Score
        fields = [
            "year",
            "period",
            "period_kind",
            "township",
            "target",
            "village",
            "person",
            "grade",
            "rank_min",
            "rank_max",
        ]

    def filter_grade(self, queryset, name, value):
        """Scorecards whose secretary (or, for a village's own scorecard, whose village's secretary) got
        this grade in the scorecard's year; a secretary of several villages is rated once (per person)."""
        rated = AnnualRating.objects.filter(
            Q(person=OuterRef("person")) | Q(village=OuterRef("village")), year=OuterRef("year"), grade=value
        )
        return queryset.filter(Exists(rated))


class ReportFilterSet(django_filters.FilterSet):
    year = IntegerFilter(label=_("年度"))
    month = IntegerFilter(label=_("月份"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("状态"))
    is_late = django_filters.BooleanFilter(label=_("逾期"))
    mismatch = django_filters.BooleanFilter(method="filter_mismatch", label=_("数据不一致"))
    level = django_filters.ChoiceFilter(
        choices=[("village", _("村（社区）月报")), ("township", _("乡镇本级月报"))],
        method="filter_level",
        label=_("报表类别"),
    )

    class Meta:
        model = MonthlyReport
        fields = ["year", "month", "township", "status", "is_late", "mismatch", "level"]

    def filter_level(self, queryset, name, value):
        return queryset.filter(village__isnull=value == "township")

    def filter_mismatch(self, queryset, name, value):
        """Reports whose values differ from the records, counted only once their month has ended
        (the records of a running month are not complete yet; see report_flagged_mismatches)."""
        flagged = ended_months_q() & ~Q(mismatches=[])
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class AnnualRatingFilterSet(django_filters.FilterSet):
    year = IntegerFilter(label=_("年度"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("等次"))

    class Meta:
        model = AnnualRating
        fields = ["year", "township", "grade"]


class BulletinFilterSet(django_filters.FilterSet):
    year = IntegerFilter(label=_("年度"))
    quarter = django_filters.ChoiceFilter(choices=[(q, f"第{q}季度") for q in range(1, 5)], label=_("季度"))
    published = django_filters.BooleanFilter(
        field_name="published_at", lookup_expr="isnull", exclude=True, label=_("已发布")
    )

    class Meta:
        model = Bulletin
        fields = ["year", "quarter", "published"]


BANDS = [("satisfied", _("满意")), ("fairly", _("比较满意")), ("basic", _("基本满意")), ("not", _("不满意"))]


class SurveyFilterSet(django_filters.FilterSet):
    """Shared by the survey list page, its export and /api/v1/surveys/."""

    year = IntegerFilter(label=_("年度"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    target_kind = django_filters.ChoiceFilter(choices=TallyTarget.choices, label=_("测评对象"))
    purpose = django_filters.ChoiceFilter(choices=SurveyPurpose.choices, label=_("用途"))
    band = django_filters.ChoiceFilter(choices=BANDS, label=_("档次"))
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("状态"))
    rate_below = django_filters.NumberFilter(field_name="rate", lookup_expr="lt", label=_("满意率低于（%）"))
    no_result = django_filters.BooleanFilter(field_name="rate", lookup_expr="isnull", label=_("样本不足未计结果"))

    class Meta:
        model = BallotTally
        fields = ["year", "township", "village", "target_kind", "purpose", "band", "status", "rate_below", "no_result"]


class TalkFilterSet(django_filters.FilterSet):
    """Shared by the 约谈 list, its export and /api/v1/talks/."""

    year = IntegerFilter(label=_("年度"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    level = django_filters.ChoiceFilter(choices=TalkLevel.choices, label=_("约谈层级"))
    cause = django_filters.ChoiceFilter(choices=TalkCause.choices, label=_("约谈事由"))
    state = django_filters.ChoiceFilter(choices=TalkState.choices, label=_("状态"))
    # One person's 约谈, linked from the person's page: an id in the address, never typed.
    person = IntegerFilter(field_name="person_id", widget=forms.HiddenInput, label=_("约谈对象"))

    class Meta:
        model = Talk
        fields = ["year", "township", "village", "level", "cause", "state", "person"]


class RectificationFilterSet(django_filters.FilterSet):
    """Shared by the 整改台账 page and its export."""

    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    status = django_filters.ChoiceFilter(choices=RectificationStatus.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))
    q = django_filters.CharFilter(field_name="problem", lookup_expr="icontains", label=_("问题包含"))

    class Meta:
        model = RectificationItem
        fields = ["township", "status", "overdue", "q"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status=RectificationStatus.OPEN, deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class DutyReviewFilterSet(django_filters.FilterSet):
    """Shared by the 述职评议汇总表 (township and village), their exports and /api/v1/duty-reviews/."""

    year = IntegerFilter(label=_("年度"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    level = django_filters.ChoiceFilter(choices=DutyLevel.choices, label=_("述职类别"))
    post = django_filters.ChoiceFilter(choices=PostKind.choices, label=_("职务"))
    grade = django_filters.ChoiceFilter(choices=DutyGrade.choices, label=_("等次"))
    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("姓名"))

    class Meta:
        model = DutyReview
        fields = ["year", "township", "village", "level", "post", "grade", "q"]


def _scoped_periods(request):
    from townships.scoping import scope_for

    if request is None:
        return PayPeriod.objects.none()
    return scope_for(request.user, PayPeriod.objects.all()).order_by("-year", "-half")


class PayLineFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=_scoped_periods, label=_("期间"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = django_filters.CharFilter(method="filter_village", label=_("村（社区）"))
    name = django_filters.CharFilter(field_name="person__name", lookup_expr="contains", label=_("姓名"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("适用等次"))

    class Meta:
        model = PayLine
        fields = ["period", "township", "village", "name", "grade"]

    def filter_village(self, queryset, name, value):
        return queryset.filter(villages__icontains=value.strip()) if value.strip() else queryset


class HonourFilterSet(django_filters.FilterSet):
    year = IntegerFilter(label=_("年度"))
    kind = django_filters.ChoiceFilter(choices=HonourKind.choices, label=_("类别"))
    state = django_filters.ChoiceFilter(choices=HonourState.choices, label=_("状态"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))

    class Meta:
        model = Honour
        fields = ["year", "kind", "state", "township"]
