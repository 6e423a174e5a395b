"""The rules of 定·查·评 as pure functions over plain values (no ORM): when a milestone is met
and when it is overdue (查: 倒排工期), and the villages' ranking by commitments completed (评优劣).

Services and selectors gather the values, call these, and write or show the result; the golden
cases in tests/golden/cases/commitments_*.toml pin them with hand-worked numbers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Entry:
    """An approved progress entry for one milestone: its date and what it reports."""

    on_date: datetime.date
    quantity: Decimal | None = None
    percent: int | None = None


def entry_meets(quantity, entry):
    """Does ``entry`` meet a milestone of ``quantity`` (None: a milestone with no quantity)?

    With a quantity: the entry's (cumulative) quantity reaches it. Without one: the entry says the
    milestone is done (100 %)."""
    if quantity is not None:
        return entry.quantity is not None and entry.quantity >= quantity
    return entry.percent is not None and entry.percent >= 100


def milestone_met_on(*, quantity, entries, on_or_before=None):
    """The date the milestone was first met, counting only entries dated on or before
    ``on_or_before`` (when given); None if it was not."""
    dates = [
        e.on_date for e in entries if (on_or_before is None or e.on_date <= on_or_before) and entry_meets(quantity, e)
    ]
    return min(dates) if dates else None


def milestone_overdue(*, due_on, quantity, entries, today):
    """Overdue from the day after ``due_on`` until an approved entry dated on or before ``today``
    meets it. The due date itself is never overdue; an entry meeting it late ends the overdue
    spell on the entry's date."""
    if today <= due_on:
        return False
    return milestone_met_on(quantity=quantity, entries=entries, on_or_before=today) is None


def days_overdue(*, due_on, today):
    return max(0, (today - due_on).days)


# --- 评优劣: villages ranked by the share of commitments completed -------------------------


@dataclass(frozen=True)
class VillageTally:
    """One village's approved commitments of the year and how many were graded 完成."""

    key: object
    name: str
    commitments: int
    done: int


@dataclass(frozen=True)
class VillageRank:
    key: object
    name: str
    commitments: int
    done: int
    share: Fraction | None  # done ÷ commitments; None when the village has none
    rank: int | None  # None: not ranked (no commitments), listed after the ranked

    @property
    def percent(self):
        """The share as a percentage rounded half up to one decimal, for display."""
        if self.share is None:
            return None
        return (Decimal(self.share.numerator) * 100 / Decimal(self.share.denominator)).quantize(Decimal("0.1"))


def rank_villages(tallies):
    """Rank villages by the share of their approved commitments graded 完成, highest first.

    Only 完成 counts: 基本完成 means the pledge was not fully kept, and an ungraded commitment is
    not (yet) completed, so the denominator is every approved commitment of the year. Shares are
    compared exactly (fractions, so 2/3 and 4/6 tie). Ties share the better rank and the next rank
    skips (1, 1, 3). A village with no commitments is not ranked: it is listed last, without a rank.
    Within a tie, and among the unranked, villages keep the order given (the registry's order).
    """
    ranked, unranked = [], []
    for t in tallies:
        if t.commitments <= 0:
            unranked.append(VillageRank(t.key, t.name, 0, 0, None, None))
        else:
            ranked.append((Fraction(t.done, t.commitments), t))
    ranked.sort(key=lambda pair: -pair[0])  # stable: ties keep the order given
    result, previous, rank = [], None, 0
    for position, (share, t) in enumerate(ranked, start=1):
        if share != previous:
            rank, previous = position, share
        result.append(VillageRank(t.key, t.name, t.commitments, t.done, share, rank))
    return result + unranked
