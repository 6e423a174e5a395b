"""Calendar arithmetic every app needs (terms, probation, deadlines, dated standards), in one place."""

import calendar
import datetime


def add_months(day, months):
    """The same day ``months`` calendar months later (or earlier), clamped to the month's last day
    (31 Jan + 1 month = 28/29 Feb; 31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day, years):
    """The same day ``years`` years later; 29 Feb becomes 28 Feb in a common year."""
    return add_months(day, 12 * years)


def overlaps(rows):
    """Pairs of dated rows (``effective_from``, ``effective_to`` inclusive, None: open-ended) whose
    dates overlap; a county's pay standards and allowance tables must have none."""
    found = []
    ordered = sorted(rows, key=lambda row: row.effective_from)
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if first.effective_to is None or second.effective_from <= first.effective_to:
                found.append((first, second))
    return found
