"""Calendar periods in local time: months, quarters, years, and the meeting frequency table."""

import calendar
import datetime
from dataclasses import dataclass

from .choices import MeetingKind

# Frequency table: meeting kind → (county setting holding the count, unit).
# The counts are county settings (DOMAIN §5 [setting]); the units are the regulation's.
MEETING_REQUIREMENTS = {
    MeetingKind.BRANCH_GENERAL: ("life.branch_general_per_quarter", "quarter"),
    MeetingKind.BRANCH_COMMITTEE: ("life.branch_committee_per_month", "month"),
    MeetingKind.GROUP: ("life.group_per_month", "month"),
    MeetingKind.LECTURE: ("life.lecture_per_quarter", "quarter"),
    MeetingKind.PARTY_DAY: ("life.party_day_per_month", "month"),
    MeetingKind.LIFE_MEETING: ("life.life_meeting_per_year", "year"),
    MeetingKind.APPRAISAL: ("life.appraisal_per_year", "year"),
}


@dataclass(frozen=True, order=True)
class Unit:
    """One month, quarter or year."""

    start: datetime.date
    end: datetime.date
    kind: str

    @property
    def label(self):
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"


def month_unit(year, month):
    return Unit(datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]), "month")


def quarter_unit(year, quarter):
    first = 3 * (quarter - 1) + 1
    return Unit(datetime.date(year, first, 1), month_unit(year, first + 2).end, "quarter")


def year_unit(year):
    return Unit(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")


def units_ending_within(kind, start, end):
    """The months/quarters/years whose last day falls in [start, end]: the requirements due by ``end``."""
    units = []
    for year in range(start.year, end.year + 1):
        if kind == "month":
            candidates = [month_unit(year, m) for m in range(1, 13)]
        elif kind == "quarter":
            candidates = [quarter_unit(year, q) for q in range(1, 5)]
        else:
            candidates = [year_unit(year)]
        units.extend(u for u in candidates if start <= u.end <= end)
    return units


def previous_month(today):
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return month_unit(first.year, first.month)
