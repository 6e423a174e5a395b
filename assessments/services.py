"""Writes for the 千分制: schemes, monthly reports, scoring runs, overrides, ratings, sign-offs.

Scoring is split per township (``ScoringChunk``): each chunk reads its
township's reports and derived metrics in a fixed number of queries, scores
every village with the pure rules of assessments.scoring, and stores the
result on the chunk. The run's finalize step writes every score of the county
in one transaction (upserts under unique constraints) and ranks them, so a
failed run leaves the previous scores standing and a re-run replaces, never
duplicates.
"""

import datetime
import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.models import Township
from townships.services import audit_record
from villages.models import Village

from . import scoring
from .choices import (
    Category,
    PeriodKind,
    RemovalState,
    ReportStatus,
    RunKind,
    RunStatus,
    SchemeStatus,
    Target,
)
from .metrics import METRICS, REPORTED_CODES, parse_reported
from .models import (
    AnnualRating,
    Indicator,
    MonthlyReport,
    PeriodLock,
    RemovalFlag,
    ReportCorrection,
    Scheme,
    Score,
    ScoreItem,
    ScoringChunk,
    ScoringRun,
    VoteResult,
)
from .selectors import current_secretaries, derived_metrics


def chunk_lease():
    """A chunk "running" this long without finishing is presumed dead (its worker was killed)
    and may be claimed again; chunks take seconds, the lease is minutes (SCORING_CHUNK_LEASE_SECONDS)."""
    return datetime.timedelta(seconds=settings.SCORING_CHUNK_LEASE_SECONDS)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Schemes ----------------------------------------------------------------


def scheme_problems(scheme, indicators=None):
    """Everything wrong with a scheme, as Chinese sentences (empty when it can be used)."""
    indicators = list(indicators if indicators is not None else scheme.indicators.all())
    problems = []
    leaves = [i for i in indicators if i.method]
    for indicator in leaves:
        try:
            scoring.validate_parameters(indicator.method, indicator.max_points, indicator.params or {})
        except scoring.ParameterError as exc:
            problems.append(f"{indicator.code} {indicator.name}：{exc}")
        if indicator.method != scoring.Method.MANUAL and indicator.metric not in METRICS:
            problems.append(
                _("%(code)s %(name)s：数据指标“%(m)s”不存在。")
                % {"code": indicator.code, "name": indicator.name, "m": indicator.metric}
            )
    total = sum((i.max_points for i in leaves if not i.is_bonus), Decimal(0))
    if total != scheme.full_marks:
        problems.append(
            _("各项分值合计 %(total)s 分，与满分 %(full)s 分不符。")
            % {"total": scoring._fmt(total), "full": scoring._fmt(scheme.full_marks)}
        )
    return problems


def _require_editable(scheme):
    if scheme.status == SchemeStatus.LOCKED:
        raise ValidationError(_("该方案已用于已关账的月份，不能修改；请“生成新版本”后修改。"))


@transaction.atomic
def indicator_save(*, actor, scheme, indicator=None, request=None, **data):
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _require_editable(scheme)
    indicator = indicator or Indicator(scheme=scheme)
    for field, value in data.items():
        setattr(indicator, field, value)
    if indicator.method:
        try:
            scoring.validate_parameters(indicator.method, indicator.max_points, indicator.params or {})
        except scoring.ParameterError as exc:
            raise ValidationError({"params": str(exc)}) from None
        if indicator.method != scoring.Method.MANUAL and indicator.metric not in METRICS:
            raise ValidationError({"metric": _("数据指标“%(m)s”不存在。") % {"m": indicator.metric}})
    indicator.full_clean()
    indicator.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=scheme, detail={"indicator": indicator.code}, request=request
    )
    if scheme.status == SchemeStatus.ACTIVE and scheme_problems(scheme):
        # An active scheme must stay usable: refuse a change that breaks it.
        raise ValidationError(" ".join(scheme_problems(scheme)))
    return indicator


@transaction.atomic
def scheme_activate(*, actor, scheme, request=None):
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError(problems)
    _require_editable(scheme)
    Scheme.objects.filter(
        county=scheme.county, year=scheme.year, target=scheme.target, status=SchemeStatus.ACTIVE
    ).exclude(pk=scheme.pk).update(status=SchemeStatus.DRAFT)
    scheme.status = SchemeStatus.ACTIVE
    scheme.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AuditAction.APPROVE, target=scheme, detail={"activated": True}, request=request)
    return scheme


@transaction.atomic
def scheme_copy(*, actor, scheme, year=None, request=None):
    """Copy a scheme as a draft: for next year, or as the next version of a locked one."""
    year = year or scheme.year
    version = 1 + max(
        Scheme.objects.filter(county=scheme.county, year=year, target=scheme.target).values_list("version", flat=True),
        default=0,
    )
    copy = Scheme.objects.create(
        county=scheme.county,
        year=year,
        target=scheme.target,
        version=version,
        name=scheme.name.replace(str(scheme.year), str(year)),
        full_marks=scheme.full_marks,
        bonus_cap=scheme.bonus_cap,
        based_on=scheme,
    )
    mapping = {}
    for indicator in scheme.indicators.order_by("parent_id", "position", "pk"):
        old_pk, old_parent = indicator.pk, indicator.parent_id
        indicator.pk = None
        indicator.scheme = copy
        indicator.parent_id = mapping.get(old_parent)
        indicator.save()
        mapping[old_pk] = indicator.pk
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=copy, detail={"copied_from": scheme.pk}, request=request
    )
    return copy


def active_schemes(*, county_id, year):
    return {
        s.target: s
        for s in Scheme.objects.filter(
            county_id=county_id, year=year, status__in=[SchemeStatus.ACTIVE, SchemeStatus.LOCKED]
        ).order_by("version")
    }


# --- Monthly reports --------------------------------------------------------


def period_is_closed(county_id, year, month):
    return PeriodLock.objects.filter(county_id=county_id, year=year, month=month).exists()


def _deadline(county_id, year, month):
    day = settings_for(county_id)["report.deadline_day"]
    next_month = month % 12 + 1
    return datetime.date(year + (month == 12), next_month, day)


def clean_report_values(raw):
    values, errors = {}, {}
    for code in REPORTED_CODES:
        try:
            value = parse_reported(code, raw.get(code))
        except ValueError as exc:
            errors[code] = str(exc)
            continue
        if value is not None:
            values[code] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def report_save(*, actor, village, year, month, values, request=None):
    """Create or update a draft (or returned) report; approved reports are locked."""
    if period_is_closed(village.township.county_id, year, month):
        raise ValidationError(_("%(y)s年%(m)s月已关账，不能再填报。") % {"y": year, "m": month})
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError(_("不能填报未来月份。"))
    cleaned = clean_report_values(values)
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(
        village=village, year=year, month=month, defaults={"township_id": village.township_id}
    )
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError(_("该报表已报送或已审核，不能再修改；如需更正请联系县委组织部。"))
    report.values = cleaned
    report.save()
    return report


@transaction.atomic
def report_submit(*, actor, report, request=None):
    report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("只有草稿或退回的报表可以报送。"))
    missing = [str(METRICS[c].label) for c in REPORTED_CODES if c not in report.values]
    if missing:
        raise ValidationError(
            _("还有未填写的项目：%(m)s。") % {"m": "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")}
        )
    now = timezone.now()
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, now, _actor(actor)
    report.is_late = timezone.localdate(now) > _deadline(report.township.county_id, report.year, report.month)
    report.mismatches = _mismatches(report)
    report.save()
    return report


def _mismatches(report):
    """Where a reported value can be compared with the records, note the difference for the reviewer."""
    values, _staffed, _appraised = derived_metrics(
        township_id=report.township_id,
        year=report.year,
        month=report.month,
        conf=settings_for(report.township.county_id),
    )
    found = []
    for code, reported in report.values.items():
        other = METRICS[code].compare_with
        if other:
            recorded = values.get(report.village_id, {}).get(other, 0)
            if Decimal(str(reported)) != Decimal(str(recorded)):
                found.append({"metric": code, "reported": reported, "recorded": recorded})
    return found


@transaction.atomic
def report_review(*, actor, report, approve, reason="", request=None):
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有已报送的报表可以审核。"))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("退回须说明原因。")})
    report.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    report.return_reason = "" if approve else reason.strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), _actor(actor)
    report.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=report,
        detail={"approved": approve, "reason": report.return_reason},
        request=request,
    )
    if approve:
        county_id = report.township.county_id
        pending = MonthlyReport.objects.filter(
            township__county_id=county_id, year=report.year, month=report.month
        ).exclude(status=ReportStatus.APPROVED)
        villages = Village.objects.filter(township__county_id=county_id, is_active=True).count()
        approved = MonthlyReport.objects.filter(
            township__county_id=county_id, year=report.year, month=report.month, status=ReportStatus.APPROVED
        ).count()
        if not pending.exists() and approved >= villages:
            # The month is complete: score it once the approval has committed.
            transaction.on_commit(
                lambda: _start_if_idle(county_id=county_id, year=report.year, month=report.month, actor=actor)
            )
    return report


def _start_if_idle(*, county_id, year, month, actor):
    try:
        scoring_run_start(actor=actor, county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month)
    except ValidationError:
        pass  # a run for this month is already queued or running


@transaction.atomic
def report_correct(*, actor, report, metric, value, reason, request=None):
    """A county correction of an approved (locked) report: recorded with its reason."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("更正须说明原因。")})
    if metric not in REPORTED_CODES:
        raise ValidationError({"metric": _("没有这个填报项目。")})
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("只有已审核的报表需要更正；未审核的请退回由乡镇修改。"))
    try:
        new_value = parse_reported(metric, value)
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    old = report.values.get(metric)
    report.values = {**report.values, metric: new_value}
    report.save(update_fields=["values", "updated_at"])
    ReportCorrection.objects.create(
        report=report,
        metric=metric,
        old_value=old,
        new_value=new_value,
        reason=reason.strip(),
        corrected_by=_actor(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=report,
        detail={"metric": metric, "old": old, "new": new_value, "reason": reason.strip()},
        request=request,
    )
    return report


@transaction.atomic
def period_close(*, actor, county, year, month, request=None):
    """关账: lock the month; the schemes used for it become locked (changes go into a new version)."""
    lock, created = PeriodLock.objects.get_or_create(
        county=county, year=year, month=month, defaults={"closed_by": _actor(actor)}
    )
    if not created:
        raise ValidationError(_("该月已关账。"))
    used = Score.objects.filter(township__county=county, period_kind=PeriodKind.MONTH, year=year, period=month).values(
        "scheme_id"
    )
    Scheme.objects.filter(pk__in=used).update(status=SchemeStatus.LOCKED)
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=county,
        detail={"closed": f"{year}-{month:02d}"},
        request=request,
    )
    return lock


# --- Scoring runs -----------------------------------------------------------


def scoring_run_start(*, actor, county_id, kind, year, period=0, request=None, enqueue=True):
    """Queue a run: one chunk per township; the work starts after this transaction commits."""
    from .tasks import run_scoring

    if kind == RunKind.MONTHLY and period_is_closed(county_id, year, period):
        raise ValidationError(_("%(y)s年%(m)s月已关账，分数只能通过人工调整更改。") % {"y": year, "m": period})
    schemes = active_schemes(county_id=county_id, year=year)
    if not schemes and kind != RunKind.QUARTERLY:
        raise ValidationError(_("%(y)s 年没有启用的考核方案。") % {"y": year})
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(
                county_id=county_id, kind=kind, year=year, period=period, requested_by=_actor(actor)
            )
            townships = list(Township.objects.filter(county_id=county_id, is_active=True).values_list("pk", flat=True))
            if kind == RunKind.MONTHLY:
                ScoringChunk.objects.bulk_create([ScoringChunk(run=run, township_id=t) for t in townships])
                run.chunks_total = len(townships)
                run.save(update_fields=["chunks_total"])
            audit_record(actor=actor, action=AuditAction.CREATE, target=run, detail={"kind": kind}, request=request)
    except IntegrityError:
        raise ValidationError(_("该期间已有正在排队或计算中的评分批次。")) from None
    if enqueue:
        transaction.on_commit(lambda: run_scoring.delay(run.pk))
    return run


def run_claim(run_id):
    """Compare-and-swap pending → running: only one worker (or message) gets the run."""
    return ScoringRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )


def chunk_claim(chunk_id):
    now = timezone.now()
    return (
        ScoringChunk.objects.filter(pk=chunk_id)
        .filter(Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, claimed_at__lt=now - chunk_lease()))
        .update(status=RunStatus.RUNNING, claimed_at=now)
    )


def _value_of(code, report_values, derived, staffed, appraised, village_id):
    if code == "secretary_vacant":
        return int(village_id not in staffed)
    if code == "appraisal_done":
        return int(village_id in appraised)
    if METRICS[code].source == "report":
        return (report_values or {}).get(code)
    return derived.get(village_id, {}).get(code, 0)


def score_chunk_compute(chunk_id):
    """Score every village of one township for the run's month; store the result on the chunk."""
    chunk = ScoringChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    pause = getattr(settings, "SCORING_CHUNK_PAUSE", 0)
    if pause:
        time.sleep(pause)  # failure drills only: widens the window in which a worker can be killed
    conf = settings_for(run.county_id)
    schemes = active_schemes(county_id=run.county_id, year=run.year)
    indicators = {target: [i for i in scheme.indicators.all() if i.method] for target, scheme in schemes.items()}
    villages = list(Village.objects.filter(township_id=chunk.township_id, is_active=True).values_list("pk", flat=True))
    reports = dict(
        MonthlyReport.objects.filter(
            township_id=chunk.township_id, year=run.year, month=run.period, status=ReportStatus.APPROVED
        ).values_list("village_id", "values")
    )
    derived, staffed, appraised = derived_metrics(
        township_id=chunk.township_id, year=run.year, month=run.period, conf=conf
    )
    month_end = (
        datetime.date(run.year, run.period % 12 + 1, 1) - datetime.timedelta(days=1)
        if run.period < 12
        else datetime.date(run.year, 12, 31)
    )
    secretaries = current_secretaries(township_id=chunk.township_id, on=month_end)
    result = []
    for target, scheme in schemes.items():
        leaves = indicators[target]
        # Rank indicators compare the township's villages with each other.
        ranked = {}
        for indicator in leaves:
            if indicator.method == scoring.Method.RANK:
                ranked[indicator.pk] = scoring.rank_points(
                    indicator.max_points,
                    indicator.params,
                    {v: _value_of(indicator.metric, reports.get(v), derived, staffed, appraised, v) for v in villages},
                )
        for village_id in villages:
            if target == Target.VILLAGE_SECRETARY and village_id not in secretaries:
                continue  # no secretary in office to rate this month
            items, by_category, veto = [], {}, False
            bonus_points = []
            for indicator in leaves:
                value = None
                if indicator.method == scoring.Method.MANUAL:
                    points = scoring.Points(scoring._q(0), _("待评分人评定（人工评分项）。"))
                elif indicator.method == scoring.Method.RANK:
                    value = _value_of(
                        indicator.metric, reports.get(village_id), derived, staffed, appraised, village_id
                    )
                    points = ranked[indicator.pk][village_id]
                else:
                    value = _value_of(
                        indicator.metric, reports.get(village_id), derived, staffed, appraised, village_id
                    )
                    if value is None:
                        points = scoring.Points(scoring._q(0), _("本月报表未审核或未填报此项，暂计 0 分。"))
                    else:
                        points = scoring.score(indicator.method, indicator.max_points, indicator.params, value)
                veto = veto or points.veto
                if indicator.is_bonus:
                    bonus_points.append(points.points)
                else:
                    by_category[indicator.category] = by_category.get(indicator.category, Decimal(0)) + points.points
                items.append([indicator.pk, value, str(points.points), points.explanation, points.veto])
            bonus = scoring.cap_bonus(bonus_points, scheme.bonus_cap)
            total = sum(by_category.values(), Decimal(0)) + bonus
            result.append(
                {
                    "target": target,
                    "scheme": scheme.pk,
                    "village": village_id,
                    "person": secretaries.get(village_id),
                    "total": str(total),
                    "bonus": str(bonus),
                    "by_category": {k: str(v) for k, v in by_category.items()},
                    "veto": veto,
                    "items": items,
                }
            )
    with transaction.atomic():
        updated = ScoringChunk.objects.filter(pk=chunk.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.SUCCEEDED, result=result, finished_at=timezone.now(), targets_scored=len(result)
        )
    return updated


def chunk_fail(chunk_id, error):
    chunk = ScoringChunk.objects.get(pk=chunk_id)
    ScoringChunk.objects.filter(pk=chunk_id).update(
        status=RunStatus.FAILED, error=error[-2000:], finished_at=timezone.now()
    )
    run_fail(chunk.run_id, _("乡镇分块计算失败：%(e)s") % {"e": error[-1500:]})


def run_fail(run_id, error):
    ScoringRun.objects.filter(pk=run_id, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, error=error[-4000:], finished_at=timezone.now()
    )


# Scores are written in batches so one county's finalize stays a few dozen statements.
WRITE_BATCH = 1000


@transaction.atomic
def run_finalize(run_id):
    """Write every chunk's scores in one transaction, keep recorded overrides, rank, finish the run."""
    run = ScoringRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return 0
    chunks = list(ScoringChunk.objects.filter(run=run))
    if any(c.status != RunStatus.SUCCEEDED for c in chunks):
        return 0  # not all chunks are done yet (the sweeper will come back)
    now = timezone.now()
    rows = [row for chunk in chunks for row in chunk.result]
    township_of = dict(Village.objects.filter(township__county_id=run.county_id).values_list("pk", "township_id"))
    key = {"period_kind": PeriodKind.MONTH, "year": run.year, "period": run.period}
    existing = Score.objects.filter(township__county_id=run.county_id, **key)
    overrides = {
        (item.score.target, item.score.village_id, item.indicator_id): item
        for item in ScoreItem.objects.filter(score__in=existing, override_points__isnull=False).select_related("score")
    }
    scores = [
        Score(
            target=row["target"],
            village_id=row["village"],
            person_id=row["person"],
            township_id=township_of[row["village"]],
            scheme_id=row["scheme"],
            total=Decimal(row["total"]),
            by_category=row["by_category"],
            veto=row["veto"],
            run=run,
            computed_at=now,
            updated_at=now,
            **key,
        )
        for row in rows
    ]
    Score.objects.bulk_create(
        scores,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["target", "village", "period_kind", "year", "period"],
        update_fields=[
            "person",
            "township",
            "scheme",
            "total",
            "by_category",
            "veto",
            "run",
            "computed_at",
            "updated_at",
        ],
    )
    saved = {(s.target, s.village_id): s for s in Score.objects.filter(run=run, **key)}
    existing.exclude(run=run).delete()  # villages no longer scored (deactivated, no secretary)
    ScoreItem.objects.filter(score__in=saved.values()).delete()
    items = []
    adjusted = {}
    for row in rows:
        score = saved[(row["target"], row["village"])]
        for indicator_id, value, points, explanation, veto in row["items"]:
            item = ScoreItem(
                score=score,
                indicator_id=indicator_id,
                metric_value=value,
                points=Decimal(points),
                explanation=explanation,
                veto=veto,
            )
            kept = overrides.get((row["target"], row["village"], indicator_id))
            if kept is not None:
                item.override_points, item.override_reason = kept.override_points, kept.override_reason
                item.overridden_by_id, item.overridden_at = kept.overridden_by_id, kept.overridden_at
                adjusted[score.pk] = adjusted.get(score.pk, Decimal(0)) + kept.override_points - Decimal(points)
            items.append(item)
    ScoreItem.objects.bulk_create(items, batch_size=WRITE_BATCH)
    for score_pk, delta in adjusted.items():
        Score.objects.filter(pk=score_pk).update(total=F("total") + delta, updated_at=now)
    rank_scores(county_id=run.county_id, **key)
    ScoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(), chunks_done=len(chunks), targets_scored=len(rows)
    )
    return len(rows)


def rank_scores(*, county_id, period_kind, year, period):
    """Ranks within the township and the county, per target (competition ranking: ties share)."""
    rows = list(
        Score.objects.filter(township__county_id=county_id, period_kind=period_kind, year=year, period=period)
        .order_by("target", "-total")
        .values_list("pk", "target", "township_id", "total")
    )
    updates = []
    county_rank, township_rank = {}, {}
    previous = {}
    for pk, target, township_id, total in rows:
        for scope, store in (((target,), county_rank), ((target, township_id), township_rank)):
            count, last_total, last_rank = store.get(scope, (0, None, 0))
            count += 1
            rank = last_rank if total == last_total else count
            store[scope] = (count, total, rank)
            previous.setdefault(pk, {})[len(scope)] = rank
        updates.append(Score(pk=pk, rank_in_county=previous[pk][1], rank_in_township=previous[pk][2]))
    Score.objects.bulk_update(updates, ["rank_in_county", "rank_in_township"], batch_size=WRITE_BATCH)


def sweep_runs():
    """Re-enqueue what a killed worker left behind: stale chunks and runs whose chunks are all done."""
    from .tasks import finalize_run, score_chunk

    requeued = 0
    for run in ScoringRun.objects.filter(status=RunStatus.RUNNING, kind=RunKind.MONTHLY):
        chunks = list(run.chunks.all())
        stale = [
            c
            for c in chunks
            if c.status == RunStatus.PENDING
            or (c.status == RunStatus.RUNNING and c.claimed_at and c.claimed_at < timezone.now() - chunk_lease())
        ]
        for chunk in stale:
            score_chunk.delay(chunk.pk)
            requeued += 1
        if chunks and all(c.status == RunStatus.SUCCEEDED for c in chunks):
            finalize_run.delay(None, run.pk)
            requeued += 1
    for run in ScoringRun.objects.filter(status=RunStatus.PENDING, created_at__lt=timezone.now() - chunk_lease()):
        from .tasks import run_scoring

        run_scoring.delay(run.pk)
        requeued += 1
    return requeued


# --- Overrides, annual rating, removal rule, bulletins ----------------------


@transaction.atomic
def score_override(*, actor, item, points, reason, request=None):
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("人工调整须说明理由。")})
    item = ScoreItem.objects.select_for_update().select_related("indicator", "score").get(pk=item.pk)
    points = Decimal(str(points))
    if points < 0 or points > item.indicator.max_points:
        raise ValidationError(
            {"points": _("调整后得分须在 0 到 %(max)s 分之间。") % {"max": scoring._fmt(item.indicator.max_points)}}
        )
    old = item.effective_points
    item.override_points, item.override_reason = points, reason.strip()
    item.overridden_by, item.overridden_at = _actor(actor), timezone.now()
    item.save()
    score = item.score
    Score.objects.filter(pk=score.pk).update(total=F("total") + (points - old), updated_at=timezone.now())
    score.refresh_from_db()
    rank_scores(county_id=score.township.county_id, period_kind=score.period_kind, year=score.year, period=score.period)
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=score,
        detail={"indicator": item.indicator.code, "old": str(old), "new": str(points), "reason": item.override_reason},
        request=request,
    )
    return item


@transaction.atomic
def annual_rating_compute(*, county_id, year, run=None):
    """Rate every village secretary of the year and apply the removal rule (flags await a sign-off)."""
    conf = settings_for(county_id)
    monthly = (
        Score.objects.filter(
            township__county_id=county_id, year=year, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY
        )
        .values_list("village_id", "person_id", "township_id", "period", "total", "veto")
        .order_by("village_id", "period")
    )
    by_village = {}
    for village_id, person_id, township_id, period, total, veto in monthly:
        row = by_village.setdefault(
            village_id, {"person": person_id, "township": township_id, "totals": [], "veto": False, "last": 0}
        )
        row["totals"].append(total)
        row["veto"] = row["veto"] or veto
        if period >= row["last"]:
            row["person"], row["last"] = person_id, period  # the secretary in office at year end is rated
    votes = {v.village_id: v for v in VoteResult.objects.filter(township__county_id=county_id, year=year)}
    weights = (conf["annual.weight_daily"], conf["annual.weight_concentrated"], conf["annual.weight_vote"])
    inputs, totals = [], {}
    for village_id, row in by_village.items():
        daily = sum(row["totals"], Decimal(0)) / len(row["totals"])
        december = list(row["totals"])[-1]  # the year-end concentrated assessment reads the last month's full scheme
        vote = votes.get(village_id)
        total = scoring.combine_annual(
            daily=daily, concentrated=december, vote=vote.score if vote else daily, weights=weights
        )
        totals[village_id] = (daily, december, vote, total)
        inputs.append(
            scoring.GradeInput(
                target=village_id,
                total=total,
                veto=row["veto"],
                incompetent_vote_share=vote.incompetent_share if vote else Decimal(0),
            )
        )
    grades = scoring.assign_grades(
        inputs,
        bands=(conf["grade.excellent_min"], conf["grade.competent_min"], conf["grade.basic_min"]),
        excellent_quota=Decimal(str(conf["grade.excellent_quota"])),
        incompetent_vote_share=Decimal(str(conf["grade.incompetent_vote_share"])),
    )
    ranked = sorted(totals.items(), key=lambda kv: kv[1][3], reverse=True)
    rank_of = {village_id: index for index, (village_id, _v) in enumerate(ranked, start=1)}
    ratings = [
        AnnualRating(
            person_id=by_village[v]["person"],
            village_id=v,
            township_id=by_village[v]["township"],
            year=year,
            daily=scoring._q(daily),
            concentrated=scoring._q(december),
            vote=vote.score if vote else None,
            incompetent_vote_share=vote.incompetent_share if vote else 0,
            total=total,
            grade=grades[v].grade,
            reason=grades[v].reason[:300],
            rank_in_county=rank_of[v],
            run=run,
        )
        for v, (daily, december, vote, total) in totals.items()
    ]
    AnnualRating.objects.bulk_create(
        ratings,
        update_conflicts=True,
        unique_fields=["village", "year"],
        update_fields=[
            "person",
            "township",
            "daily",
            "concentrated",
            "vote",
            "incompetent_vote_share",
            "total",
            "grade",
            "reason",
            "rank_in_county",
            "run",
        ],
    )
    removal_rule_apply(county_id=county_id, year=year)
    return len(ratings)


def removal_rule_apply(*, county_id, year):
    """The rule follows the person across villages: all their ratings, oldest first."""
    conf = settings_for(county_id)
    people = set(
        AnnualRating.objects.filter(township__county_id=county_id, year=year).values_list("person_id", flat=True)
    )
    history = {}
    for person_id, _rating_year, grade in (
        AnnualRating.objects.filter(person_id__in=people)
        .order_by("person_id", "year")
        .values_list("person_id", "year", "grade")
    ):
        history.setdefault(person_id, []).append(grade)
    township_of = dict(
        AnnualRating.objects.filter(township__county_id=county_id, year=year).values_list("person_id", "township_id")
    )
    flags = []
    for person_id, grades in history.items():
        status = scoring.removal_status(grades, consecutive=conf["removal.consecutive"], total=conf["removal.total"])
        if status.flagged or status.watch:
            flags.append(
                RemovalFlag(
                    person_id=person_id,
                    township_id=township_of[person_id],
                    year=year,
                    state=RemovalState.FLAGGED if status.flagged else RemovalState.WATCH,
                    incompetent_count=status.incompetent_count,
                    reason=status.reason,
                )
            )
    RemovalFlag.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=True).exclude(
        person_id__in=[f.person_id for f in flags]
    ).delete()
    RemovalFlag.objects.bulk_create(
        flags,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=["township", "state", "incompetent_count", "reason"],
    )
    return len(flags)


@transaction.atomic
def removal_sign_off(*, actor, flag, request=None):
    """A named county user makes the decision the rule suggested."""
    flag = RemovalFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.signed_off_by_id:
        raise ValidationError(_("已经审定。"))
    flag.signed_off_by, flag.signed_off_at = _actor(actor), timezone.now()
    flag.save(update_fields=["signed_off_by", "signed_off_at"])
    audit_record(actor=actor, action=AuditAction.APPROVE, target=flag, detail={"state": flag.state}, request=request)
    return flag


def bulletin_compute(*, county_id, year, quarter, run=None):
    """季度通报: quarter totals, ranks in the township and county, movers, lagging categories."""
    from .models import Bulletin

    months = [3 * (quarter - 1) + m for m in (1, 2, 3)]
    rows = list(
        Score.objects.filter(
            township__county_id=county_id,
            target=Target.VILLAGE,
            period_kind=PeriodKind.MONTH,
            year=year,
            period__in=months,
        ).values_list("village_id", "village__name", "township__name", "period", "total", "by_category")
    )
    villages = {}
    for village_id, name, township, period, total, by_category in rows:
        entry = villages.setdefault(village_id, {"village": name, "township": township, "totals": {}, "categories": {}})
        entry["totals"][period] = float(total)
        for category, points in by_category.items():
            entry["categories"][category] = entry["categories"].get(category, 0) + float(points)
    table = []
    for village_id, entry in villages.items():
        n = len(entry["totals"])
        table.append(
            {
                "village_id": village_id,
                "village": entry["village"],
                "township": entry["township"],
                "average": round(sum(entry["totals"].values()) / n, 2),
                "first": entry["totals"][min(entry["totals"])],
                "last": entry["totals"][max(entry["totals"])],
                "categories": {k: round(v / n, 2) for k, v in entry["categories"].items()},
            }
        )
    table.sort(key=lambda r: r["average"], reverse=True)
    by_township = {}
    for index, row in enumerate(table, start=1):
        row["rank_in_county"] = index
        by_township.setdefault(row["township"], []).append(row)
        row["rank_in_township"] = len(by_township[row["township"]])
        row["change"] = round(row["last"] - row["first"], 2)
    averages = {c.value: 0.0 for c in Category}
    for row in table:
        for category, points in row["categories"].items():
            averages[category] = averages.get(category, 0) + points / max(1, len(table))
    data = {
        "rows": table,
        "up": sorted(table, key=lambda r: r["change"], reverse=True)[:5],
        "down": sorted(table, key=lambda r: r["change"])[:5],
        "category_averages": {k: round(v, 2) for k, v in averages.items()},
    }
    bulletin, _created = Bulletin.objects.update_or_create(
        county_id=county_id, year=year, quarter=quarter, defaults={"data": data, "run": run}
    )
    return bulletin


def run_synchronously(run):
    """Do a queued run in this process (management commands, the demo loader): same steps as the tasks."""
    from .tasks import finalize_run, run_scoring, score_chunk

    if run.kind != RunKind.MONTHLY:
        return run_scoring.apply(args=[run.pk]).get()
    if not run_claim(run.pk):
        raise ValidationError(_("该批次已被其他进程领取。"))
    for chunk_id in run.chunks.values_list("pk", flat=True):
        score_chunk.apply(args=[chunk_id]).get()
    return finalize_run.apply(args=[None, run.pk]).get()


@transaction.atomic
def annual_ratings_sign_off(*, actor, county_id, year, request=None):
    """The year's grades (the 优秀 commendation list with them) take effect when a named county user signs."""
    ratings = AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=True)
    count = ratings.update(signed_off_by=_actor(actor), signed_off_at=timezone.now())
    if not count:
        raise ValidationError(_("该年度没有待审定的评定结果。"))
    excellent = AnnualRating.objects.filter(township__county_id=county_id, year=year, grade="excellent").count()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=Township.objects.filter(county_id=county_id).first(),
        detail={"annual_ratings": year, "signed": count, "excellent": excellent},
        request=request,
    )
    return count
