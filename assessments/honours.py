"""Who the record proposes for 七一 commendation and for 推荐 (pure; README "Commendations").

Each list is read from the signed annual ratings of the village Party secretaries:

- **优秀村党组织书记 (七一表彰)** of year Y: graded 优秀 in Y − 1, no 不称职 in the ``clean_years`` years up to
  and including Y − 1, and in office as a village secretary on the day the list is drawn (1 July of Y,
  or that day if earlier). Ranked by the Y − 1 total (higher first); the ``quota`` takes the first places,
  and everyone tied with the last place taken is proposed as well (the county decides among them).
- **职务晋升推荐**: 优秀 in at least ``promotion_excellent`` of the ``window`` years up to Y − 1, no 不称职 in
  them, in office; no quota (each is a person's decision).
- **党代表、人大代表、政协委员推荐**: 优秀 in Y − 1 and commended (七一, approved) at least once in the
  ``window`` years up to Y − 1, no 不称职 in them, in office; no quota.

A year without a signed rating counts as neither 优秀 nor 不称职.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

EXCELLENT, INCOMPETENT = "excellent", "incompetent"


@dataclass(frozen=True)
class Record:
    """One secretary's record as the rule reads it: {year: (grade, total)} of signed ratings, the
    years they were commended (七一, approved), and whether they are in office on the day drawn."""

    person: int
    ratings: dict
    commended: frozenset = frozenset()
    in_office: bool = True


@dataclass(frozen=True)
class Proposal:
    person: int
    reason: str
    rank: int | None = None


def _clean(record, years):
    return all(record.ratings.get(y, (None,))[0] != INCOMPETENT for y in years)


def secretary_commendations(records, *, year, clean_years, quota):
    """The 优秀村党组织书记 proposals of 七一 ``year``, in rank order (ties at the quota included)."""
    last = year - 1
    eligible = [
        r
        for r in records
        if r.in_office
        and r.ratings.get(last, (None,))[0] == EXCELLENT
        and _clean(r, range(last - clean_years + 1, last + 1))
    ]
    eligible.sort(key=lambda r: (-Decimal(r.ratings[last][1]), r.person))
    totals = [Decimal(r.ratings[last][1]) for r in eligible]
    proposals = []
    for record, total in zip(eligible, totals, strict=True):
        rank = 1 + sum(1 for other in totals if other > total)  # equal totals share the better rank
        if rank > quota:
            break
        reason = _("%(y)s年度优秀（综合得分 %(t)s，第 %(r)s 名），近 %(n)s 年无不称职") % {
            "y": last,
            "t": total,
            "r": rank,
            "n": clean_years,
        }
        if sum(1 for other in totals if other >= total) > quota:  # the tie runs past the quota
            reason += _("；与名额边界并列，由县委组织部决定")
        proposals.append(Proposal(record.person, reason, rank))
    return proposals


def promotion_proposals(records, *, year, window, promotion_excellent):
    last = year - 1
    years = range(last - window + 1, last + 1)
    found = []
    for record in sorted(records, key=lambda r: r.person):
        excellent = [y for y in years if record.ratings.get(y, (None,))[0] == EXCELLENT]
        if record.in_office and len(excellent) >= promotion_excellent and _clean(record, years):
            found.append(
                Proposal(
                    record.person,
                    _("近 %(n)s 年中 %(k)s 年优秀（%(ys)s），无不称职")
                    % {"n": window, "k": len(excellent), "ys": "、".join(str(y) for y in excellent)},
                )
            )
    return found


def candidate_proposals(records, *, year, window):
    last = year - 1
    years = range(last - window + 1, last + 1)
    found = []
    for record in sorted(records, key=lambda r: r.person):
        commended = sorted(y for y in record.commended if y in years)
        if (
            record.in_office
            and record.ratings.get(last, (None,))[0] == EXCELLENT
            and commended
            and _clean(record, years)
        ):
            found.append(
                Proposal(
                    record.person,
                    _("%(y)s年度优秀，%(c)s年受七一表彰，近 %(n)s 年无不称职")
                    % {"y": last, "c": "、".join(str(c) for c in commended), "n": window},
                )
            )
    return found
