"""The townships' own scores (the township target): what the 述职评议 composite, the county landing
page and the townships' ranking read."""

from decimal import Decimal

from django.utils.translation import gettext as _

from townships.models import Township
from townships.scoping import scope_for

from .. import scoring
from ..choices import PeriodKind, Target
from ..models import Score

# A year's township score is stored with period 1 (there is one year in a year).
YEAR_PERIOD = 1


def township_year_scores(*, county_id, year):
    """{township id: (total, veto)} of the county's townships' annual assessment scores (千分制 on the
    township scheme's scale), for the townships that have one."""
    return {
        township_id: (total, veto)
        for township_id, total, veto in Score.objects.filter(
            township__county_id=county_id,
            target=Target.TOWNSHIP,
            period_kind=PeriodKind.YEAR,
            year=year,
            period=YEAR_PERIOD,
        ).values_list("township_id", "total", "veto")
    }


def township_quarter(*, county_id, year, months):
    """The townships' part of the bulletin (the township target), by the villages' rule: the quarter's
    average of the three monthly township scores (all three required; a township missing a month is
    listed with it), ranked in the county with a veto in any month last, and its change (last month
    against the first). None when no township was scored in the quarter."""
    scored = {}
    for township_id, period, total, veto, veto_reason in (
        Score.objects.filter(
            township__county_id=county_id,
            target=Target.TOWNSHIP,
            period_kind=PeriodKind.MONTH,
            year=year,
            period__in=months,
        )
        .order_by("period")
        .values_list("township_id", "period", "total", "veto", "veto_reason")
    ):
        entry = scored.setdefault(township_id, {"totals": {}, "vetoes": []})
        entry["totals"][period] = total
        if veto:
            entry["vetoes"].append(f"{period}月{veto_reason}")
    if not scored:
        return None
    table, left_out = [], []
    for township_id, name in (
        Township.objects.filter(county_id=county_id).order_by("sort_key", "name").values_list("pk", "name")
    ):
        entry = scored.get(township_id)
        missing = [m for m in months if not entry or m not in entry["totals"]]
        if missing:
            left_out.append(
                {
                    "village": "",
                    "township_id": township_id,
                    "township": name,
                    "missing": [_("%(m)s月（无村评分）") % {"m": m} for m in missing],
                }
            )
            continue
        totals = [entry["totals"][m] for m in months]
        table.append(
            {
                "township_id": township_id,
                "township": name,
                "village": "",
                "months": [float(t) for t in totals],
                "average": float(scoring._q(sum(totals, Decimal(0)) / 3)),
                "change": float(scoring._q(totals[-1] - totals[0])),
                "veto": bool(entry["vetoes"]),
                "veto_reason": "；".join(entry["vetoes"]),
                "categories": {},
            }
        )
    key = lambda r: scoring.ranking_key(r["average"], r["veto"])  # noqa: E731
    for index, rank in scoring.competition_ranks(table, key=key).items():
        table[index]["rank_in_county"] = rank
    table.sort(key=lambda r: (r["rank_in_county"], r["township"]))
    return {
        "target": Target.TOWNSHIP,
        "label": str(Target.TOWNSHIP.label),
        "level": "township",
        "rows": table,
        "up": sorted((r for r in table if r["change"] > 0), key=lambda r: -r["change"])[:5],
        "down": sorted((r for r in table if r["change"] < 0), key=lambda r: r["change"])[:5],
        "category_averages": {},
        "lagging": [],
        "left_out": left_out,
    }


def _county_of(user):
    if user.county_id:
        return user.county_id
    return scope_for(user, Township.objects.all()).values_list("county_id", flat=True).first()


def township_ranking(*, user, kind, year, period):
    """The townships' ranking the user may read for a month, a quarter or the year: rows with the
    county rank (vetoed last, equal totals share the better rank), the township, its secretary by
    name, the total, the change against the previous period (months and quarters) and the veto; and
    the townships left out (no score). A township user reads their own township's row, with its
    rank among all (as on the villages' score list); the county reads them all. A fixed number of
    queries."""
    county_id = _county_of(user)
    visible = list(scope_for(user, Township.objects.filter(county_id=county_id)).values_list("pk", flat=True))
    if kind == "quarter":
        section = township_quarter(county_id=county_id, year=year, months=[3 * (period - 1) + m for m in (1, 2, 3)])
        rows = [
            {
                "rank": r["rank_in_county"],
                "township_id": r["township_id"],
                "township": r["township"],
                "total": Decimal(str(r["average"])),
                "change": Decimal(str(r["change"])),
                "veto": r["veto"],
                "veto_reason": r["veto_reason"],
                "months": r["months"],
            }
            for r in (section or {}).get("rows", [])
            if r["township_id"] in visible
        ]
        left_out = [
            {"township": v["township"], "why": "、".join(v["missing"])}
            for v in (section or {}).get("left_out", [])
            if v["township_id"] in visible
        ]
        return {"rows": rows, "left_out": left_out}
    period_kind, period = (PeriodKind.YEAR, YEAR_PERIOD) if kind == "year" else (PeriodKind.MONTH, period)
    scores = scope_for(
        user,
        Score.objects.filter(
            township__county_id=county_id, target=Target.TOWNSHIP, period_kind=period_kind, year=year, period=period
        ),
    )
    previous = {}
    if kind == "month" and period > 1:
        previous = dict(
            Score.objects.filter(
                township_id__in=visible,
                target=Target.TOWNSHIP,
                period_kind=PeriodKind.MONTH,
                year=year,
                period=period - 1,
            ).values_list("township_id", "total")
        )
    rows = [
        {
            "rank": rank,
            "score_id": pk,
            "township_id": township_id,
            "township": name,
            "secretary": secretary or "",
            "total": total,
            "change": total - previous[township_id] if township_id in previous else None,
            "veto": veto,
            "veto_reason": reason,
        }
        for pk, rank, township_id, name, secretary, total, veto, reason in scores.order_by(
            "rank_in_county", "township__sort_key", "township__name"
        ).values_list(
            "pk", "rank_in_county", "township_id", "township__name", "person__name", "total", "veto", "veto_reason"
        )
    ]
    scored = {r["township_id"] for r in rows}
    left_out = [
        {"township": name, "why": _("无评分（本期没有已评分的村）")}
        for pk, name in Township.objects.filter(pk__in=visible, is_active=True)
        .order_by("sort_key", "name")
        .values_list("pk", "name")
        if pk not in scored
    ]
    return {"rows": rows, "left_out": left_out}


def township_trend(*, user, year):
    """{"months": [1..12], "series": [{"name": township, "data": [total or None per month]}]} of the
    townships the user may read, for a line chart (one query)."""
    series = {}
    for name, period, total in (
        scope_for(user, Score.objects.filter(target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, year=year))
        .order_by("township__sort_key", "township__name", "period")
        .values_list("township__name", "period", "total")
    ):
        series.setdefault(name, [None] * 12)[period - 1] = float(total)
    return {"months": list(range(1, 13)), "series": [{"name": n, "data": d} for n, d in series.items()]}
