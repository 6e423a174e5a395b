"""What-if (试算): score the last scored month again with a scheme being edited, writing nothing,
and set each village's total and rank now beside what they would be."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from townships.county_settings import settings_for
from townships.models import Township

from .. import scoring
from ..choices import PeriodKind, Target
from ..models import Scheme, Score, ScoreItem
from .runs import month_inputs, score_township, township_rows
from .schemes import scheme_problems
from .scores import total_columns


def last_scored_month(scheme):
    """(year, month) of the county's latest scored month for the scheme's target, or None."""
    return (
        Score.objects.filter(township__county_id=scheme.county_id, target=scheme.target, period_kind=PeriodKind.MONTH)
        .order_by("-year", "-period")
        .values_list("year", "period")
        .first()
    )


def _ranks(rows):
    """County ranks of the rows by the stored rule: vetoed last, then by total, equal totals share a rank."""
    ranks = scoring.competition_ranks(rows, key=lambda r: (r["veto"], -r["total"]))
    return {rows[i]["unit"]: rank for i, rank in ranks.items()}


def _totals(scheme, rows, overrides):
    """{unit: {"unit", "total", "veto"}} of a scheme's item rows (a village's or a township's), with
    the overrides recorded on the month carried by indicator code."""
    by_pk = {i.pk: i for i in scheme.indicators.all() if i.method}
    totals = {}
    for row in rows:
        unit = row["village"] if row["village"] is not None else row["township"]
        items = []
        for indicator_id, _value, points, _explanation, veto in row["items"]:
            override = overrides.get((unit, by_pk[indicator_id].code))
            items.append((indicator_id, override if override is not None else points, veto, override is not None))
        total, _by_category, veto, _reason, _pending = total_columns(items, by_pk, bonus_cap=scheme.bonus_cap)
        totals[unit] = {"unit": unit, "total": Decimal(total), "veto": veto}
    return totals


def _village_rows(scheme, *, township_ids, villages, inputs, scored_now):
    """The villages' item rows had ``scheme`` scored the month (the run's scorer, per township)."""
    leaves = [i for i in scheme.indicators.all() if i.method]
    rows = []
    for township_id in township_ids:
        scored = [pk for pk, _name in villages[township_id] if pk in inputs.reports and pk in scored_now]
        rows += score_township(scheme.target, scheme, {scheme.target: leaves}, scored, inputs)
    return rows


def scheme_what_if(*, scheme):
    """Each scored unit of the last scored month — a village, or for a township scheme a township —
    scored twice on the same records: with the scheme that scored it ("now") and with ``scheme``
    ("after"), the manual entries and overrides recorded on that month carried over by indicator code;
    total and county rank side by side, the biggest movers first. Nothing is written.

    Raises ValidationError (in Chinese) for a scheme that cannot score, or a county with no
    scored month yet."""
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError([_("方案有误，无法试算：")] + problems)
    month = last_scored_month(scheme)
    if month is None:
        raise ValidationError(_("本县还没有已评分的月份，无法试算。"))
    year, period = month
    scores = Score.objects.filter(
        township__county_id=scheme.county_id,
        target=scheme.target,
        period_kind=PeriodKind.MONTH,
        year=year,
        period=period,
    )
    township_level = scheme.target == Target.TOWNSHIP
    unit = "township_id" if township_level else "village_id"
    names = {
        pk: (township if township_level else name, township)
        for pk, name, township in scores.values_list(unit, "village__name", "township__name")
    }
    base = Scheme.objects.get(pk=scores.values_list("scheme_id", flat=True).first())
    overrides = {
        (unit_id, code): points
        for unit_id, code, points in ScoreItem.objects.filter(
            score__in=scores, override_points__isnull=False
        ).values_list(f"score__{unit}", "indicator__code", "override_points")
    }
    conf = settings_for(scheme.county_id)
    if township_level:
        # The townships are scored from their villages' stored scores and their own reports.
        def rows_of(s):
            return township_rows(s, county_id=scheme.county_id, year=year, month=period, conf=conf)
    else:
        township_ids = list(Township.objects.filter(county_id=scheme.county_id).values_list("pk", flat=True))
        villages, _statuses, inputs = month_inputs(township_ids=township_ids, year=year, month=period, conf=conf)

        def rows_of(s):
            return _village_rows(s, township_ids=township_ids, villages=villages, inputs=inputs, scored_now=set(names))

    now, after = _totals(base, rows_of(base), overrides), _totals(scheme, rows_of(scheme), overrides)
    common = [v for v in now if v in after and v in names]
    rank_now = _ranks([now[v] for v in common])
    rank_after = _ranks([after[v] for v in common])
    rows = [
        {
            "village": names[v][0],
            "township": names[v][1],
            "total_now": now[v]["total"],
            "rank_now": rank_now[v],
            "veto_now": now[v]["veto"],
            "total_after": after[v]["total"],
            "rank_after": rank_after[v],
            "veto_after": after[v]["veto"],
            "change": after[v]["total"] - now[v]["total"],
            "move": rank_now[v] - rank_after[v],
        }
        for v in common
    ]
    rows.sort(key=lambda r: (-abs(r["move"]), -abs(r["change"]), r["rank_after"]))
    return {"year": year, "month": period, "base": base, "rows": rows, "township_level": township_level}
