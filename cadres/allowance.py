"""The leaving allowance rule (正常离任村干部生活补贴), pure: whether a former village cadre is paid for
a month, why (or why not), the years of service, the band and the monthly amount. No database here;
``services/allowance.py`` and ``selectors/allowance.py`` read the records and call ``assess``.

The rule, stated once (README "离任生活补贴"):

- **Counted posts** are the village cadre posts the county names (setting ``allowance.posts``; by
  default all five: 村党组织书记, 村委会主任, 村党组织副书记, 村“两委”委员, 村务监督委员会主任).
  A tenure covers ``started_on`` up to the day before ``ended_on`` (the convention of every count of
  days in office). Days in two counted posts at once (一肩挑, or 联村任职 in two villages) count once.
- **Runs.** The counted days form runs; a run ends where a day follows in no counted post, so a new
  tenure starting on the day the last one ended (its ``ended_on``) continues the run, and one day
  without a counted post is a gap.
- **Service as 年/月/日.** A run's length is counted by calendar anniversaries: the whole months from
  its first day (a month later the same day, clamped to the month's end), then the days left.
  Cumulative (``累计``, the default): the runs' 年/月/日 are added, the left-over days of two or
  more runs carry to a month per 30 and 12 months make a year (the way 工龄 is added up). Continuous (``最长连续``): the longest run alone.
  The years counted are the completed years; the months and days are shown, never rounded up.
- **Last post** is the counted post held on the last day of service; holding several that day, the
  highest class counts: 书记 (村党组织书记, so 一肩挑 counts as 书记), then 主任 (村委会主任), then
  其他 (every other counted post: 副书记, 委员, 监委会主任, 会计 …).
- **Eligible for a month** when the person holds no counted post any more (离任), the years reach
  the minimum (setting, default 3), the month is on or after the first month payable, a table is in
  effect on the month's first day with a band for the years, and no disqualification or stop was
  recorded in an earlier month.
- **First month payable** is the later of the month after the month of the last day in office and
  the month in which the person turns the minimum age (setting, default 60; the birth date is read
  from the ID number): the birthday's month is paid.
- **Disqualifications** (criminal penalty, Party penalty, recall/罢免) and **stops** (death, a
  salaried public post) take effect from the month after their date: that month is still paid, no
  later one. A disqualification dated while the person was still in office therefore excludes them
  from every month.
- **The amount** is the band's figure for the last post's class in the table in effect on the first
  day of the month; the band is the one with the highest minimum years the service reaches.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townships.dates import add_months

from .choices import PostKind

SECRETARY, DIRECTOR, OTHER = "secretary", "director", "other"
CLASSES = (SECRETARY, DIRECTOR, OTHER)
CLASS_LABELS = {
    SECRETARY: gettext_lazy("书记"),
    DIRECTOR: gettext_lazy("主任"),
    OTHER: gettext_lazy("其他（会计等）"),
}
CLASS_RANK = {SECRETARY: 3, DIRECTOR: 2, OTHER: 1}
# The posts the county may count (setting ``allowance.posts``): the village cadre posts. 大学生村官
# and 驻村第一书记 are not village cadres of the village's own (they are paid from other budgets).
COUNTABLE_POSTS = (
    PostKind.VILLAGE_SECRETARY,
    PostKind.COMMITTEE_DIRECTOR,
    PostKind.VILLAGE_DEPUTY_SECRETARY,
    PostKind.VILLAGE_MEMBER,
    PostKind.SUPERVISION_DIRECTOR,
)
CUMULATIVE, CONTINUOUS = "cumulative", "continuous"


def class_of(post):
    if post == PostKind.VILLAGE_SECRETARY:
        return SECRETARY
    if post == PostKind.COMMITTEE_DIRECTOR:
        return DIRECTOR
    return OTHER


@dataclass(frozen=True)
class Held:
    """A tenure as the rule reads it: the post, its village, the first day and the first day out."""

    post: str
    village: int | None
    started_on: datetime.date
    ended_on: datetime.date | None


@dataclass(frozen=True)
class Band:
    """One row of a band table: from ``min_years`` of service, the monthly amount per class."""

    min_years: int
    amounts: dict  # {class: Decimal}

    def label(self, next_min=None):
        if next_min is None:
            return _("%(n)s 年以上") % {"n": self.min_years}
        return _("%(a)s–%(b)s 年") % {"a": self.min_years, "b": next_min - 1}


@dataclass(frozen=True)
class Table:
    """A band table in effect from ``effective_from`` to ``effective_to`` (the last day; None: open)."""

    effective_from: datetime.date
    effective_to: datetime.date | None
    bands: tuple  # of Band
    name: str = ""

    def covers(self, day):
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def band_for(self, years):
        """(band, its label) for ``years`` of service, or (None, "")."""
        ordered = sorted(self.bands, key=lambda b: b.min_years)
        for index, band in reversed(list(enumerate(ordered))):
            if years >= band.min_years:
                following = ordered[index + 1].min_years if index + 1 < len(ordered) else None
                return band, band.label(following)
        return None, ""


@dataclass(frozen=True)
class Mark:
    """A dated disqualification or stop: from the month after ``on`` nothing is paid."""

    on: datetime.date
    label: str  # its kind, in Chinese
    reason: str = ""


@dataclass(frozen=True)
class Rules:
    """The county's settings the rule reads."""

    min_years: int = 3
    min_age: int = 60
    counting: str = CUMULATIVE
    posts: frozenset = frozenset(COUNTABLE_POSTS)


@dataclass(frozen=True, order=True)
class Service:
    years: int
    months: int
    days: int

    def __str__(self):
        return _("%(y)s年%(m)s个月%(d)s天") % {"y": self.years, "m": self.months, "d": self.days}


@dataclass(frozen=True)
class Result:
    eligible: bool
    reasons: tuple  # why not (Chinese), empty when eligible
    working: tuple  # the steps (Chinese), in order
    service: Service | None = None
    last_post: str = ""
    last_class: str = ""
    last_day: datetime.date | None = None
    band: Band | None = None
    band_label: str = ""
    amount: Decimal | None = None  # the month's amount when eligible
    first_month: tuple | None = None  # (year, month)
    table: Table | None = None

    @property
    def years(self):
        return self.service.years if self.service else 0


def month_label(month):
    return _("%(y)s年%(m)s月") % {"y": month[0], "m": month[1]}


def next_month(month):
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def month_of(day):
    return (day.year, day.month)


def runs(held, posts):
    """The runs of counted days: [(first day, first day out or None when still in office)], in order."""
    spans = sorted(((h.started_on, h.ended_on) for h in held if h.post in posts), key=lambda s: s[0])
    merged = []
    for start, end in spans:
        if end is not None and end <= start:
            continue  # a tenure ended the day it started covers no day
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def span(start, end):
    """The length of the days ``start`` up to the day before ``end`` as (whole months, days left),
    counted by anniversaries: the whole months first, then the days."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


def add_up(parts):
    """(months, days) pairs added as 年/月/日: the days left over from two or more runs carry to a
    month per 30 (满30天计1个月), 12 months make a year. One run's own days (at most 30, from a
    31-day month) make no month: its whole months were already counted by the calendar."""
    months = sum(m for m, _d in parts)
    days = sum(d for _m, d in parts)
    if len(parts) > 1:
        months, days = months + days // 30, days % 30
    return Service(months // 12, months % 12, days)


def service_of(closed_runs, counting):
    lengths = [span(start, end) for start, end in closed_runs]
    if not lengths:
        return Service(0, 0, 0)
    if counting == CONTINUOUS:
        return max(add_up([length]) for length in lengths)
    return add_up(lengths)


def last_post(held, posts, last_day):
    """The counted post held on ``last_day`` (the highest class when several)."""
    that_day = [h.post for h in held if h.post in posts and h.started_on <= last_day and h.ended_on > last_day]
    return max(that_day, key=lambda post: (CLASS_RANK[class_of(post)], post), default="")


def age_month(birth_date, age):
    return (birth_date.year + age, birth_date.month)


def table_on(tables, day):
    return next((t for t in tables if t.covers(day)), None)


def assess(*, held, birth_date, month, rules, tables, disqualifications=(), stops=(), post_labels=None):
    """Whether the person is paid for ``month`` ((year, month)), with the reasons and the working.

    ``held``: their tenures (``Held``, any posts; the counted ones are read); ``birth_date``: from
    the ID number (None when it can't be read); ``tables``: the county's band tables (not
    overlapping); ``disqualifications`` / ``stops``: ``Mark``s."""
    labels = post_labels or dict(PostKind.choices)
    reasons, working = [], []
    found = runs(held, rules.posts)
    if not found:
        return Result(False, (_("无计入年限的村干部任职记录"),), ())
    counting_label = _("累计") if rules.counting == CUMULATIVE else _("最长连续")
    in_office = found[-1][1] is None
    closed = found[:-1] if in_office else found
    for start, end in found:
        if end is None:
            working.append(_("%(a)s 起在任（未离任）") % {"a": start})
        else:
            months, days = span(start, end)
            working.append(
                _("%(a)s 至 %(b)s：%(y)s年%(m)s个月%(d)s天")
                % {"a": start, "b": end - datetime.timedelta(days=1), "y": months // 12, "m": months % 12, "d": days}
            )
    service = service_of(closed, rules.counting)
    working.append(_("%(c)s任职年限 %(s)s，计 %(y)s 年") % {"c": counting_label, "s": service, "y": service.years})
    if in_office:
        reasons.append(_("仍在任，未离任"))
        return Result(False, tuple(reasons), tuple(working), service=service)
    last_day = found[-1][1] - datetime.timedelta(days=1)
    post = last_post(held, rules.posts, last_day)
    klass = class_of(post)
    working.append(
        _("最后任职 %(p)s（%(c)s类），%(d)s 离任")
        % {"p": labels.get(post, post), "c": CLASS_LABELS[klass], "d": last_day}
    )
    first = next_month(month_of(last_day))
    if service.years < rules.min_years:
        reasons.append(_("任职年限 %(y)s 年，不满 %(n)s 年") % {"y": service.years, "n": rules.min_years})
    if birth_date is None:
        reasons.append(_("身份证号码无法识别出生日期"))
    else:
        turns = age_month(birth_date, rules.min_age)
        working.append(_("%(m)s年满 %(a)s 周岁（当月起计发）") % {"m": month_label(turns), "a": rules.min_age})
        first = max(first, turns)
        if month < turns:
            reasons.append(_("%(m)s年满 %(a)s 周岁，此前不发放") % {"m": month_label(turns), "a": rules.min_age})
    barred_from = None
    for mark in sorted(disqualifications, key=lambda m: m.on):
        detail = f"{mark.label}（{mark.on}）{('：' + mark.reason) if mark.reason else ''}"
        working.append(_("%(d)s，自次月起不享受") % {"d": detail})
        barred_from = min(filter(None, (barred_from, next_month(month_of(mark.on)))))
        if month >= next_month(month_of(mark.on)):
            reasons.append(_("%(d)s，不享受生活补贴") % {"d": detail})
    for mark in sorted(stops, key=lambda m: m.on):
        detail = f"{mark.label}（{mark.on}）{('：' + mark.reason) if mark.reason else ''}"
        working.append(_("%(d)s，自次月起停发") % {"d": detail})
        barred_from = min(filter(None, (barred_from, next_month(month_of(mark.on)))))
        if month >= next_month(month_of(mark.on)):
            reasons.append(_("%(d)s，已停发") % {"d": detail})
    first_month = first if service.years >= rules.min_years and birth_date is not None else None
    if first_month is not None and barred_from is not None and first_month >= barred_from:
        first_month = None
    if first_month is not None:
        working.append(_("自 %(m)s 起发放") % {"m": month_label(first_month)})
    if month < first and not reasons:
        reasons.append(_("%(m)s 起方可发放") % {"m": month_label(first)})
    table = table_on(tables, datetime.date(month[0], month[1], 1))
    band, band_label, amount = None, "", None
    if table is None:
        reasons.append(_("%(m)s 无适用的补贴标准") % {"m": month_label(month)})
    else:
        band, band_label = table.band_for(service.years)
        if band is None:
            reasons.append(_("任职年限 %(y)s 年，补贴标准“%(t)s”中无对应档次") % {"y": service.years, "t": table.name})
        else:
            amount = band.amounts[klass]
            # The amount itself is not in the working: the pages show it only to those who may see it.
            working.append(
                _("适用“%(t)s”%(b)s档、%(c)s类") % {"t": table.name, "b": band_label, "c": CLASS_LABELS[klass]}
            )
    eligible = not reasons
    return Result(
        eligible,
        tuple(reasons),
        tuple(working),
        service=service,
        last_post=post,
        last_class=klass,
        last_day=last_day,
        band=band,
        band_label=band_label,
        amount=amount if eligible else None,
        first_month=first_month,
        table=table,
    )
