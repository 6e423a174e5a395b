"""Monthly reports (月报): filing, submission with late marking and mismatches, review, corrections, closing a month."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import CadreMessageKind
from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.models import County, validate_period
from townships.services import audit_record, notify, township_recipients
from villages.models import Village

from ..choices import (
    AssessmentMessageKind,
    PeriodKind,
    ReportStatus,
    RunKind,
    SchemeStatus,
)
from ..metrics import METRICS, MetricPeriod, metric_value, parse_reported, read_derived, reported_codes
from ..models import (
    MonthlyReport,
    PeriodLock,
    ReportCorrection,
    Scheme,
    Score,
    ScoringRun,
)
from ..selectors import (
    month_coverage,
    period_is_closed,
    reporting_deadline,
    reporting_period,
    township_report_expected,
)
from .common import actor_or_none
from .runs import period_mark_dirty, scoring_run_start


def deadline_reminders(*, today, within_days=3):
    """Tell each township's office, once per period, which villages have not submitted the month
    being reported on when its deadline is ``within_days`` days away or nearer (run daily by beat,
    so a day the scheduler missed is caught up). Returns the number of townships told."""
    year, month = reporting_period(today)
    told = 0
    for county in County.objects.filter(is_active=True):
        deadline = reporting_deadline(county.pk, year, month)
        if not 0 <= (deadline - today).days <= within_days:
            continue
        filed = MonthlyReport.objects.filter(
            year=year, month=month, status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
        )
        done = filed.filter(village__isnull=False).values("village_id")
        missing = defaultdict(list)
        for township_id, name in (
            Village.objects.filter(township__county=county, township__is_active=True, is_active=True)
            .exclude(pk__in=done)
            .order_by("township_id", "sort_key", "name")
            .values_list("township_id", "name")
        ):
            missing[township_id].append(name)
        own_missing = set()
        if township_report_expected(county.pk, year):  # the township's own report (乡镇本级) is due too
            own = filed.filter(village__isnull=True).values("township_id")
            own_missing = set(county.townships.filter(is_active=True).exclude(pk__in=own).values_list("pk", flat=True))
        for township_id in sorted(set(missing) | own_missing):
            names = missing[township_id]
            what = {"y": year, "m": month, "d": f"{deadline:%m-%d}", "n": len(names)}
            if township_id in own_missing:
                title = (
                    _("%(y)s年%(m)s月月报将于 %(d)s 截止，乡镇本级和 %(n)s 个村未报送")
                    if names
                    else _("%(y)s年%(m)s月月报将于 %(d)s 截止，乡镇本级月报未报送")
                ) % what
            else:
                title = _("%(y)s年%(m)s月月报将于 %(d)s 截止，还有 %(n)s 个村未报送") % what
            notify(
                township_recipients(township_id),
                kind=CadreMessageKind.DEADLINE,
                title=title,
                body="、".join(names[:30]) + ("……" if len(names) > 30 else ""),
                url=reverse("report-overview") + f"?township={township_id}&year={year}&month={month}",
                key=f"deadline:{year}-{month:02d}",
            )
            told += 1
    return told


def clean_report_values(raw, level="village"):
    """The values of a village's report (or, ``level="township"``, of the township's own), parsed;
    ValidationError naming each bad one."""
    values, errors = {}, {}
    for code in reported_codes(level):
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


class ReportConflict(ValidationError):
    """Someone else saved the report after the version this save started from.

    ``report`` is the report as it stands now (their values, who saved it and when), for
    the page and the API to show next to the values that were not saved."""

    def __init__(self, report):
        who = report.saved_by.display_name if report.saved_by else _("其他用户")
        when = timezone.localtime(report.updated_at).strftime("%H:%M")
        super().__init__(
            _("%(who)s 已于 %(when)s 修改了这份月报，您的修改没有保存。请对照对方保存的数值，确认后再保存。")
            % {"who": who, "when": when},
            code="conflict",
        )
        self.report = report


@transaction.atomic
def report_save(*, actor, village=None, township=None, year, month, values, version=None, request=None):
    """Create or update a draft (or returned) report of a village, or — ``township`` without
    ``village`` — the township's own report (乡镇本级); approved reports are locked.

    ``version`` is the report's version the user started from (the form's hidden field,
    the API's ``version``): if the report has been saved since, nothing is written and
    ReportConflict says by whom. It may be left out only when the report does not exist yet;
    updating an existing report without it is refused (``version`` named), never a silent overwrite."""
    validate_period(year, month)
    township = village.township if village is not None else township
    if period_is_closed(township.county_id, year, month):
        raise ValidationError(_("%(y)s年%(m)s月已关账，不能再填报。") % {"y": year, "m": month})
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError(_("不能填报未来月份。"))
    cleaned = clean_report_values(values, "village" if village is not None else "township")
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(
        village=village, township=township, year=year, month=month
    )
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError(_("该报表已报送或已审核，不能再修改；如需更正请联系县委组织部。"))
    if version is None and not _created:
        raise ValidationError({"version": _("修改已有月报须传回读取时的版本号（version）。")})
    if version is not None and int(version) != report.version:
        raise ReportConflict(report)
    report.values = cleaned
    report.version += 1
    report.saved_by = actor_or_none(actor)
    report.save()
    return report


@transaction.atomic
def report_submit(*, actor, report, request=None):
    report = MonthlyReport.objects.select_for_update().select_related("township").get(pk=report.pk)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("只有草稿或退回的报表可以报送。"))
    missing = [str(METRICS[c].label) for c in report.codes if c not in report.values]
    if missing:
        raise ValidationError(
            _("还有未填写的项目：%(m)s。") % {"m": "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")}
        )
    now = timezone.now()
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, now, actor_or_none(actor)
    report.is_late = timezone.localdate(now) > reporting_deadline(report.township.county_id, report.year, report.month)
    report.mismatches = _mismatches(report)
    report.version += 1
    report.save()
    audit_record(
        actor=actor, action=AuditAction.SUBMIT, target=report, detail={"late": report.is_late}, request=request
    )
    return report


def _mismatches(report):
    """Where a reported value can be compared with the records, note the difference for the reviewer."""
    compared = {code: METRICS[code].compare_with for code in report.values if METRICS[code].compare_with}
    period = MetricPeriod(
        township_ids=[report.township_id],
        year=report.year,
        month=report.month,
        conf=settings_for(report.township.county_id),
    )
    derived = read_derived(period, compared.values())
    found = []
    for code, other in compared.items():
        reported = report.values[code]
        if reported is not None:
            recorded = metric_value(other, report.village_id, report_values=None, derived=derived)
            if recorded is None:
                continue  # nothing on record to compare with (no survey yet)
            if not _agrees(reported, recorded):
                found.append({"metric": code, "reported": reported, "recorded": recorded})
    return found


def _agrees(reported, recorded):
    """A typed value agrees with the records when they are equal at the precision it was typed in
    (a typed 87 agrees with a surveyed 86.96; a typed 86.9 does not)."""
    reported, recorded = Decimal(str(reported)), Decimal(str(recorded))
    exponent = min(reported.as_tuple().exponent, 0)
    return reported == recorded.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def month_has_ended(year, month, *, today=None):
    """Whether the month is over in local time (Asia/Shanghai): only then are its records
    expected to be complete, so only then is a report compared with them."""
    today = today or timezone.localdate()
    return (year, month) < (today.year, today.month)


def ended_months_q(*, today=None):
    """The reports of months that are over (see month_has_ended), as a filter."""
    today = today or timezone.localdate()
    return Q(year__lt=today.year) | Q(year=today.year, month__lt=today.month)


def report_flagged_mismatches(report, *, today=None):
    """The report's differences from the records that the reviewer must look at: none while its
    month has not ended, since the records of a running month are not complete yet."""
    return report.mismatches if month_has_ended(report.year, report.month, today=today) else []


def bulk_approval_problems(reports, *, acknowledged=(), today=None):
    """Why each report of a batch cannot be approved now: (report, reason) pairs, in the order given.

    A report must be submitted (已报送); one whose values differ from the records must have its
    differences acknowledged (已核对差异) by the reviewer."""
    acknowledged = {int(pk) for pk in acknowledged}
    problems = []
    for report in reports:
        if report.status != ReportStatus.SUBMITTED:
            problems.append((report, _("当前状态为“%(s)s”，不是已报送，不能审核") % {"s": report.get_status_display()}))
        elif report_flagged_mismatches(report, today=today) and report.pk not in acknowledged:
            problems.append((report, _("数据与台账不一致，未勾选“已核对差异”")))
    return problems


@transaction.atomic
def reports_approve_bulk(*, actor, reports, acknowledged=(), request=None):
    """Approve a batch of reports, all or nothing.

    ``reports`` is a queryset already narrowed to what the actor may see. The rows are locked
    (in primary-key order, so two batches never deadlock) before they are checked, so a return
    by someone else either happens before (and the batch is refused) or waits for the batch.
    Each report is then approved by report_review, with its audit row as for a single approval;
    an acknowledged mismatch is recorded in that row."""
    locked = list(reports.select_for_update(of=("self",)).select_related("village", "township").order_by("pk"))
    problems = bulk_approval_problems(locked, acknowledged=acknowledged)
    if problems:
        raise ValidationError(
            [
                _("%(village)s（%(township)s）：%(why)s。")
                % {"village": report.unit_name, "township": report.township.name, "why": why}
                for report, why in problems
            ],
            code="batch",
        )
    acknowledged = {int(pk) for pk in acknowledged}
    approved = []
    for report in locked:
        flagged = report_flagged_mismatches(report)
        approved.append(
            report_review(
                actor=actor,
                report=report,
                approve=True,
                request=request,
                acknowledged_mismatches=flagged if flagged and report.pk in acknowledged else None,
                rescore=False,
                tell=False,
            )
        )
    # One action, one message per township and one run per month, however many reports it approved.
    for township_id in sorted({report.township_id for report in locked}):
        _tell_township_batch([report for report in locked if report.township_id == township_id])
    for county_id, year, month in sorted({(r.township.county_id, r.year, r.month) for r in locked}):
        _month_approved(county_id=county_id, year=year, month=month, actor=actor)
    return approved


@transaction.atomic
def report_review(
    *, actor, report, approve, reason="", request=None, acknowledged_mismatches=None, rescore=True, tell=True
):
    """Approve or return (with a reason) a submitted report. ``acknowledged_mismatches``: the
    differences from the records the reviewer acknowledged (已核对差异), kept in the audit row.
    ``rescore`` and ``tell`` are off for a batch, which scores each month and tells each township once."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有已报送的报表可以审核。"))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("退回须说明原因。")})
    report.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    report.return_reason = "" if approve else reason.strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), actor_or_none(actor)
    report.save()
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=report,
        detail={"approved": approve, "reason": report.return_reason}
        | ({"acknowledged_mismatches": acknowledged_mismatches} if acknowledged_mismatches else {}),
        request=request,
    )
    if tell:
        _tell_township(report)
    if approve and rescore:
        _month_approved(county_id=report.township.county_id, year=report.year, month=report.month, actor=actor)
    return report


def _month_approved(*, county_id, year, month, actor):
    """Reports of the month were approved: score it once it is complete, and again when it was
    scored (or is being scored) without them — a late report."""
    expected, approved = month_coverage(county_id=county_id, year=year, month=month)
    if _month_inputs_changed(county_id=county_id, year=year, month=month, actor=actor) or approved >= expected:
        transaction.on_commit(lambda: _start_if_idle(county_id=county_id, year=year, month=month, actor=actor))


def _month_inputs_changed(*, county_id, year, month, actor):
    """The approved inputs of a month changed (an approval, a correction): the month is marked dirty,
    so a run that read its inputs before this commits — queued, computing, or started by the beat job
    at this very moment — is followed by one more, when it finishes or from the sweeper (see
    DirtyPeriod). Returns whether the month has been scored (or is being scored), so is owed a run."""
    if period_is_closed(county_id, year, month):
        return False  # a closed month's scores change only by override (score verify shows the drift)
    period_mark_dirty(county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month)
    return ScoringRun.objects.filter(county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month).exists()


def _tell_township(report):
    """The township's office hears of a review in its message centre."""
    report = MonthlyReport.objects.select_related("village", "township").get(pk=report.pk)
    what = {"v": report.unit_name, "y": report.year, "m": report.month}
    approved = report.status == ReportStatus.APPROVED
    notify(
        township_recipients(report.township_id),
        kind=AssessmentMessageKind.REPORT_APPROVED if approved else AssessmentMessageKind.REPORT_RETURNED,
        title=(
            _("%(v)s %(y)s年%(m)s月月报已审核通过")
            if approved
            else _("%(v)s %(y)s年%(m)s月月报被退回，请修改后重新报送")
        )
        % what,
        body="" if approved else _("退回原因：%(r)s") % {"r": report.return_reason},
        url=report.form_url,
    )


def _tell_township_batch(reports):
    """A batch approval tells a township once: how many of its reports, and which villages."""
    if len(reports) == 1:
        _tell_township(reports[0])
        return
    months = sorted({(r.year, r.month) for r in reports})
    names = [r.unit_name for r in reports]
    notify(
        township_recipients(reports[0].township_id),
        kind=AssessmentMessageKind.REPORT_APPROVED,
        title=_("%(n)s 份月报已审核通过（%(p)s）")
        % {"n": len(reports), "p": "、".join(_("%(y)s年%(m)s月") % {"y": y, "m": m} for y, m in months)},
        body="、".join(names[:30]) + ("……" if len(names) > 30 else ""),
        url=reverse("report-overview")
        + f"?township={reports[0].township_id}&year={months[-1][0]}&month={months[-1][1]}",
    )


def scored_months_changed(*, county_id, since, actor):
    """Records an indicator reads from a date on changed (a survey here; the registers below through
    ``townships.inputs``, a meeting approved, a commitment graded, a tenure corrected …): every month
    of the county scored (or being scored) from ``since``'s month on is marked dirty and owed a run;
    closed months are left as they are (``score verify`` shows their drift)."""
    months = (
        ScoringRun.objects.filter(county_id=county_id, kind=RunKind.MONTHLY)
        .filter(Q(year__gt=since.year) | Q(year=since.year, period__gte=since.month))
        .values_list("year", "period")
        .distinct()
    )
    for year, month in sorted(set(months)):
        if _month_inputs_changed(county_id=county_id, year=year, month=month, actor=actor):
            transaction.on_commit(
                lambda y=year, m=month: _start_if_idle(county_id=county_id, year=y, month=m, actor=actor)
            )


def _start_if_idle(*, county_id, year, month, actor):
    try:
        scoring_run_start(
            actor=actor, county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month, allow_missing=True
        )
    except ValidationError:
        # A run of this month is queued or computing (the month is dirty: it is scored again when that
        # run finishes, or by the sweeper), or the month is closed.
        pass


@transaction.atomic
def report_correct(*, actor, report, metric, value, reason, request=None):
    """A county correction of an approved (locked) report: recorded with its reason."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("更正须说明原因。")})
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if metric not in report.codes:
        raise ValidationError({"metric": _("没有这个填报项目。")})
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
        corrected_by=actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=report,
        detail={"metric": metric, "old": old, "new": new_value, "reason": reason.strip()},
        request=request,
    )
    county_id = MonthlyReport.objects.values_list("township__county_id", flat=True).get(pk=report.pk)
    if _month_inputs_changed(county_id=county_id, year=report.year, month=report.month, actor=actor):
        transaction.on_commit(
            lambda: _start_if_idle(county_id=county_id, year=report.year, month=report.month, actor=actor)
        )
    return report


@transaction.atomic
def period_close(*, actor, county, year, month, request=None):
    """关账: lock the month; the schemes used for it become locked (changes go into a new version)."""
    lock, created = PeriodLock.objects.get_or_create(
        county=county, year=year, month=month, defaults={"closed_by": actor_or_none(actor)}
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
