"""Reads for satisfaction surveys: the ranking of villages by their year's survey, with the change
from the year before and the villages below the county's line."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from townships.scoping import scope_for
from villages.models import Village

from .. import scoring
from ..models import BallotTally


@dataclass
class RankedVillage:
    village_id: int
    village: str
    township: str
    tally_id: int | None
    held_on: object
    valid: int
    rate: Decimal | None
    score: Decimal | None
    band: str
    reason: str
    previous: Decimal | None  # last year's rate
    rank: int | None = None

    @property
    def change(self):
        if self.rate is None or self.previous is None:
            return None
        return self.rate - self.previous


def _latest_by_village(tallies):
    latest = {}
    for tally in tallies:
        latest.setdefault(tally.village_id, tally)
    return latest


def satisfaction_ranking(*, user, year, conf, township=None):
    """Every active village in scope with its year's latest counted survey of its Party organization:
    ranked by rate (1224; those without a rate are unranked, last), with last year's rate beside it.
    Returns (rows, below, line): ``below`` the rows under the county's 软弱涣散 line. Three queries."""
    villages = scope_for(user, Village.objects.filter(is_active=True)).select_related("township")
    if township is not None:
        villages = villages.filter(township=township)
    villages = list(villages.order_by("township__sort_key", "township__name", "sort_key", "name"))
    counted = (
        scope_for(user, BallotTally.objects.counted_village_surveys())
        .filter(year__in=(year, year - 1), village__in=[v.pk for v in villages])
        .only("pk", "village_id", "year", "held_on", "valid", "rate", "score", "band", "reason")
    )
    this_year, last_year = [], []
    for tally in counted:
        (this_year if tally.year == year else last_year).append(tally)
    now, before = _latest_by_village(this_year), _latest_by_village(last_year)
    rows = []
    for village in villages:
        tally = now.get(village.pk)
        old = before.get(village.pk)
        rows.append(
            RankedVillage(
                village.pk,
                village.name,
                village.township.name,
                tally.pk if tally else None,
                tally.held_on if tally else None,
                tally.valid if tally else 0,
                tally.rate if tally else None,
                tally.score if tally else None,
                tally.band if tally else "",
                tally.reason if tally else "",
                old.rate if old else None,
            )
        )
    rated = [r for r in rows if r.rate is not None]
    for index, rank in scoring.competition_ranks(rated, key=lambda r: -r.rate).items():
        rated[index].rank = rank
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0))
    line = conf["weak.satisfaction_below"]
    below = [r for r in rated if r.rate < line]
    return rows, below, line


def metric_sources(*, score, codes):
    """{metric code: (text, url name, pk)} naming the record a scorecard's derived value came from:
    for ``satisfaction_rate``, the survey the month read (one query, only when an item reads it)."""
    sources = {}
    if "satisfaction_rate" in codes and score.period_kind == "month":
        from cadres.periods import month_unit

        tally = (
            BallotTally.objects.counted_village_surveys()
            .filter(village_id=score.village_id, held_on__lte=month_unit(score.year, score.period).end)
            .first()
        )
        if tally is not None:
            rate = f"{tally.rate}%" if tally.rate is not None else tally.reason
            text = _("%(d)s 测评，有效票 %(v)s，满意率 %(r)s") % {
                "d": tally.held_on.isoformat(),
                "v": tally.valid,
                "r": rate,
            }
            sources["satisfaction_rate"] = (text, tally.pk)
    return sources
