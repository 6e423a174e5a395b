"""The 约谈 proposal rules as pure functions over plain values (no ORM), like ``scoring.removal_status``.

A cause is data: ``Cause`` names the cause code, the person, their unit (township, and village for a
village secretary), the level that talks, the period the results come from and the reason in words.
The services read the results into causes (``services.talks.CAUSE_READERS``); these functions decide.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import DutyGrade, TalkState


@dataclass(frozen=True)
class Cause:
    """One reason to propose a 约谈, read from the results."""

    cause: str  # TalkCause
    person_id: int
    township_id: int
    village_id: int | None  # None: a township Party secretary
    level: str  # TalkLevel: who talks
    year: int
    period: str  # "2026" or "2026Q3"
    reason: str

    @property
    def key(self):
        return (self.person_id, self.cause, self.period)


def quarter_index(year, quarter):
    """Consecutive quarters have consecutive indexes (2025 Q4 → 2026 Q1 is one step)."""
    return year * 4 + quarter - 1


def quarter_period(year, quarter):
    return f"{year}Q{quarter}"


def quarter_of_index(index):
    return index // 4, index % 4 + 1


@dataclass(frozen=True)
class LastPlaceStatus:
    proposed: bool
    run: int  # quarters running last, counted afresh after the latest earlier proposal
    quarters: tuple = ()  # (year, quarter) of the run, oldest first


def last_place_status(history, *, year, quarter, running, raised=()):
    """Whether a secretary's run of last places in the quarterly bulletins proposes a 约谈 in (year, quarter).

    ``history``: {(year, quarter): is_last} for the quarters whose published bulletin ranked the
    person's village while they were its secretary; a quarter not in it (no published bulletin,
    not ranked, not in office) breaks the run. ``raised``: the (year, quarter) of earlier proposals
    of this cause for the person, decided or not: the results that led to one proposal never lead
    to another, so counting starts afresh after the latest of them before this quarter.
    Only quarters up to (year, quarter) are read: re-applying a past quarter gives what it gave then.
    Proposed when the person is last in this quarter and in the ``running - 1`` before it.
    """
    now = quarter_index(year, quarter)
    start = max((quarter_index(*q) for q in raised if quarter_index(*q) < now), default=None)
    run = 0
    index = now
    while (start is None or index > start) and history.get(quarter_of_index(index)):
        run += 1
        index -= 1
    quarters = tuple(quarter_of_index(i) for i in range(now - run + 1, now + 1))
    return LastPlaceStatus(run >= running, run, quarters)


def last_place_reason(status, *, scope_label):
    first, last = status.quarters[0], status.quarters[-1]
    return _("%(a)s年第%(b)s季度至%(c)s年第%(d)s季度连续 %(n)s 个季度%(s)s（季度通报）。") % {
        "a": first[0],
        "b": first[1],
        "c": last[0],
        "d": last[1],
        "n": status.run,
        "s": scope_label,
    }


def lowest_ranked(rows, *, min_group=2):
    """The rows ranked last in their group: ``rows`` are (key, group, rank) with competition ranks
    (ties share a rank, so every row tied at the bottom is last). A group of fewer than ``min_group``
    ranked rows has no last place: being alone is not being behind."""
    groups = {}
    for key, group, rank in rows:
        groups.setdefault(group, []).append((key, rank))
    last = set()
    for members in groups.values():
        if len(members) < min_group:
            continue
        bottom = max(rank for _key, rank in members)
        if min(rank for _key, rank in members) == bottom:
            continue  # everyone tied: nobody is behind anybody
        last |= {key for key, rank in members if rank == bottom}
    return last


def petitions_exceed(total, *, above):
    """A quarter's petitions propose a 约谈 when they exceed the county's threshold (0: not used)."""
    return bool(above) and total > above


def review_grade_triggers(grade, *, fair_triggers):
    """述职评议: 差 always proposes a 约谈; 一般 too when the county says so (``talk.review_fair_triggers``).
    ``grade`` is a ``DutyGrade`` code (good 好, fair 较好, average 一般, poor 差)."""
    return grade == DutyGrade.POOR or (bool(fair_triggers) and grade == DutyGrade.AVERAGE)


@dataclass(frozen=True)
class Proposals:
    store: tuple  # causes to store as undecided proposals (new or recomputed)
    new: tuple  # of those, the ones not proposed before: the people who decide hear of them once
    drop: tuple  # keys of undecided proposals of the causes read that the results no longer give


def proposals(found, existing, *, read_causes, period):
    """Which proposals the results give, against what is stored.

    ``found``: the causes read for ``period``; ``existing``: {key: state} of the proposals stored
    for that period and those causes. A decided proposal (held, dismissed, closed) stays as it was
    whatever the results say now; an undecided one is recomputed, or dropped when its cause is gone.
    A key appears once whatever the number of readers that found it (the first reason is kept).
    """
    seen, store, new = set(), [], []
    for cause in found:
        if cause.key in seen or cause.period != period:
            continue
        seen.add(cause.key)
        state = existing.get(cause.key)
        if state is not None and state != TalkState.PROPOSED:
            continue  # decided: it stands
        store.append(cause)
        if state is None:
            new.append(cause)
    drop = tuple(
        key
        for key, state in existing.items()
        if state == TalkState.PROPOSED and key not in seen and key[1] in read_causes and key[2] == period
    )
    return Proposals(tuple(store), tuple(new), drop)
