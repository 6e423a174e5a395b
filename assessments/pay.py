"""The pay rule of village cadres (村干部报酬测算), pure: what one person is owed for a settlement
period from their tenures, the county's dated pay standards and the assessment result that applies.
No database here; ``services/pay.py`` reads the records and writes the lines.

The rule, stated once (README "Pay"):

- **Day by day.** A tenure covers ``started_on`` up to the day before ``ended_on`` (the convention of
  every count of days in office). Each day of the period a person is paid in one category: 一肩挑 when
  they hold the 村党组织书记 and the 村委会主任 posts of the same village that day; 书记或主任（单设）
  when they hold either of them (of any village); 副职及委员 when they hold only a deputy post (村党组织
  副书记, 村“两委”委员, 村务监督委员会主任). One person is paid once a day, in the highest category held:
  a secretary of two villages (联村任职) is paid one 书记 amount, a secretary who is also a 委员 elsewhere
  is paid as secretary. 大学生村官 and 驻村第一书记 are paid from other budgets, not here.
- **Prorated by days.** A day is paid ``monthly amount ÷ days in its month`` of the standard in effect
  that day, so a month held whole is the monthly amount, a mid-month start pays the days held, and a
  standard changed mid-period pays each day at its own amount. The working lists one segment per
  (month, category, standard): ``amount = monthly × days held ÷ days in month``, rounded to the fen.
- **Base and performance.** Each segment splits by the standard's ``performance_share``: the base part
  is ``amount × (1 − share)`` rounded to the fen, the performance standard the rest. The performance
  paid is the period's performance standard × the coefficient of the result that applies (rounded to
  the fen): by grade (the signed annual rating of the year before the period's year) or by score band
  (the mean of the person's monthly secretary scores in the period's months; below every band, 0); a
  person with no result takes the standard's ``unrated`` coefficient. The coefficient of a period is read from the standard in
  effect on its last paid day.
- **Deductions** the county records (each with its reason) come off last; a total is never below 0.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.choices import PostKind

CENT = Decimal("0.01")
ONE_SHOULDER, PRINCIPAL, DEPUTY = "one_shoulder", "principal", "deputy"
CATEGORY_LABELS = {
    ONE_SHOULDER: gettext_lazy("一肩挑"),
    PRINCIPAL: gettext_lazy("书记或主任（单设）"),
    DEPUTY: gettext_lazy("副职及委员"),
}
CATEGORY_ORDER = {ONE_SHOULDER: 3, PRINCIPAL: 2, DEPUTY: 1}
PRINCIPAL_POSTS = frozenset({PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR})
DEPUTY_POSTS = frozenset({PostKind.VILLAGE_DEPUTY_SECRETARY, PostKind.VILLAGE_MEMBER, PostKind.SUPERVISION_DIRECTOR})
PAID_POSTS = PRINCIPAL_POSTS | DEPUTY_POSTS
GRADE_MODE, BAND_MODE = "grade", "band"


def q(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value):
    """A money amount or a coefficient as people write it: 1560.00 → 1560, 0.8 → 0.8."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, eq=False)  # one standard is one object (segments are keyed by it)
class Standard:
    """One dated pay standard (村干部报酬标准): monthly amounts per category, the performance share,
    and how the performance part is set. ``effective_to`` is the last day it applies (None: open)."""

    effective_from: datetime.date
    effective_to: datetime.date | None
    amounts: dict  # {category: Decimal monthly amount}
    performance_share: Decimal
    mode: str = GRADE_MODE
    coefficients: dict = field(default_factory=dict)  # {grade code: Decimal}
    bands: tuple = ()  # ((Decimal lowest mean score, Decimal coefficient), …), any order
    unrated: Decimal = Decimal(1)
    name: str = ""

    def covers(self, day):
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Held:
    """A tenure as the rule reads it: the post, its village, the first day and the day it ended."""

    post: str
    village: int | None
    started_on: datetime.date
    ended_on: datetime.date | None

    def covers(self, day):
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True)
class Segment:
    month: tuple  # (year, month)
    category: str
    standard: Standard
    days: int
    days_in_month: int
    amount: Decimal
    base: Decimal
    performance: Decimal  # the performance standard of the segment (before the coefficient)


@dataclass(frozen=True)
class Line:
    segments: tuple
    days: int  # days paid in the period
    base: Decimal
    performance_standard: Decimal
    coefficient: Decimal
    performance: Decimal
    deductions: Decimal
    total: Decimal
    working: tuple  # the steps in Chinese, in order


def category_on(day, held):
    """The category a person is paid in on ``day`` (None: no paid post that day)."""
    today = [h for h in held if h.covers(day) and h.post in PAID_POSTS]
    secretary = {h.village for h in today if h.post == PostKind.VILLAGE_SECRETARY}
    director = {h.village for h in today if h.post == PostKind.COMMITTEE_DIRECTOR}
    if secretary & director:
        return ONE_SHOULDER
    if secretary or director:
        return PRINCIPAL
    if today:
        return DEPUTY
    return None


def standard_on(standards, day):
    return next((s for s in standards if s.covers(day)), None)


def days_of(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def segments(*, held, standards, start, end):
    """The paid days of ``start``–``end`` (both included) grouped by (month, category, standard)."""
    counts = {}
    for day in days_of(start, end):
        category = category_on(day, held)
        standard = standard_on(standards, day) if category else None
        if standard is None:
            continue
        key = ((day.year, day.month), category, standard)
        counts[key] = counts.get(key, 0) + 1
    result = []
    for (month, category, standard), days in sorted(
        counts.items(), key=lambda item: (item[0][0], -CATEGORY_ORDER[item[0][1]], item[0][2].effective_from)
    ):
        in_month = calendar.monthrange(*month)[1]
        amount = q(standard.amounts[category] * days / in_month)
        base = q(amount * (1 - standard.performance_share))
        result.append(Segment(month, category, standard, days, in_month, amount, base, amount - base))
    return result


def coefficient(standard, *, grade=None, grade_label="", mean_score=None):
    """(coefficient, why) of the result that applies under ``standard``'s mode."""
    unrated = fmt(standard.unrated)
    if standard.mode == BAND_MODE:
        if mean_score is None:
            return standard.unrated, _("期内无月度考核得分，按未评定系数 %(c)s") % {"c": unrated}
        for lowest, value in sorted(standard.bands, key=lambda b: b[0], reverse=True):
            if mean_score >= lowest:
                return value, _("期内月度考核平均分 %(m)s（≥ %(low)s），系数 %(c)s") % {
                    "m": fmt(mean_score),
                    "low": fmt(lowest),
                    "c": fmt(value),
                }
        return Decimal(0), _("期内月度考核平均分 %(m)s 低于最低分档，系数 0") % {"m": fmt(mean_score)}
    if not grade:
        return standard.unrated, _("无上年度评定等次，按未评定系数 %(c)s") % {"c": unrated}
    value = standard.coefficients.get(grade, standard.unrated)
    return value, _("上年度评定等次“%(g)s”，系数 %(c)s") % {"g": grade_label or grade, "c": fmt(value)}


def pay_line(*, held, standards, start, end, grade=None, grade_label="", mean_score=None, deductions=()):
    """One person's pay for the period ``start``–``end`` (a ``Line`` with its working).

    ``held``: their tenures (``Held``); ``standards``: the county's standards (``Standard``, not
    overlapping); ``grade``/``mean_score``: the result that applies (see the module's rule);
    ``deductions``: ((amount, reason), …)."""
    parts = segments(held=held, standards=standards, start=start, end=end)
    working = []
    for s in parts:
        working.append(
            _(
                "%(y)s年%(m)s月 %(cat)s：%(monthly)s 元 × %(d)s/%(n)s 天 = %(amount)s 元（基础 %(base)s，绩效标准 %(perf)s）"
            )
            % {
                "y": s.month[0],
                "m": s.month[1],
                "cat": CATEGORY_LABELS[s.category],
                "monthly": fmt(s.standard.amounts[s.category]),
                "d": s.days,
                "n": s.days_in_month,
                "amount": fmt(s.amount),
                "base": fmt(s.base),
                "perf": fmt(s.performance),
            }
        )
    base = sum((s.base for s in parts), Decimal(0))
    standard_part = sum((s.performance for s in parts), Decimal(0))
    if parts:
        last = parts[-1].standard
        value, why = coefficient(last, grade=grade, grade_label=grade_label, mean_score=mean_score)
    else:
        value, why = Decimal(0), _("期内未任有报酬的职务")
    performance = q(standard_part * value)
    working.append(_("基础报酬合计 %(b)s 元") % {"b": fmt(base)})
    working.append(
        _("绩效报酬：绩效标准 %(s)s 元 × %(c)s = %(p)s 元（%(why)s）")
        % {"s": fmt(standard_part), "c": fmt(value), "p": fmt(performance), "why": why}
    )
    deducted = Decimal(0)
    for amount, reason in deductions:
        deducted += q(amount)
        working.append(_("扣减 %(a)s 元（%(r)s）") % {"a": fmt(q(amount)), "r": reason})
    total = max(q(base + performance - deducted), Decimal("0.00"))
    working.append(_("应发合计 %(t)s 元") % {"t": fmt(total)})
    return Line(
        segments=tuple(parts),
        days=sum(s.days for s in parts),
        base=q(base),
        performance_standard=q(standard_part),
        coefficient=value,
        performance=performance,
        deductions=deducted,
        total=total,
        working=tuple(working),
    )


def period_bounds(year, half):
    """(first day, last day) of a settlement period: ``half`` 1 or 2 (a half-year), 0 the year."""
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    if half == 2:
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
