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
from django.db.models import Q
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
    Grade,
    PeriodKind,
    RemovalDecision,
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
from .selectors import derived_metrics, month_secretaries


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
        raise ValidationError(_("该方案已用于评分，不能直接修改；请“生成新版本”，新版本启用后从下一次评分起生效。"))


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
        expected, approved = month_coverage(county_id=county_id, year=report.year, month=report.month)
        scored_before = ScoringRun.objects.filter(
            county_id=county_id, kind=RunKind.MONTHLY, year=report.year, period=report.month
        ).exists()
        if approved >= expected or scored_before:
            # The month is complete, or was already scored without this village (a late report):
            # score it (again) once the approval has committed.
            transaction.on_commit(
                lambda: _start_if_idle(county_id=county_id, year=report.year, month=report.month, actor=actor)
            )
    return report


def _start_if_idle(*, county_id, year, month, actor):
    try:
        scoring_run_start(
            actor=actor, county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month, allow_missing=True
        )
    except ValidationError:
        pass  # a run for this month is already queued or running, or the month is closed


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


def month_coverage(*, county_id, year, month):
    """(active villages, villages with an approved report) for a county's month (one query each)."""
    expected = Village.objects.filter(township__county_id=county_id, is_active=True).count()
    approved = MonthlyReport.objects.filter(
        township__county_id=county_id,
        village__is_active=True,
        year=year,
        month=month,
        status=ReportStatus.APPROVED,
    ).count()
    return expected, approved


def scoring_run_start(*, actor, county_id, kind, year, period=0, request=None, enqueue=True, allow_missing=False):
    """Queue a run: one chunk per township; the work starts after this transaction commits.

    A monthly run with reports still missing is the county's choice (``allow_missing``): the
    villages without an approved report are left out and listed on the run; a month with no
    approved report at all is refused.
    """
    from .tasks import run_scoring

    if kind == RunKind.MONTHLY and not 1 <= int(period) <= 12:
        raise ValidationError({"period": _("月份应在 1 到 12 之间。")})
    if kind == RunKind.QUARTERLY and not 1 <= int(period) <= 4:
        raise ValidationError({"period": _("季度应在 1 到 4 之间。")})
    if kind == RunKind.MONTHLY and period_is_closed(county_id, year, period):
        raise ValidationError(_("%(y)s年%(m)s月已关账，分数只能通过人工调整更改。") % {"y": year, "m": period})
    if kind == RunKind.MONTHLY:
        expected, approved = month_coverage(county_id=county_id, year=year, month=period)
        if not approved:
            raise ValidationError(
                _("%(y)s年%(m)s月还没有已审核的月报，无法评分。") % {"y": year, "m": period}, code="no_reports"
            )
        if approved < expected and not allow_missing:
            raise ValidationError(
                _(
                    "%(y)s年%(m)s月应报 %(e)s 个村（社区），已审核 %(a)s 个，还有 %(n)s 个缺报或待审核。"
                    "确认计算后这些村不计分、不参加排名，补报审核后自动重算。"
                )
                % {"y": year, "m": period, "e": expected, "a": approved, "n": expected - approved},
                code="missing_reports",
            )
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
    """Score every village of one township for the run's month; store the result on the chunk.

    No data, no score (DOMAIN §6): a village without an approved report for the month gets
    no total; it is listed in ``left_out`` with its report's state and takes no part in ranks.
    """
    chunk = ScoringChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
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
    villages = list(
        Village.objects.filter(township_id=chunk.township_id, is_active=True)
        .order_by("sort_key", "name")
        .values_list("pk", "name")
    )
    statuses, reports = {}, {}
    for village_id, status, values in MonthlyReport.objects.filter(
        township_id=chunk.township_id, year=run.year, month=run.period
    ).values_list("village_id", "status", "values"):
        statuses[village_id] = status
        if status == ReportStatus.APPROVED:
            reports[village_id] = values
    left_out = [
        {"village": pk, "name": name, "status": statuses.get(pk, "missing")}
        for pk, name in villages
        if pk not in reports
    ]
    scored = [pk for pk, _name in villages if pk in reports]
    derived, staffed, appraised = derived_metrics(
        township_id=chunk.township_id, year=run.year, month=run.period, conf=conf
    )
    secretaries = month_secretaries(township_id=chunk.township_id, year=run.year, month=run.period)
    result = []
    for target, scheme in schemes.items():
        leaves = indicators[target]
        # A secretary is rated only where one held the post this month.
        rated = [v for v in scored if target != Target.VILLAGE_SECRETARY or v in secretaries]
        # Rank indicators compare the township's rated villages with each other.
        ranked = {
            indicator.pk: scoring.rank_points(
                indicator.max_points,
                indicator.params,
                {v: _value_of(indicator.metric, reports.get(v), derived, staffed, appraised, v) for v in rated},
            )
            for indicator in leaves
            if indicator.method == scoring.Method.RANK
        }
        for village_id in rated:
            items, parts = [], []
            for indicator in leaves:
                value = None
                if indicator.method == scoring.Method.MANUAL:
                    points = scoring.Points(Decimal("0.00"), _("待评分人评定（人工评分项）。"))
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
                        points = scoring.Points(Decimal("0.00"), _("报表未填此项，计 0 分。"))
                    else:
                        points = scoring.score(indicator.method, indicator.max_points, indicator.params, value)
                parts.append(
                    scoring.ItemPoints(
                        category=indicator.category,
                        points=points.points,
                        is_bonus=indicator.is_bonus,
                        veto=points.veto,
                        veto_name=indicator.name,
                        manual_pending=indicator.method == scoring.Method.MANUAL,
                    )
                )
                items.append([indicator.pk, value, str(points.points), points.explanation, points.veto])
            total = scoring.monthly_total(parts, bonus_cap=scheme.bonus_cap)
            result.append(
                {
                    "target": target,
                    "scheme": scheme.pk,
                    "village": village_id,
                    "person": secretaries.get(village_id),
                    "items": items,
                    # For reading only: finalize recomputes the total with the kept overrides.
                    "total": str(total.total),
                }
            )
    with transaction.atomic():
        updated = ScoringChunk.objects.filter(pk=chunk.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.SUCCEEDED,
            result=result,
            left_out=left_out,
            finished_at=timezone.now(),
            targets_scored=len(result),
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


def item_parts(items, indicators):
    """The pure rule's view of stored or computed items: effective points (after overrides)."""
    parts = []
    for indicator_id, points, veto, overridden in items:
        indicator = indicators[indicator_id]
        parts.append(
            scoring.ItemPoints(
                category=indicator.category,
                points=Decimal(points),
                is_bonus=indicator.is_bonus,
                veto=veto,
                veto_name=indicator.name,
                manual_pending=indicator.method == scoring.Method.MANUAL and not overridden,
            )
        )
    return parts


@transaction.atomic
def run_finalize(run_id):
    """Write every chunk's scores in one transaction, keep recorded overrides, rank, finish the run."""
    run = ScoringRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return 0
    chunks = list(ScoringChunk.objects.filter(run=run).select_related("township"))
    if any(c.status != RunStatus.SUCCEEDED for c in chunks):
        return 0  # not all chunks are done yet (the sweeper will come back)
    now = timezone.now()
    rows = [row for chunk in chunks for row in chunk.result]
    left_out = [{**entry, "township": chunk.township.name} for chunk in chunks for entry in chunk.left_out]
    township_of = dict(Village.objects.filter(township__county_id=run.county_id).values_list("pk", "township_id"))
    schemes = {s.pk: s for s in Scheme.objects.filter(pk__in={row["scheme"] for row in rows})}
    indicators = {i.pk: i for i in Indicator.objects.filter(scheme__in=schemes)}
    key = {"period_kind": PeriodKind.MONTH, "year": run.year, "period": run.period}
    existing = Score.objects.filter(township__county_id=run.county_id, **key)
    overrides = {
        (item.score.target, item.score.village_id, item.indicator_id): item
        for item in ScoreItem.objects.filter(score__in=existing, override_points__isnull=False).select_related("score")
    }
    scores = []
    for row in rows:
        effective = []
        for indicator_id, _value, points, _explanation, veto in row["items"]:
            kept = overrides.get((row["target"], row["village"], indicator_id))
            effective.append((indicator_id, kept.override_points if kept else points, veto, kept is not None))
        total = scoring.monthly_total(item_parts(effective, indicators), bonus_cap=schemes[row["scheme"]].bonus_cap)
        scores.append(
            Score(
                target=row["target"],
                village_id=row["village"],
                person_id=row["person"],
                township_id=township_of[row["village"]],
                scheme_id=row["scheme"],
                total=total.total,
                by_category={k: str(v) for k, v in total.by_category.items()},
                veto=total.veto,
                veto_reason=total.veto_reason[:300],
                manual_pending=total.manual_pending,
                run=run,
                computed_at=now,
                updated_at=now,
                **key,
            )
        )
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
            "veto_reason",
            "manual_pending",
            "run",
            "computed_at",
            "updated_at",
        ],
    )
    saved = {(s.target, s.village_id): s for s in Score.objects.filter(run=run, **key)}
    existing.exclude(run=run).delete()  # villages no longer scored (no approved report, deactivated, no secretary)
    ScoreItem.objects.filter(score__in=saved.values()).delete()
    items = []
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
            items.append(item)
    ScoreItem.objects.bulk_create(items, batch_size=WRITE_BATCH)
    rank_scores(county_id=run.county_id, **key)
    # A scheme that has scored a month is never edited in place again: changes go into a new version.
    Scheme.objects.filter(pk__in=schemes, status=SchemeStatus.ACTIVE).update(status=SchemeStatus.LOCKED)
    expected = Village.objects.filter(township__county_id=run.county_id, is_active=True).count()
    ScoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        chunks_done=len(chunks),
        targets_scored=len(rows),
        villages_expected=expected,
        villages_scored=expected - len(left_out),
        left_out=left_out,
    )
    return len(rows)


def rank_scores(*, county_id, period_kind, year, period):
    """Ranks within the township and the county, per target: a vetoed score below every clean one,
    then by total (competition ranking: equal totals share the better rank)."""
    rows = list(
        Score.objects.filter(
            township__county_id=county_id, period_kind=period_kind, year=year, period=period
        ).values_list("pk", "target", "township_id", "total", "veto")
    )
    county, township = {}, {}
    for row in rows:
        county.setdefault(row[1], []).append(row)
        township.setdefault((row[1], row[2]), []).append(row)
    rank_of = {pk: [None, None] for pk, *_rest in rows}
    for slot, groups in ((0, county), (1, township)):
        for members in groups.values():
            ranks = scoring.competition_ranks(members, key=lambda r: scoring.ranking_key(r[3], r[4]))
            for index, rank in ranks.items():
                rank_of[members[index][0]][slot] = rank
    updates = [Score(pk=pk, rank_in_county=c, rank_in_township=t) for pk, (c, t) in rank_of.items()]
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
    """An assessor's entry for a manual indicator, or a recorded override of a computed one."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("人工调整须说明理由。")})
    item = ScoreItem.objects.select_for_update().select_related("indicator", "score").get(pk=item.pk)
    try:
        points = Decimal(str(points))
    except ArithmeticError:
        raise ValidationError({"points": _("请输入数字。")}) from None
    if not points.is_finite() or points < 0 or points > item.indicator.max_points:
        raise ValidationError(
            {"points": _("调整后得分须在 0 到 %(max)s 分之间。") % {"max": scoring._fmt(item.indicator.max_points)}}
        )
    old = item.effective_points
    item.override_points, item.override_reason = points, reason.strip()
    item.overridden_by, item.overridden_at = _actor(actor), timezone.now()
    item.save()
    score = score_retotal(item.score)
    rank_scores(county_id=score.township.county_id, period_kind=score.period_kind, year=score.year, period=score.period)
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=score,
        detail={"indicator": item.indicator.code, "old": str(old), "new": str(points), "reason": item.override_reason},
        request=request,
    )
    return item


def score_retotal(score):
    """Recompute a stored score's total from its items (effective points) with the pure rule."""
    scores_retotal([score.pk])
    return Score.objects.select_related("scheme", "township").get(pk=score.pk)


def scores_retotal(score_ids):
    """Recompute stored totals from their items (effective points), in a fixed number of queries."""
    scores = {s.pk: s for s in Score.objects.filter(pk__in=score_ids).select_related("scheme")}
    rows = {}
    for item in ScoreItem.objects.filter(score_id__in=scores).select_related("indicator"):
        rows.setdefault(item.score_id, []).append(item)
    now = timezone.now()
    for pk, score in scores.items():
        items = rows.get(pk, [])
        total = scoring.monthly_total(
            item_parts(
                [(r.indicator_id, r.effective_points, r.veto, r.override_points is not None) for r in items],
                {r.indicator_id: r.indicator for r in items},
            ),
            bonus_cap=score.scheme.bonus_cap,
        )
        score.total, score.veto, score.veto_reason = total.total, total.veto, total.veto_reason[:300]
        score.by_category = {k: str(v) for k, v in total.by_category.items()}
        score.manual_pending, score.updated_at = total.manual_pending, now
    Score.objects.bulk_update(
        scores.values(),
        ["total", "veto", "veto_reason", "by_category", "manual_pending", "updated_at"],
        batch_size=WRITE_BATCH,
    )


def _scale(vote_score, full_marks):
    """民主测评 is scored out of 1000; put it on the scheme's scale."""
    return Decimal(vote_score) * Decimal(full_marks) / Decimal(1000)


def annual_inputs(*, county_id, year, conf):
    """Each village secretary's year (DOMAIN §6), one entry per person.

    - Only the months the person held the post count (a month's score belongs to the
      person in office, see ``selectors.secretary_days``); a successor inherits nothing.
    - 跨村任职: every village-month the person served counts once in the daily average;
      the year-end concentrated score is the average of their scores in the last month
      they served; the vote is the average of their villages' votes, with the highest
      share of 不称职 votes (one village's verdict is not diluted by another's).
    - Fewer distinct months than ``annual.min_months``: not rated this year.
    - Any vetoed month of their own makes the year vetoed.
    """
    monthly = (
        Score.objects.filter(
            township__county_id=county_id, year=year, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY
        )
        .exclude(person__isnull=True)
        .values_list(
            "person_id",
            "village_id",
            "village__name",
            "township_id",
            "period",
            "total",
            "veto",
            "veto_reason",
            "scheme__full_marks",
        )
        .order_by("person_id", "period", "village_id")
    )
    people = {}
    for person_id, village_id, village_name, township_id, period, total, veto, reason, full_marks in monthly:
        entry = people.setdefault(
            person_id, {"scores": [], "villages": {}, "vetoes": [], "full_marks": full_marks, "last": 0}
        )
        entry["scores"].append((period, total))
        months = entry["villages"].setdefault(village_id, {"name": village_name, "township": township_id, "n": 0})
        months["n"] += 1
        months["last"] = period
        if veto:
            entry["vetoes"].append(f"{reason}（{year}年{period}月，{village_name}）")
        entry["full_marks"] = full_marks  # the scheme in force at the person's last month
    votes = {}
    for person_id, score, share in VoteResult.objects.filter(township__county_id=county_id, year=year).values_list(
        "person_id", "score", "incompetent_share"
    ):
        votes.setdefault(person_id, []).append((score, share))
    result = {}
    for person_id, entry in people.items():
        periods = sorted({p for p, _t in entry["scores"]})
        if len(periods) < conf["annual.min_months"]:
            continue
        last = periods[-1]
        daily = sum((t for _p, t in entry["scores"]), Decimal(0)) / len(entry["scores"])
        closing = [t for p, t in entry["scores"] if p == last]
        concentrated = sum(closing, Decimal(0)) / len(closing)
        own_votes = votes.get(person_id)
        vote = (
            _scale(sum((v for v, _s in own_votes), Decimal(0)) / len(own_votes), entry["full_marks"])
            if own_votes
            else None
        )
        share = max((s for _v, s in own_votes), default=Decimal(0)) if own_votes else Decimal(0)
        main_village, main = max(entry["villages"].items(), key=lambda kv: (kv[1]["n"], kv[1]["last"], -kv[0]))
        result[person_id] = {
            "village": main_village,
            "township": main["township"],
            "villages": [v["name"] for v in entry["villages"].values()],
            "months": len(periods),
            "daily": scoring._q(daily),
            "concentrated": scoring._q(concentrated),
            "vote": scoring._q(vote) if vote is not None else None,
            "share": share,
            "veto": bool(entry["vetoes"]),
            "veto_reason": "；".join(entry["vetoes"]),
            "full_marks": entry["full_marks"],
        }
    return result


@transaction.atomic
def annual_rating_compute(*, county_id, year, run=None):
    """Rate every village secretary of the year and apply the removal rule (flags await a decision).

    Ratings already signed off are left as they were; re-running a year recomputes the rest.
    """
    conf = settings_for(county_id)
    people = annual_inputs(county_id=county_id, year=year, conf=conf)
    weights = (conf["annual.weight_daily"], conf["annual.weight_concentrated"], conf["annual.weight_vote"])
    tie_break = conf["grade.tie_break"].split(",")
    by_township = conf["grade.quota_scope"] == "township"
    inputs, totals = [], {}
    full_marks = max((p["full_marks"] for p in people.values()), default=Decimal(1000))
    for person_id, p in people.items():
        vote = p["vote"] if p["vote"] is not None else p["daily"]
        total = scoring.combine_annual(daily=p["daily"], concentrated=p["concentrated"], vote=vote, weights=weights)
        totals[person_id] = total
        inputs.append(
            scoring.GradeInput(
                target=person_id,
                total=total,
                veto=p["veto"],
                veto_reason=p["veto_reason"],
                incompetent_vote_share=p["share"],
                group=p["township"] if by_township else county_id,
                tie_values=tuple(
                    {"vote": vote, "concentrated": p["concentrated"], "daily": p["daily"]}[c] for c in tie_break
                ),
            )
        )
    grades = scoring.assign_grades(
        inputs,
        full_marks=full_marks,
        bands=(conf["grade.excellent_share"], conf["grade.competent_share"], conf["grade.basic_share"]),
        excellent_quota=Decimal(str(conf["grade.excellent_quota"])),
        incompetent_vote_share=Decimal(str(conf["grade.incompetent_vote_share"])),
        rounding=conf["grade.quota_rounding"],
        min_pool=conf["grade.quota_min_pool"],
    )
    ids = list(people)
    ranks = scoring.competition_ranks(ids, key=lambda pid: scoring.ranking_key(totals[pid], people[pid]["veto"]))
    signed = set(
        AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    ratings = [
        AnnualRating(
            person_id=pid,
            village_id=people[pid]["village"],
            township_id=people[pid]["township"],
            villages=people[pid]["villages"],
            months=people[pid]["months"],
            year=year,
            daily=people[pid]["daily"],
            concentrated=people[pid]["concentrated"],
            vote=people[pid]["vote"],
            incompetent_vote_share=people[pid]["share"],
            total=totals[pid],
            veto=people[pid]["veto"],
            grade=grades[pid].grade,
            reason=grades[pid].reason[:300],
            tie_pending=grades[pid].tie_pending,
            rank_in_county=ranks[index],
            run=run,
        )
        for index, pid in enumerate(ids)
        if pid not in signed
    ]
    AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=True).exclude(
        person_id__in=ids
    ).delete()
    AnnualRating.objects.bulk_create(
        ratings,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=[
            "village",
            "township",
            "villages",
            "months",
            "daily",
            "concentrated",
            "vote",
            "incompetent_vote_share",
            "total",
            "veto",
            "grade",
            "reason",
            "tie_pending",
            "rank_in_county",
            "run",
        ],
    )
    removal_rule_apply(county_id=county_id, year=year)
    return len(ratings)


def removal_rule_apply(*, county_id, year):
    """The removal rule for ``year`` (DOMAIN §6): it follows the person across villages and townships,
    reads only ratings up to ``year``, and counts afresh after each decided flag. Decided flags are
    never touched; undecided ones are recomputed."""
    conf = settings_for(county_id)
    township_of = dict(
        AnnualRating.objects.filter(township__county_id=county_id, year=year).values_list("person_id", "township_id")
    )
    history, decided = {}, {}
    for person_id, rating_year, grade in AnnualRating.objects.filter(
        person_id__in=township_of, year__lte=year
    ).values_list("person_id", "year", "grade"):
        history.setdefault(person_id, []).append((rating_year, grade))
    for person_id, flag_year in (
        RemovalFlag.objects.filter(person_id__in=township_of).exclude(decision="").values_list("person_id", "year")
    ):
        decided.setdefault(person_id, set()).add(flag_year)
    flags = []
    for person_id, grades in history.items():
        if year in decided.get(person_id, ()):
            continue  # this year's flag is decided: it stands as it was
        status = scoring.removal_status(
            grades,
            year=year,
            consecutive=conf["removal.consecutive"],
            total=conf["removal.total"],
            decided_years=decided.get(person_id, ()),
            gap_breaks=bool(conf["removal.gap_breaks"]),
        )
        if status.flagged or status.watch:
            flags.append(
                RemovalFlag(
                    person_id=person_id,
                    township_id=township_of[person_id],
                    year=year,
                    state=RemovalState.FLAGGED if status.flagged else RemovalState.WATCH,
                    incompetent_count=status.incompetent_count,
                    reason=status.reason,
                    rated_years=list(status.counted_years),
                )
            )
    RemovalFlag.objects.filter(township__county_id=county_id, year=year, decision="").exclude(
        person_id__in=[f.person_id for f in flags]
    ).delete()
    RemovalFlag.objects.bulk_create(
        flags,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=["township", "state", "incompetent_count", "reason", "rated_years"],
    )
    return len(flags)


@transaction.atomic
def removal_decide(*, actor, flag, decision, opinion, request=None):
    """A named county user decides a 调整退出 flag: 同意调整 or 不予调整, with an opinion.

    Counting starts afresh after the decision: later years' undecided flags are recomputed.
    """
    if decision not in RemovalDecision.values:
        raise ValidationError({"decision": _("请选择“同意调整”或“不予调整”。")})
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写意见。")})
    flag = RemovalFlag.objects.select_for_update().select_related("township").get(pk=flag.pk)
    if flag.state != RemovalState.FLAGGED:
        raise ValidationError(_("警示名单仅供提醒，不需要决定。"))
    if flag.decision:
        raise ValidationError(
            _("该预警已于 %(d)s 决定（%(x)s），不能再次决定。")
            % {"d": timezone.localtime(flag.decided_at).strftime("%Y-%m-%d"), "x": flag.get_decision_display()}
        )
    flag.decision, flag.opinion = decision, opinion.strip()
    flag.decided_by, flag.decided_at = _actor(actor), timezone.now()
    flag.save(update_fields=["decision", "opinion", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=flag,
        detail={"removal_decision": decision, "opinion": flag.opinion, "year": flag.year},
        request=request,
    )
    county_id = flag.township.county_id
    for later in sorted(
        set(
            AnnualRating.objects.filter(township__county_id=county_id, year__gt=flag.year).values_list(
                "year", flat=True
            )
        )
    ):
        removal_rule_apply(county_id=county_id, year=later)
    return flag


@transaction.atomic
def excellent_ties_decide(*, actor, county_id, year, chosen, opinion, request=None):
    """The county decides the ties left at the 优秀 quota boundary: ``chosen`` rating ids become 优秀,
    the other tied ones 称职. Exactly as many as the places left must be chosen."""
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写决定意见。")})
    tied = list(
        AnnualRating.objects.select_for_update().filter(
            township__county_id=county_id, year=year, tie_pending=True, signed_off_by__isnull=True
        )
    )
    if not tied:
        raise ValidationError(_("该年度没有待决定的并列人员。"))
    conf = settings_for(county_id)
    by_township = conf["grade.quota_scope"] == "township"
    groups = {}
    for rating in tied:
        groups.setdefault(rating.township_id if by_township else county_id, []).append(rating)
    chosen = {int(c) for c in chosen}
    unknown = chosen - {r.pk for r in tied}
    if unknown:
        raise ValidationError(_("所选人员不在并列名单中。"))
    everyone = AnnualRating.objects.filter(township__county_id=county_id, year=year)
    for group, members in groups.items():
        pool = everyone.filter(township_id=group) if by_township else everyone
        places = scoring.quota_places(
            pool.count(),
            Decimal(str(conf["grade.excellent_quota"])),
            rounding=conf["grade.quota_rounding"],
            min_pool=conf["grade.quota_min_pool"],
        )
        free = places - pool.filter(grade=Grade.EXCELLENT).count()
        picked = [r for r in members if r.pk in chosen]
        if len(picked) != free:
            raise ValidationError(
                _("并列 %(n)s 人，剩余优秀名额 %(f)s 个：请恰好选择 %(f)s 人。") % {"n": len(members), "f": free}
            )
        for rating in members:
            rating.grade = Grade.EXCELLENT if rating.pk in chosen else Grade.COMPETENT
            rating.reason = (
                _("并列于优秀名额边界，县委组织部决定：%(g)s（%(o)s）")
                % {"g": Grade(rating.grade).label, "o": opinion.strip()}
            )[:300]
            rating.tie_pending = False
            rating.save(update_fields=["grade", "reason", "tie_pending"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=tied[0],
        detail={"excellent_ties": year, "chosen": sorted(chosen), "opinion": opinion.strip()},
        request=request,
    )
    return len(tied)


def bulletin_compute(*, county_id, year, quarter, run=None):
    """季度通报, for each target the county assesses: the quarter's average per village over its
    three months, ranks in the township and the county (a veto in any month ranks below every
    clean village), movers up and down (last month against the first), lagging categories, and
    the villages left out because a month has no score (缺报 / 待审核)."""
    from .models import Bulletin

    months = [3 * (quarter - 1) + m for m in (1, 2, 3)]
    villages = list(
        Village.objects.filter(township__county_id=county_id, is_active=True)
        .order_by("township__sort_key", "sort_key", "name")
        .values_list("pk", "name", "township__name")
    )
    rows = Score.objects.filter(
        township__county_id=county_id, period_kind=PeriodKind.MONTH, year=year, period__in=months
    ).values_list("target", "village_id", "period", "total", "veto", "veto_reason", "by_category")
    by_target = {}
    for target, village_id, period, total, veto, veto_reason, by_category in rows:
        entry = by_target.setdefault(target, {}).setdefault(village_id, {"totals": {}, "vetoes": [], "categories": {}})
        entry["totals"][period] = total
        if veto:
            entry["vetoes"].append(f"{period}月{veto_reason}")
        for category, points in (by_category or {}).items():
            entry["categories"][category] = entry["categories"].get(category, Decimal(0)) + Decimal(points)
    approved = set(
        MonthlyReport.objects.filter(
            township__county_id=county_id, year=year, month__in=months, status=ReportStatus.APPROVED
        ).values_list("village_id", "month")
    )
    targets = []
    for target in Target.values:
        scored = by_target.get(target)
        if not scored:
            continue
        table, left_out = [], []
        for village_id, name, township in villages:
            entry = scored.get(village_id)
            missing = [m for m in months if not entry or m not in entry["totals"]]
            if missing:
                left_out.append(
                    {
                        "village": name,
                        "township": township,
                        "missing": [
                            _("%(m)s月（书记空缺）") % {"m": m}
                            if (village_id, m) in approved
                            else _("%(m)s月（缺报或未审核）") % {"m": m}
                            for m in missing
                        ],
                    }
                )
                continue
            totals = [entry["totals"][m] for m in months]
            table.append(
                {
                    "village_id": village_id,
                    "village": name,
                    "township": township,
                    "months": [float(t) for t in totals],
                    "average": float(scoring._q(sum(totals, Decimal(0)) / 3)),
                    "change": float(scoring._q(totals[-1] - totals[0])),
                    "veto": bool(entry["vetoes"]),
                    "veto_reason": "；".join(entry["vetoes"]),
                    "categories": {k: float(scoring._q(v / 3)) for k, v in entry["categories"].items()},
                }
            )
        key = lambda r: scoring.ranking_key(r["average"], r["veto"])  # noqa: E731
        county_ranks = scoring.competition_ranks(table, key=key)
        for index, rank in county_ranks.items():
            table[index]["rank_in_county"] = rank
        groups = {}
        for index, row in enumerate(table):
            groups.setdefault(row["township"], []).append(index)
        for indexes in groups.values():
            members = [table[i] for i in indexes]
            for local, rank in scoring.competition_ranks(members, key=key).items():
                members[local]["rank_in_township"] = rank
        table.sort(key=lambda r: (r["rank_in_county"], r["township"], r["village"]))
        averages = {}
        for row in table:
            for category, points in row["categories"].items():
                averages[category] = averages.get(category, 0) + points / len(table)
        lagging = sorted(
            (
                {"village": r["village"], "township": r["township"], "category": str(Category(c).label), "points": p}
                for r in table
                for c, p in r["categories"].items()
                if averages.get(c) and p < 0.8 * averages[c]
            ),
            key=lambda x: (x["category"], x["points"]),
        )
        targets.append(
            {
                "target": target,
                "label": str(Target(target).label),
                "rows": table,
                "up": sorted((r for r in table if r["change"] > 0), key=lambda r: -r["change"])[:5],
                "down": sorted((r for r in table if r["change"] < 0), key=lambda r: r["change"])[:5],
                "category_averages": {k: round(v, 2) for k, v in averages.items()},
                "lagging": lagging,
                "left_out": left_out,
            }
        )
    data = {"targets": targets, "months": months}
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
    if ratings.filter(tie_pending=True).exists():
        raise ValidationError(_("还有人员并列于优秀名额边界，请先决定后再审定。"))
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
