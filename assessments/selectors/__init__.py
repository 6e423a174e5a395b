"""Reads for the assessment: the month's secretaries, scorecards, rankings, to-do lists.

The derived metrics a scoring run reads are in ``assessments.metrics`` (one registry).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import CorrectionOutcome, PostKind
from cadres.models import Correction, Tenure
from cadres.periods import month_unit
from cadres.selectors import AlertCode, alerts_for, commitments_due
from townships.county_settings import settings_for
from townships.models import Township
from townships.scoping import scope_for
from townships.selectors import village_entries_pending_count
from villages.models import Village, WeakDesignation

from ..choices import (
    Category,
    PeriodKind,
    RemovalState,
    ReportStatus,
    RunStatus,
    SchemeStatus,
    Target,
)
from ..models import (
    AnnualRating,
    BallotTally,
    DutyReview,
    Indicator,
    MonthlyReport,
    PeriodLock,
    RemovalFlag,
    Scheme,
    Score,
    ScoringRun,
)


def secretary_days(tenures, *, start, end):
    """The month's secretary of one village from its secretary tenures (DOMAIN §6: scores belong to
    the person in office): whoever held the post on more days of the month; on equal days, the one
    in office at the later date (the successor). ``tenures``: (person, started_on, ended_on or None),
    where ``ended_on`` is the first day out of office. Returns the person or None (vacant all month)."""
    best = None
    for person_id, started_on, ended_on in tenures:
        first = max(started_on, start)
        last = min(ended_on - datetime.timedelta(days=1), end) if ended_on else end
        days = (last - first).days + 1
        if days <= 0:
            continue
        key = (days, last, first)
        if best is None or key > best[0]:
            best = (key, person_id)
    return best[1] if best else None


def month_secretaries(*, township_ids, year, month, post=PostKind.VILLAGE_SECRETARY):
    """{village id: person id} of each village's secretary for a month, by ``secretary_days`` (one
    query). With ``post=PostKind.PARTY_SECRETARY``: {township id: person id} of each township's
    Party secretary (乡镇党委书记), by the same rule."""
    unit = month_unit(year, month)
    unit_field = "township_id" if post == PostKind.PARTY_SECRETARY else "village_id"
    by_unit = defaultdict(list)
    for unit_id, person_id, started_on, ended_on in (
        Tenure.objects.filter(township_id__in=township_ids, post=post, started_on__lte=unit.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=unit.start))
        .values_list(unit_field, "person_id", "started_on", "ended_on")
    ):
        by_unit[unit_id].append((person_id, started_on, ended_on))
    result = {}
    for unit_id, tenures in by_unit.items():
        person_id = secretary_days(tenures, start=unit.start, end=unit.end)
        if person_id is not None:
            result[unit_id] = person_id
    return result


# --- Coverage of a month ------------------------------------------------------


def period_is_closed(county_id, year, month):
    return PeriodLock.objects.filter(county_id=county_id, year=year, month=month).exists()


def township_report_expected(county_id, year):
    """Whether the county's townships file their own report (乡镇本级月报) for the year's months:
    when a township scheme in force that year reads a township-reported metric (one query)."""
    from ..metrics import reported_codes

    return Indicator.objects.filter(
        scheme__county_id=county_id,
        scheme__year=year,
        scheme__target=Target.TOWNSHIP,
        scheme__status__in=[SchemeStatus.ACTIVE, SchemeStatus.LOCKED],
        metric__in=reported_codes("township"),
    ).exists()


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


# --- Dashboards ---------------------------------------------------------------


def category_maxima(scores):
    """{category: full points} of the scheme the scores were made with (two queries)."""
    maxima = {c.value: Decimal(0) for c in Category}
    scheme = Scheme.objects.filter(scores__in=scores[:1]).first()
    if scheme is not None:
        for category, points in (
            Indicator.objects.filter(scheme=scheme, is_bonus=False)
            .exclude(method="")
            .values_list("category")
            .annotate(s=Sum("max_points"))
        ):
            maxima[category] = points or Decimal(0)
    return maxima


def category_shares(rows, maxima):
    """The average share of full points per category (percent, one decimal) over ``rows`` of
    ``by_category`` dicts; None where no row has the category."""
    shares = {}
    for category, full in maxima.items():
        points = [float(row[category]) for row in rows if row and category in row]
        shares[category] = round(sum(points) / len(points) / float(full) * 100, 1) if points and full else None
    return shares


def county_dashboard(*, user, year, month):
    """Everything the county landing page shows, from stored results, in a fixed number of queries."""
    townships = list(scope_for(user, Township.objects.filter(is_active=True)).order_by("sort_key", "name"))
    ids = [t.pk for t in townships]
    status_counts = {}
    for township_id, status, late, n in (
        MonthlyReport.objects.filter(township_id__in=ids, year=year, month=month, village__isnull=False)
        .values_list("township_id", "status", "is_late")
        .annotate(n=Count("pk"))
    ):
        row = status_counts.setdefault(township_id, {"filed": 0, "approved": 0, "late": 0, "returned": 0})
        if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            row["filed"] += n
        if status == ReportStatus.APPROVED:
            row["approved"] += n
        if status == ReportStatus.RETURNED:
            row["returned"] += n
        if late:
            row["late"] += n
    progress = []
    for t in townships:
        row = status_counts.get(t.pk, {"filed": 0, "approved": 0, "late": 0, "returned": 0})
        progress.append({"township": t, "villages": t.village_count, "waiting": row["filed"] - row["approved"], **row})
    last_run = scope_for(user, ScoringRun.objects.all()).order_by("-created_at").first()
    # The run's definition (services.runs.compute): the active villages; scored = with a score of
    # some target this month (a vacant secretary's village with a report is not scored).
    coverage = {
        "expected": scope_for(user, Village.objects.filter(is_active=True)).count(),
        "scored": scope_for(
            user, Score.objects.filter(year=year, period=month, period_kind=PeriodKind.MONTH, village__isnull=False)
        )
        .values("village_id")
        .distinct()
        .count(),
    }
    scores = scope_for(
        user,
        Score.objects.filter(year=year, period=month, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY),
    )
    month_rows = list(scores.values_list("township_id", "total", "by_category"))
    maxima = category_maxima(scores)
    by_township = {}
    for township_id, total, by_category in month_rows:
        entry = by_township.setdefault(township_id, {"totals": [], "categories": {c: [] for c in maxima}})
        entry["totals"].append(float(total))
        for category, points in (by_category or {}).items():
            entry["categories"].setdefault(category, []).append(float(points))
    township_names = {t.pk: t.name for t in townships}
    township_ranking = sorted(
        (
            {
                "township_id": t,
                "name": township_names.get(t, ""),
                "average": round(sum(e["totals"]) / len(e["totals"]), 1),
            }
            for t, e in by_township.items()
        ),
        key=lambda r: r["average"],
        reverse=True,
    )
    # The townships' own scores, where the county assesses its townships: their ranking replaces the
    # villages' average (vetoed last, as the scores are ranked).
    township_scores = [
        {"township_id": t, "name": name, "average": float(total), "veto": veto}
        for t, name, total, veto in scope_for(
            user,
            Score.objects.filter(year=year, period=month, period_kind=PeriodKind.MONTH, target=Target.TOWNSHIP),
        )
        .order_by("rank_in_county", "township__sort_key")
        .values_list("township_id", "township__name", "total", "veto")
    ]
    heatmap = []
    for t_index, township in enumerate(townships):
        entry = by_township.get(township.pk)
        for c_index, category in enumerate(maxima):
            if entry and entry["categories"].get(category) and maxima[category]:
                share = (
                    sum(entry["categories"][category]) / len(entry["categories"][category]) / float(maxima[category])
                )
                heatmap.append([c_index, t_index, round(share * 100, 1)])
    top = list(scores.select_related("village", "township").order_by("rank_in_county")[:10])
    bottom = list(scores.select_related("village", "township").order_by("-rank_in_county")[:10])
    trend = list(
        scope_for(user, Score.objects.filter(year=year, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY))
        .values_list("period")
        .annotate(avg=Avg("total"))
        .order_by("period")
    )
    last_rating_year = scope_for(user, AnnualRating.objects.all()).aggregate(y=Max("year"))["y"]
    grades = (
        dict(
            scope_for(user, AnnualRating.objects.filter(year=last_rating_year))
            .values_list("grade")
            .annotate(n=Count("pk"))
        )
        if last_rating_year
        else {}
    )
    weak_open = scope_for(user, WeakDesignation.objects.filter(status=WeakDesignation.Status.RECTIFYING)).count()
    removal = dict(
        scope_for(user, RemovalFlag.objects.filter(state=RemovalState.FLAGGED, decision=""))
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {
        "progress": progress,
        "last_run": last_run,
        "coverage": coverage,
        "township_ranking": township_scores or township_ranking,
        "township_ranking_is_score": bool(township_scores),
        "top": top,
        "bottom": bottom,
        "trend": [[period, round(float(avg), 1)] for period, avg in trend],
        "heatmap": heatmap,
        "heatmap_townships": [t.name for t in townships],
        "heatmap_township_ids": [t.pk for t in townships],
        "heatmap_categories": [str(Category(c).label) for c in maxima],
        "grades_year": last_rating_year,
        "grades": grades,
        "removal": removal,
        "weak_open": weak_open,
    }


def township_dashboard(*, township, year, month):
    """A township's month at a glance: its own score where the county assesses townships, its
    villages' scores and ranks, the monthly trend of its average against the county's, and its four
    focus areas against the county's (7 queries)."""
    scores = list(
        Score.objects.filter(
            township=township, year=year, period=month, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY
        )
        .select_related("village")
        .order_by("rank_in_township")
    )
    year_scores = Score.objects.filter(year=year, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY)
    county_scores = year_scores.filter(township__county_id=township.county_id)
    mine = dict(year_scores.filter(township=township).values_list("period").annotate(a=Avg("total")))
    county = dict(county_scores.values_list("period").annotate(a=Avg("total")))
    month_scores = county_scores.filter(period=month)
    maxima = category_maxima(month_scores)
    county_rows = list(month_scores.values_list("by_category", flat=True))
    own = category_shares([s.by_category for s in scores], maxima)
    whole = category_shares(county_rows, maxima)
    own_score = Score.objects.filter(
        township=township, target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, year=year, period=month
    ).first()
    return {
        "own_score": own_score,
        "scores": scores,
        "year": year,
        "month": month,
        "trend": [
            [period, round(float(mine[period]), 1) if period in mine else None, round(float(county[period]), 1)]
            for period in sorted(county)
        ],
        "areas": [[str(Category(c).label), own[c], whole[c]] for c in maxima],
    }


# --- To-do lists that follow the real state ------------------------------------

RECTIFICATION_STEP_DAYS = 30  # a village in rectification records a measure at least this often
CORRECTION_NOTICE_DAYS = 30  # a 限期改正 shows in the to-do this long before its deadline


def reporting_period(today):
    """The month being reported on: the one that has just ended (its reports are due next month)."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month


def reporting_deadline(county_id, year, month):
    day = settings_for(county_id)["report.deadline_day"]
    return datetime.date(year + (month == 12), month % 12 + 1, day)


def township_todo(*, township, today, alerts):
    """Everything a township's office has pending, whatever its month (a fixed number of queries):
    the month being reported on (the one just ended) for villages that have not submitted it (and
    the township's own report where a township scheme reads it), every
    returned report, meetings not held and overdue membership steps (from ``alerts``), 限期改正
    due within a month or overdue, villages in rectification without a recent measure, and the
    commitments' overdue milestones and 整改 deadlines (``cadres.selectors.commitments_due``)."""
    year, month = reporting_period(today)
    deadline = reporting_deadline(township.county_id, year, month)
    filed = dict(
        MonthlyReport.objects.filter(township=township, year=year, month=month).values_list("village_id", "status")
    )
    to_file = [
        (reverse("report-form", args=[pk, year, month]), name, filed.get(pk))
        for pk, name in Village.objects.filter(township=township, is_active=True)
        .order_by("sort_key", "name")
        .values_list("pk", "name")
        if filed.get(pk) in (None, ReportStatus.DRAFT)
    ]
    # The township's own report (乡镇本级) first, where a township scheme reads it.
    if filed.get(None) in (None, ReportStatus.DRAFT) and township_report_expected(township.county_id, year):
        url = reverse("township-report-form", args=[township.pk, year, month])
        to_file.insert(0, (url, _("乡镇本级"), filed.get(None)))
    returned = list(
        MonthlyReport.objects.filter(township=township, status=ReportStatus.RETURNED)
        .select_related("village", "township")
        .order_by("-year", "-month", "village__sort_key")
    )
    corrections = list(
        Correction.objects.filter(
            township=township,
            outcome=CorrectionOutcome.PENDING,
            deadline__lte=today + datetime.timedelta(days=CORRECTION_NOTICE_DAYS),
        )
        .select_related("member__person")
        .order_by("deadline")
    )
    stale = today - datetime.timedelta(days=RECTIFICATION_STEP_DAYS)
    rectification = list(
        WeakDesignation.objects.filter(township=township, status=WeakDesignation.Status.RECTIFYING)
        .annotate(last_step=Max("steps__done_on"))
        .filter(Q(last_step__lt=stale) | Q(last_step__isnull=True, designated_at__date__lt=stale))
        .select_related("village")
        .order_by("village__sort_key")
    )
    return {
        "year": year,
        "month": month,
        "deadline": deadline,
        "overdue": today > deadline,
        "to_file": to_file,
        "returned": returned,
        "meetings": [a for a in alerts if a.code == AlertCode.MEETINGS_MISSING],
        "pipeline": [a for a in alerts if a.code == AlertCode.PIPELINE_OVERDUE],
        "corrections": corrections,
        "rectification": rectification,
        "village_entries": village_entries_pending_count(township_ids=[township.pk]),
        "commitments": commitments_due(townships=[township.pk], today=today),
        "talks": township_talks_todo(township=township, today=today),
        "today": today,
    }


def ratings_awaiting_sign_off(*, user):
    """[{"year", "n"}]: each year with ratings not yet signed in the user's scope, oldest first (one query)."""
    return list(
        scope_for(user, AnnualRating.objects.filter(signed_off_by__isnull=True))
        .order_by("year")
        .values("year")
        .annotate(n=Count("pk"))
    )


def county_todo(*, user):
    """What waits for the county (a fixed number of queries): reports to review, runs whose latest
    attempt failed, years of ratings to sign, 调整退出 flags to decide, 约谈 to decide, record or
    follow up, and years whose 述职评议 ties at the cap on 好 wait for a decision."""
    townships = scope_for(user, Township.objects.all())
    to_review = MonthlyReport.objects.filter(township__in=townships, status=ReportStatus.SUBMITTED).count()
    latest = {}
    recent = timezone.now() - datetime.timedelta(days=400)
    for run in ScoringRun.objects.filter(county_id=user.county_id, created_at__gte=recent).order_by("created_at", "pk"):
        latest[(run.kind, run.year, run.period)] = run  # a later attempt replaces an earlier one
    failed = [run for run in latest.values() if run.status == RunStatus.FAILED]
    unsigned = [row["year"] for row in ratings_awaiting_sign_off(user=user)]
    flags = RemovalFlag.objects.filter(township__in=townships, state=RemovalState.FLAGGED, decision="").count()
    talks = county_talks_todo(townships=townships, today=timezone.localdate())
    # 述职评议 tied at the cap on 好: graded 较好 until the county decides them together (per year).
    review_ties = sorted(
        set(DutyReview.objects.filter(township__in=townships, tie_pending=True).values_list("year", flat=True))
    )
    return {
        "to_review": to_review,
        "failed_runs": failed,
        "unsigned_years": unsigned,
        "flags": flags,
        "talks": talks,
        "review_ties": review_ties,
    }


# --- Weak-and-lax candidates (软弱涣散) ------------------------------------------


def weak_candidates(*, user, today):
    """Villages the records point at (DOMAIN §6): secretary vacancy, meetings not held, no 发展对象,
    last place in the annual ranking, low satisfaction or concentrated petitions last month.
    A fixed number of queries; villages already in rectification are left out."""
    conf = settings_for(user.county_id)
    townships = scope_for(user, Township.objects.filter(is_active=True))
    open_ids = set(
        WeakDesignation.objects.filter(township__in=townships, status=WeakDesignation.Status.RECTIFYING).values_list(
            "village_id", flat=True
        )
    )
    reasons = {}
    wanted = {AlertCode.SECRETARY_VACANT, AlertCode.MEETINGS_MISSING, AlertCode.NO_CANDIDATE}
    names = {}
    for alert in alerts_for(townships=townships, today=today):
        if alert.code in wanted and alert.village_id:
            reasons.setdefault(alert.village_id, []).append((alert.code, f"{alert.label}：{alert.message}"))
            names[alert.village_id] = (alert.township_name, alert.village_name)
    last_year = (
        AnnualRating.objects.filter(township__in=townships).order_by("-year").values_list("year", flat=True).first()
    )
    if last_year:
        last = (
            AnnualRating.objects.filter(township__in=townships, year=last_year)
            .select_related("village", "township")
            .order_by("-rank_in_county")
            .first()
        )
        if last:
            reasons.setdefault(last.village_id, []).append(
                ("last_place", _("%(y)s 年度评定全县最后一名") % {"y": last_year})
            )
            names[last.village_id] = (last.township.name, last.village.name)
    # Satisfaction from the ballots (满意度测评), never from a typed value: each village's latest
    # counted survey with a rate.
    latest = {}
    for tally in (
        BallotTally.objects.counted_village_surveys()
        .filter(township__in=townships, held_on__lte=today)
        .select_related("village", "township")
    ):
        latest.setdefault(tally.village_id, tally)
    for village_id, tally in latest.items():
        if tally.rate is not None and tally.rate < conf["weak.satisfaction_below"]:
            reasons.setdefault(village_id, []).append(
                (
                    "low_satisfaction",
                    _("满意度测评满意率 %(s)s%%（%(d)s），低于 %(limit)s%%")
                    % {"s": tally.rate, "d": tally.held_on.isoformat(), "limit": conf["weak.satisfaction_below"]},
                )
            )
            names[village_id] = (tally.township.name, tally.village.name)
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    for report in MonthlyReport.objects.filter(
        township__in=townships, year=month_end.year, month=month_end.month, village__isnull=False
    ).select_related("village", "township"):
        if int(report.values.get("petitions") or 0) >= conf["weak.petitions_at_least"]:
            reasons.setdefault(report.village_id, []).append(
                ("petitions", _("上月信访 %(n)s 件，信访集中") % {"n": report.values["petitions"]})
            )
            names[report.village_id] = (report.township.name, report.village.name)
    # Common alone (meetings missed once, no candidate): a candidate only with another reason.
    strong = {"last_place", "low_satisfaction", "petitions", AlertCode.SECRETARY_VACANT}
    rows = [
        {"village_id": v, "township": names[v][0], "village": names[v][1], "reasons": r}
        for v, r in reasons.items()
        if v not in open_ids and (len(r) >= 2 or any(code in strong for code, _text in r))
    ]
    rows.sort(key=lambda row: (-len(row["reasons"]), row["township"], row["village"]))
    return rows


def runs_in_scope(*, user, runs):
    """The runs, each with ``left_out_visible``: the villages it left out (and their report's state)
    that ``user`` may see — a township's staff see their own villages only. One query (``scope_for``
    on the villages) for all the runs."""
    runs = list(runs)
    ids = {entry.get("village") for run in runs for entry in run.left_out}
    visible = set(scope_for(user, Village.objects.filter(pk__in=ids)).values_list("pk", flat=True)) if ids else set()
    for run in runs:
        run.left_out_visible = [entry for entry in run.left_out if entry.get("village") in visible]
    return runs


# --- A village login's home (本村工作台) --------------------------------------------


from .talks import county_talks_todo, township_talks_todo  # noqa: E402
from .village import VILLAGE_RECENT_MEETINGS, VILLAGE_RETURNED_DAYS, village_workbench  # noqa: E402, F401
