"""Scoring a month for some townships: what it reads (``month_inputs``) and the item rows each
village gets (``score_township``), stored on the run's chunks for finalize to write."""

import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from townships.county_settings import settings_for
from villages.models import Village

from ... import scoring
from ...choices import VILLAGE_TARGETS, PeriodKind, ReportStatus, RunStatus, Target
from ...metrics import METRICS, MetricPeriod, metric_value, read_derived
from ...models import MonthlyReport, Scheme, Score, ScoringChunk
from ...selectors import month_secretaries
from ..schemes import active_schemes


def score_chunk_compute(chunk_id):
    """Score one township's chunk (``score_chunks_compute`` for one)."""
    return score_chunks_compute([chunk_id])


def score_chunks_compute(chunk_ids):
    """Score every village of some townships (chunks of one run, claimed by this worker) for the
    run's month; store each township's result on its chunk. The inputs are read once for all of
    them, so a task's queries do not grow with its number of townships.

    No data, no score (DOMAIN §6): a village without an approved report for the month gets
    no total; it is listed in ``left_out`` with its report's state and takes no part in ranks.
    A village with an approved report but no score of any target (a vacant secretary's post) is
    listed too, as ``vacant``.
    """
    chunks = list(ScoringChunk.objects.select_related("run").filter(pk__in=chunk_ids).order_by("pk"))
    if not chunks:
        return 0
    run = chunks[0].run
    if any(chunk.run_id != run.pk for chunk in chunks):
        raise ValueError("chunks of different runs cannot be scored together")
    pause = getattr(settings, "SCORING_CHUNK_PAUSE", 0)
    if pause:
        time.sleep(pause)  # failure drills only: widens the window in which a worker can be killed
    conf = settings_for(run.county_id)
    schemes = active_schemes(county_id=run.county_id, year=run.year)
    # A month already scored keeps the scheme versions it was scored with (re-running a past period
    # gives the result it gave then); a version activated later applies from the next month on.
    schemes.update(
        {
            s.target: s
            for s in Scheme.objects.filter(
                pk__in=Score.objects.filter(
                    township__county_id=run.county_id, period_kind=PeriodKind.MONTH, year=run.year, period=run.period
                ).values("scheme_id")
            )
        }
    )
    indicators = {target: [i for i in scheme.indicators.all() if i.method] for target, scheme in schemes.items()}
    township_ids = [chunk.township_id for chunk in chunks]
    codes = {indicator.metric for leaves in indicators.values() for indicator in leaves if indicator.metric}
    villages, statuses, inputs = month_inputs(
        township_ids=township_ids, year=run.year, month=run.period, conf=conf, codes=codes
    )
    reports = inputs.reports
    outcomes = []
    for chunk in chunks:
        left_out = [
            {"village": pk, "name": name, "status": statuses.get(pk, "missing")}
            for pk, name in villages[chunk.township_id]
            if pk not in reports
        ]
        scored = [pk for pk, _name in villages[chunk.township_id] if pk in reports]
        result = [
            row
            for target, scheme in schemes.items()
            if target in VILLAGE_TARGETS  # the townships are scored from these, in finalize
            for row in score_township(target, scheme, indicators, scored, inputs)
        ]
        # One definition of coverage: a village is scored when it has a score of some target. One
        # with an approved report but no score (its secretary's post vacant where only secretaries
        # are assessed) is listed as such, so scored + left out = expected on every page.
        with_score = {row["village"] for row in result}
        left_out += [
            {"village": pk, "name": name, "status": "vacant"}
            for pk, name in villages[chunk.township_id]
            if pk in reports and pk not in with_score
        ]
        outcomes.append((chunk, result, left_out))
    updated = 0
    with transaction.atomic():
        for chunk, result, left_out in outcomes:
            updated += ScoringChunk.objects.filter(pk=chunk.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.SUCCEEDED,
                result=result,
                left_out=left_out,
                finished_at=timezone.now(),
                targets_scored=len(result),
            )
    return updated


def month_inputs(*, township_ids, year, month, conf, codes=None):
    """What scoring a month reads for some townships (a fixed number of queries): their active
    villages ({township: [(village, name)]}), each village's report status, and the ``Inputs``
    (approved reports' values, the derived metrics named in ``codes`` — all by default — read
    through the registry, the month's secretaries)."""
    villages = defaultdict(list)
    for pk, name, township_id in (
        Village.objects.filter(township_id__in=township_ids, is_active=True)
        .order_by("sort_key", "name")
        .values_list("pk", "name", "township_id")
    ):
        villages[township_id].append((pk, name))
    statuses, reports = {}, {}
    for village_id, status, values in MonthlyReport.objects.filter(
        township_id__in=township_ids, year=year, month=month, village__isnull=False
    ).values_list("village_id", "status", "values"):
        statuses[village_id] = status
        if status == ReportStatus.APPROVED:
            reports[village_id] = values
    period = MetricPeriod(township_ids=township_ids, year=year, month=month, conf=conf)
    inputs = Inputs(
        reports,
        read_derived(period, codes),
        month_secretaries(township_ids=township_ids, year=year, month=month),
    )
    return villages, statuses, inputs


@dataclass(frozen=True)
class Inputs:
    """What a month's scoring reads, for the villages of the townships being scored."""

    reports: dict
    derived: dict  # {code: {village id: value}}
    secretaries: dict

    def value(self, code, village_id):
        return metric_value(code, village_id, report_values=self.reports.get(village_id), derived=self.derived)


def _missing(code):
    metric = METRICS.get(code)
    if metric is None or metric.source == "report":
        return _("报表未填此项，计 0 分。")
    return _("无%(origin)s结果，计 0 分。") % {"origin": metric.origin}


def score_township(target, scheme, indicators, scored, inputs):
    """The item rows of one village target for the scored villages of one township."""
    # A secretary is rated only where one held the post this month.
    rated = [v for v in scored if target != Target.VILLAGE_SECRETARY or v in inputs.secretaries]
    rows = score_units(indicators[target], rated, inputs.value)
    return [
        {
            "target": target,
            "scheme": scheme.pk,
            "village": village_id,
            "person": inputs.secretaries.get(village_id),
            "items": items,
        }
        for village_id, items in rows.items()
    ]


def score_units(leaves, units, value_of):
    """{unit: item rows} of one scheme's leaf indicators for some units of one field (a township's
    villages, or a county's townships): each indicator scored by the pure rules from
    ``value_of(metric, unit)``; rank indicators compare the units given with each other. The total
    is made once, in finalize, after the recorded overrides are applied."""
    ranked = {
        indicator.pk: scoring.rank_points(
            indicator.max_points, indicator.params, {u: value_of(indicator.metric, u) for u in units}
        )
        for indicator in leaves
        if indicator.method == scoring.Method.RANK
    }
    rows = {}
    for unit in units:
        items = []
        for indicator in leaves:
            value = None
            if indicator.method == scoring.Method.MANUAL:
                points = scoring.Points(Decimal("0.00"), _("待评分人评定（人工评分项）。"))
            elif indicator.method == scoring.Method.RANK:
                value = value_of(indicator.metric, unit)
                points = ranked[indicator.pk][unit]
            else:
                value = value_of(indicator.metric, unit)
                if value is None:
                    points = scoring.Points(Decimal("0.00"), _missing(indicator.metric))
                else:
                    points = scoring.score(indicator.method, indicator.max_points, indicator.params, value)
            items.append([indicator.pk, value, str(points.points), points.explanation, points.veto])
        rows[unit] = items
    return rows


def score_townships(*, run, conf):
    """The township target's rows for a monthly run's county and month, scored after its villages'
    scores are written (in the same transaction): the township scheme's indicators read township
    metrics (``metrics/township.py``) for every township with a scored village this month; a
    township without one has no data and no score. The month keeps the township scheme version
    it was first scored with, as the villages' do. Reported township metrics come from each
    township's own approved report (乡镇本级月报); without one they are missing (0 points, said so).
    Rows as ``score_township``'s, with ``township``."""
    used = Scheme.objects.filter(
        pk__in=Score.objects.filter(
            target=Target.TOWNSHIP,
            township__county_id=run.county_id,
            period_kind=PeriodKind.MONTH,
            year=run.year,
            period=run.period,
        ).values("scheme_id")
    ).first()
    scheme = used or active_schemes(county_id=run.county_id, year=run.year).get(Target.TOWNSHIP)
    if scheme is None:
        return []
    return township_rows(scheme, county_id=run.county_id, year=run.year, month=run.period, conf=conf)


def township_rows(scheme, *, county_id, year, month, conf):
    """The rows of a township scheme for a county's month, from the villages' stored scores and the
    townships' own reports (``score_townships``; the what-if scores a draft scheme with it too)."""
    key = {"township__county_id": county_id, "period_kind": PeriodKind.MONTH, "year": year, "period": month}
    township_ids = sorted(set(Score.objects.filter(village__isnull=False, **key).values_list("township_id", flat=True)))
    if not township_ids:
        return []
    leaves = [i for i in scheme.indicators.all() if i.method]
    period = MetricPeriod(township_ids=township_ids, year=year, month=month, conf=conf)
    derived = read_derived(period, {i.metric for i in leaves if i.metric})
    reports = township_reports(township_ids=township_ids, year=year, month=month)
    secretaries = month_secretaries(township_ids=township_ids, year=year, month=month, post=PostKind.PARTY_SECRETARY)

    def value_of(code, township_id):
        return metric_value(code, township_id, report_values=reports.get(township_id), derived=derived)

    return [
        {
            "target": Target.TOWNSHIP,
            "scheme": scheme.pk,
            "village": None,
            "township": township_id,
            "person": secretaries.get(township_id),
            "items": items,
        }
        for township_id, items in score_units(leaves, township_ids, value_of).items()
    ]


def township_reports(*, township_ids, year, month):
    """{township id: values} of the townships' own approved reports for the month (one query)."""
    return dict(
        MonthlyReport.objects.filter(
            township_id__in=township_ids,
            village__isnull=True,
            year=year,
            month=month,
            status=ReportStatus.APPROVED,
        ).values_list("township_id", "values")
    )
