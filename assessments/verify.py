"""Recompute a scored month from what each score stored, and list every difference (``score verify``).

Each stored item keeps the metric value it read, its indicator (so the scheme version) and any
override; the pure rules of ``assessments.scoring`` turn those back into points, totals, vetoes
and ranks. Nothing is written. A difference means the stored scores no longer follow the rules
from their own inputs (a bug, or a hand edit of the database).

The stored inputs are also compared with the reports as they are now: a value corrected after the
month was scored, or a report approved after the run left its village out, is drift — the scores
are stale until the month is scored again.
"""

from decimal import Decimal

from townships.county_settings import settings_for

from . import scoring
from .choices import PeriodKind, ReportStatus, RunKind, RunStatus
from .metrics import METRICS, MetricPeriod, metric_value, read_derived
from .models import MonthlyReport, Score, ScoreItem, ScoringRun
from .services import item_parts


def _name(score):
    """The scored unit by name: "township village", or the township for a township's own score."""
    return score.township.name if score.village_id is None else f"{score.township.name} {score.village.name}"


def _report_unit(village_id, township_id):
    """Whose report (or score) it is: ("village", id), or ("township", id) for the township's own."""
    return ("township", township_id) if village_id is None else ("village", village_id)


def _recompute_item(item, peers):
    indicator = item.indicator
    if indicator.method == scoring.Method.MANUAL:
        return Decimal("0.00"), False
    if indicator.method == scoring.Method.RANK:
        points = scoring.rank_points(indicator.max_points, indicator.params, peers[(item.score_id, indicator.pk)])
        return points[item.score_id].points, False
    if item.metric_value is None:
        return Decimal("0.00"), False
    result = scoring.score(indicator.method, indicator.max_points, indicator.params, item.metric_value)
    return result.points, result.veto


def verify_month(*, county_id, year, month):
    """(number of scores checked, [difference as a sentence])."""
    scores = {
        s.pk: s
        for s in Score.objects.filter(
            township__county_id=county_id, period_kind=PeriodKind.MONTH, year=year, period=month
        ).select_related("scheme", "village", "township")
    }
    items = list(ScoreItem.objects.filter(score_id__in=scores).select_related("indicator"))
    by_score = {}
    for item in items:
        by_score.setdefault(item.score_id, []).append(item)

    # Rank indicators compare a township's scored villages of one target with each other (the
    # township target: the county's townships).
    def field(score):
        return (None if score.village_id is None else score.township_id, score.target)

    values = {}
    for item in items:
        if item.indicator.method == scoring.Method.RANK:
            score = scores[item.score_id]
            values.setdefault((*field(score), item.indicator_id), {})[item.score_id] = item.metric_value
    peers = {}
    for item in items:
        if item.indicator.method == scoring.Method.RANK:
            score = scores[item.score_id]
            peers[(item.score_id, item.indicator_id)] = values[(*field(score), item.indicator_id)]
    found = []
    for score_id, score in scores.items():
        label = f"{_name(score)} ({score.get_target_display()})"
        effective = []
        for item in by_score.get(score_id, []):
            points, veto = _recompute_item(item, peers)
            if points != item.points or veto != item.veto:
                found.append(
                    f"{label} {item.indicator.code}: stored {item.points}{' veto' if item.veto else ''}, "
                    f"recomputed {points}{' veto' if veto else ''}"
                )
            kept = item.override_points
            effective.append((item.indicator_id, kept if kept is not None else points, veto, kept is not None))
        indicators = {i.indicator_id: i.indicator for i in by_score.get(score_id, [])}
        total = scoring.monthly_total(item_parts(effective, indicators), bonus_cap=score.scheme.bonus_cap)
        stored_categories = {k: Decimal(v) for k, v in (score.by_category or {}).items()}
        if total.total != score.total:
            found.append(f"{label}: total stored {score.total}, recomputed {total.total}")
        if total.by_category != stored_categories:
            found.append(f"{label}: categories stored {stored_categories}, recomputed {total.by_category}")
        if total.veto != score.veto:
            found.append(f"{label}: veto stored {score.veto}, recomputed {total.veto}")
        if total.manual_pending != score.manual_pending:
            found.append(
                f"{label}: manual items pending stored {score.manual_pending}, recomputed {total.manual_pending}"
            )
    rows = list(scores.values())
    for slot, group_of in (
        ("rank_in_county", lambda s: s.target),
        ("rank_in_township", lambda s: (s.target, s.township_id) if s.village_id else None),
    ):
        groups = {}
        for score in rows:
            if group_of(score) is not None:  # a township's own score has no rank within a township
                groups.setdefault(group_of(score), []).append(score)
        for members in groups.values():
            ranks = scoring.competition_ranks(members, key=lambda s: scoring.ranking_key(s.total, s.veto))
            for index, rank in ranks.items():
                score = members[index]
                if getattr(score, slot) != rank:
                    found.append(f"{_name(score)}: {slot} stored {getattr(score, slot)}, recomputed {rank}")
    found += _input_drift(county_id=county_id, year=year, month=month, scores=scores, by_score=by_score)
    return len(scores), found


def _same(stored, current):
    try:
        return Decimal(str(stored)) == Decimal(str(current))
    except ArithmeticError:
        return stored == current


def _derived_drift(*, county_id, year, month, scores, by_score):
    """The stored derived inputs against the records as they are now (a survey or a commitment's
    grade entered or corrected after the month was scored)."""
    codes = {
        item.indicator.metric
        for items in by_score.values()
        for item in items
        if item.indicator.metric in METRICS and METRICS[item.indicator.metric].source == "derived"
    }
    if not codes:
        return []
    period = MetricPeriod(
        township_ids=sorted({s.township_id for s in scores.values()}),
        year=year,
        month=month,
        conf=settings_for(county_id),
    )
    derived = read_derived(period, codes)
    found = []
    for score_id, score in scores.items():
        for item in by_score.get(score_id, []):
            code = item.indicator.metric
            if code not in codes:
                continue
            now = metric_value(code, score.village_id or score.township_id, report_values=None, derived=derived)
            if not (item.metric_value is None and now is None) and (
                item.metric_value is None or now is None or not _same(item.metric_value, now)
            ):
                found.append(
                    f"{_name(score)} ({score.get_target_display()}) "
                    f"{item.indicator.code}: stored input {code}={item.metric_value}, records now {now}"
                )
    return found


def _input_drift(*, county_id, year, month, scores, by_score):
    """The stored inputs against the approved reports as they are now: a village's score against its
    village's report, a township's own score against the township's own report (乡镇本级)."""
    reports = {
        _report_unit(village_id, township_id): (values, township, village)
        for village_id, township_id, values, township, village in MonthlyReport.objects.filter(
            township__county_id=county_id, year=year, month=month, status=ReportStatus.APPROVED
        ).values_list("village_id", "township_id", "values", "township__name", "village__name")
    }
    found = []
    for score_id, score in scores.items():
        unit = _report_unit(score.village_id, score.township_id)
        if unit not in reports:
            continue
        values = reports[unit][0] or {}
        for item in by_score.get(score_id, []):
            code = item.indicator.metric
            if code in METRICS and METRICS[code].source == "report" and not _same(item.metric_value, values.get(code)):
                found.append(
                    f"{_name(score)} ({score.get_target_display()}) "
                    f"{item.indicator.code}: stored input {code}={item.metric_value}, report now {values.get(code)}"
                )
    found += _derived_drift(county_id=county_id, year=year, month=month, scores=scores, by_score=by_score)
    last = (
        ScoringRun.objects.filter(county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month)
        .filter(status=RunStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    for entry in last.left_out if last else []:
        unit = ("village", entry.get("village"))
        if unit in reports and entry.get("status") != "vacant":  # vacant: nobody to score
            _values, township, village = reports[unit]
            found.append(f"{township} {village}: report approved, but left out of run {last.pk} ({entry['status']})")
    return found
