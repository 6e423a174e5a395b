"""The township metrics (``level="township"``): what a scheme whose target is the township reads —
aggregates of its villages' stored scores, ratings and records for the month. Each reader answers
{township id: value} for a ``MetricPeriod``'s townships in one query (or one shared query).

Village scores are read as stored: a monthly run writes its villages' scores first and scores the
townships from them in the same transaction, so a village re-scored is a township re-scored.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Village, WeakDesignation

from ..choices import Grade, PeriodKind, Target
from ..models import AnnualRating, Score
from . import derived_metric
from .readers import _compliance

VILLAGE_SCORES = _("本月村（社区）得分")
RATINGS = _("上年度村党组织书记年度评定")
RATING_METRICS = ("excellent_share", "incompetent_share")  # they read the year before's ratings


def _percent(part, whole):
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if whole else None


def _mean(values):
    if not values:
        return None
    return float((sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _village_totals(period):
    """{target: {township id: [total, …]}} of the month's stored village scores (vetoed ones too)."""
    totals = defaultdict(lambda: defaultdict(list))
    for target, township_id, total in Score.objects.filter(
        township_id__in=period.township_ids,
        village__isnull=False,
        period_kind=PeriodKind.MONTH,
        year=period.year,
        period=period.month,
    ).values_list("target", "township_id", "total"):
        totals[target][township_id].append(total)
    return totals


@derived_metric(
    "village_mean_total",
    _("村（社区）考核平均分"),
    unit=_("分"),
    kind="decimal",
    origin=VILLAGE_SCORES,
    default=None,
    level="township",
)
def village_mean_total(period):
    """The mean of the month's totals of the township's scored villages (target 村（社区）)."""
    by_township = period.shared("village_totals", _village_totals).get(Target.VILLAGE, {})
    return {township_id: _mean(totals) for township_id, totals in by_township.items()}


@derived_metric(
    "secretary_mean_total",
    _("村党组织书记考核平均分"),
    unit=_("分"),
    kind="decimal",
    origin=VILLAGE_SCORES,
    default=None,
    level="township",
)
def secretary_mean_total(period):
    """The mean of the month's totals of the township's rated village secretaries."""
    by_township = period.shared("village_totals", _village_totals).get(Target.VILLAGE_SECRETARY, {})
    return {township_id: _mean(totals) for township_id, totals in by_township.items()}


def _grade_counts(period):
    """{township id: {grade: n}} of the annual ratings of the year before the month's year."""
    counts = defaultdict(lambda: defaultdict(int))
    for township_id, grade in AnnualRating.objects.filter(
        township_id__in=period.township_ids, year=period.year - 1
    ).values_list("township_id", "grade"):
        counts[township_id][grade] += 1
    return counts


@derived_metric(
    "excellent_share",
    _("村书记上年度评定优秀比例"),
    unit="%",
    kind="percent",
    origin=RATINGS,
    default=None,
    level="township",
)
def excellent_share(period):
    return {
        township_id: _percent(grades[Grade.EXCELLENT], sum(grades.values()))
        for township_id, grades in period.shared("grade_counts", _grade_counts).items()
    }


@derived_metric(
    "incompetent_share",
    _("村书记上年度评定不称职比例"),
    unit="%",
    kind="percent",
    origin=RATINGS,
    default=None,
    level="township",
)
def incompetent_share(period):
    return {
        township_id: _percent(grades[Grade.INCOMPETENT], sum(grades.values()))
        for township_id, grades in period.shared("grade_counts", _grade_counts).items()
    }


@derived_metric(
    "weak_villages",
    _("软弱涣散村党组织（月末在整顿）"),
    unit=_("个"),
    origin=_("软弱涣散村党组织名单"),
    level="township",
)
def weak_villages(period):
    """Designated on or before the month's last day and not 销号 by then."""
    end = period.unit.end
    counts = defaultdict(int)
    for township_id in (
        WeakDesignation.objects.filter(township_id__in=period.township_ids, designated_at__date__lte=end)
        .filter(Q(accepted_at__isnull=True) | Q(accepted_at__date__gt=end))
        .values_list("township_id", flat=True)
    ):
        counts[township_id] += 1
    return dict(counts)


@derived_metric(
    "township_meetings_ratio",
    _("全乡镇组织生活开展率（已开÷应开）"),
    kind="decimal",
    origin=_("组织生活记录"),
    default=None,
    level="township",
)
def township_meetings_ratio(period):
    """Σ held ÷ Σ expected over the township's village Party organizations."""
    expected, held = period.shared("meeting_compliance", _compliance)
    township_of = dict(Village.objects.filter(township_id__in=period.township_ids).values_list("pk", "township_id"))
    sums = defaultdict(lambda: [0, 0])
    for village_id, n in expected.items():
        sums[township_of[village_id]][0] += n
        sums[township_of[village_id]][1] += held[village_id]
    return {township_id: round(h / n, 4) if n else 1.0 for township_id, (n, h) in sums.items()}
