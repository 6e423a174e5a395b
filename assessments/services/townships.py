"""The townships' own year (the township target): the annual score from the months, then what
follows from it (the 述职评议 composites, the 约谈 they propose)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from townships.county_settings import settings_for

from .. import scoring
from ..choices import PeriodKind, Target
from ..models import Score
from ..selectors.townships import YEAR_PERIOD
from .scores import rank_scores


def township_year_rule(months, *, min_months):
    """A township's annual score from its monthly scores (pure): ``months`` is [(month, total, veto,
    veto reason, by_category, person)]. The year's total is the mean of the months scored, rounded
    half up to 0.01 (a month without a score — no village scored that month — is left out, not
    counted as 0); fewer than ``min_months`` months: no annual score (None). A veto in any month
    vetoes the year (ranked last). The person is the township secretary of the latest month."""
    if len(months) < min_months or not months:
        return None
    months = sorted(months, key=lambda m: m[0])
    n = Decimal(len(months))
    categories = {}
    for _m, _t, _v, _r, by_category, _p in months:
        for category, points in (by_category or {}).items():
            categories[category] = categories.get(category, Decimal(0)) + Decimal(points)
    vetoes = [f"{m}月{reason}" for m, _t, veto, reason, _c, _p in months if veto]
    return {
        "total": scoring._q(sum((Decimal(t) for _m, t, *_rest in months), Decimal(0)) / n),
        "by_category": {k: str(scoring._q(v / n)) for k, v in categories.items()},
        "veto": bool(vetoes),
        "veto_reason": "；".join(vetoes)[:300],
        "person": months[-1][5],
        "months": len(months),
    }


@transaction.atomic
def township_year_compute(*, county_id, year, run=None):
    """Store every township's annual score (``township_year_rule``) for the year and rank them in the
    county (vetoed last); a township no longer scored loses its stale annual score."""
    conf = settings_for(county_id)
    monthly = {}
    schemes = {}
    for township_id, period, total, veto, reason, by_category, person_id, scheme_id in (
        Score.objects.filter(
            township__county_id=county_id, target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, year=year
        )
        .order_by("period")
        .values_list("township_id", "period", "total", "veto", "veto_reason", "by_category", "person_id", "scheme_id")
    ):
        monthly.setdefault(township_id, []).append((period, total, veto, reason, by_category, person_id))
        schemes[township_id] = scheme_id  # the scheme of the latest month
    key = {"target": Target.TOWNSHIP, "period_kind": PeriodKind.YEAR, "year": year, "period": YEAR_PERIOD}
    now = timezone.now()
    kept = []
    for township_id, months in monthly.items():
        result = township_year_rule(months, min_months=conf["annual.min_months"])
        if result is None:
            continue
        Score.objects.update_or_create(
            township_id=township_id,
            village=None,
            **key,
            defaults={
                "scheme_id": schemes[township_id],
                "person_id": result["person"],
                "total": result["total"],
                "by_category": result["by_category"],
                "veto": result["veto"],
                "veto_reason": result["veto_reason"],
                "manual_pending": 0,
                "run": run,
                "computed_at": now,
                "updated_at": now,
            },
        )
        kept.append(township_id)
    Score.objects.filter(township__county_id=county_id, **key).exclude(township_id__in=kept).delete()
    rank_scores(county_id=county_id, period_kind=PeriodKind.YEAR, year=year, period=YEAR_PERIOD)
    # What follows from the townships' year: their secretaries' 述职评议 composites read these scores,
    # and a 述职评议 一般/差 proposes a 约谈 (applying the year again is idempotent). Imported here:
    # the 述职 service starts runs, and the runs' lifecycle calls this module.
    from .duty import township_reviews_compute
    from .talks import talks_apply

    township_reviews_compute(county_id=county_id, year=year)
    talks_apply(county_id=county_id, year=year)
    return len(kept)
