"""The derived metrics' readers: each answers {village id: value} for a ``MetricPeriod``'s
townships and month, in one query (or one shared query), whatever their number of villages."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from cadres.models import Appraisal, Meeting, MobileRecord, PartyMember, Tenure
from cadres.rules import add_months
from cadres.selectors import meeting_compliance
from townships.choices import EntryStatus
from villages.models import Matter, PartyOrganization

from . import derived_metric

LIFE = _("组织生活记录")
MEMBERS = _("党员名册")


def _compliance(period):
    unit = period.unit
    organizations = PartyOrganization.objects.filter(township_id__in=period.township_ids, village__isnull=False)
    expected, held = defaultdict(int), defaultdict(int)
    for org in meeting_compliance(organizations=organizations, start=unit.start, end=unit.end, conf=period.conf):
        expected[org.village_id] += org.expected
        held[org.village_id] += org.held
    return expected, held


@derived_metric("meetings_ratio", _("组织生活开展率（已开÷应开）"), kind="decimal", origin=LIFE)
def meetings_ratio(period):
    expected, held = period.shared("meeting_compliance", _compliance)
    return {village_id: round(held[village_id] / n, 4) if n else 1.0 for village_id, n in expected.items()}


@derived_metric("meetings_held", _("组织生活记录"), unit=_("次"), origin=LIFE)
def meetings_held(period):
    unit = period.unit
    return dict(
        Meeting.objects.counted()
        .filter(township_id__in=period.township_ids, held_on__gte=unit.start, held_on__lte=unit.end)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    )


def _member_counts(period):
    """Read from the records' dates, as they stood at the month's end, so a month scored again later
    counts what it counted then: a 发展对象 is one from ``candidate_on`` until admitted or off the
    roster (a candidate only moves on by admission or by leaving)."""
    year_start, end = datetime.date(period.year, 1, 1), period.unit.end
    candidate_then = (
        Q(candidate_on__lte=end)
        & (Q(admitted_on__isnull=True) | Q(admitted_on__gt=end))
        & (Q(left_on__isnull=True) | Q(left_on__gt=end))
    )
    return {
        row["village_id"]: row
        for row in PartyMember.objects.filter(township_id__in=period.township_ids)
        .values("village_id")
        .annotate(
            developed=Count("pk", filter=Q(admitted_on__gte=year_start, admitted_on__lte=end)),
            candidates=Count("pk", filter=candidate_then),
        )
    }


@derived_metric("members_developed", _("本年发展党员"), unit=_("人"), origin=MEMBERS)
def members_developed(period):
    return {v: row["developed"] for v, row in period.shared("member_counts", _member_counts).items()}


@derived_metric("candidates", _("在册发展对象"), unit=_("人"), origin=MEMBERS)
def candidates(period):
    return {v: row["candidates"] for v, row in period.shared("member_counts", _member_counts).items()}


@derived_metric("lost_contact_mobile", _("失联流动党员"), unit=_("人"), origin=_("流动党员台账"))
def lost_contact_mobile(period):
    unit = period.unit
    cutoff = add_months(unit.end, -period.conf["alert.lost_contact_months"])
    return dict(
        MobileRecord.objects.filter(township_id__in=period.township_ids, since__lte=unit.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=unit.end))  # still away at the month's end
        .filter(Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True))
        .values_list("member__village_id")
        .annotate(n=Count("pk"))
    )


# A village no tenure lists has nobody in the post: vacant (1) is the default.
@derived_metric("secretary_vacant", _("书记岗位空缺"), kind="bool", origin=_("村干部任职"), default=1)
def secretary_vacant(period):
    unit = period.unit
    staffed = (
        Tenure.objects.filter(
            township_id__in=period.township_ids, post=PostKind.VILLAGE_SECRETARY, started_on__lte=unit.end
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=unit.end))
        .values_list("village_id", flat=True)
    )
    return dict.fromkeys(staffed, 0)


@derived_metric("matters_completed", _("“四议两公开”完成事项"), unit=_("件"), origin=_("“四议两公开”台账"))
def matters_completed(period):
    year_start = datetime.date(period.year, 1, 1)
    return dict(
        Matter.objects.filter(township_id__in=period.township_ids)
        .annotate(n=Count("steps"), last=Max("steps__done_on"))
        .filter(n=6, last__gte=year_start, last__lte=period.unit.end)
        .values_list("village_id")
        .annotate(c=Count("pk"))
    )


@derived_metric("appraisal_done", _("上年度民主评议已开展"), kind="bool", origin=_("民主评议党员"))
def appraisal_done(period):
    appraised = Appraisal.objects.filter(
        township_id__in=period.township_ids, year=period.year - 1, organization__village__isnull=False
    ).values_list("organization__village_id", flat=True)
    return dict.fromkeys(appraised, 1)


@derived_metric(
    "satisfaction_rate",
    _("群众满意度（测评满意率）"),
    unit="%",
    kind="percent",
    origin=_("满意度测评"),
    default=None,
)
def satisfaction_rate(period):
    """The rate of each village Party organization's latest counted survey held on or before the
    month's end (a survey below the minimum sample has no rate: the village then has no value)."""
    from ..models import BallotTally

    latest = {}
    for village_id, rate in (
        BallotTally.objects.counted_village_surveys()
        .filter(township_id__in=period.township_ids, held_on__lte=period.unit.end)
        .values_list("village_id", "rate")
    ):
        if village_id not in latest:
            latest[village_id] = float(rate) if rate is not None else None
    return latest


def _commitments(period):
    """The approved commitments of the month's year and the year before in the period's townships:
    [(pk, village, year, grade, graded on)] — one query shared by the two commitment metrics."""
    from cadres.choices import CommitmentStatus
    from cadres.models import Commitment

    return [
        (pk, village_id, year, grade, timezone.localtime(graded_at).date() if graded_at else None)
        for pk, village_id, year, grade, graded_at in Commitment.objects.filter(
            township_id__in=period.township_ids,
            status=CommitmentStatus.APPROVED,
            year__in=(period.year - 1, period.year),
        ).values_list("pk", "village_id", "year", "grade", "graded_at")
    ]


COMMITMENTS = _("承诺实事（定·查·评）")


@derived_metric(
    "commitments_done_rate",
    _("承诺实事完成率（评等次）"),
    unit="%",
    kind="percent",
    origin=COMMITMENTS,
    default=None,
)
def commitments_done_rate(period):
    """评等次: of the village's approved commitments of the latest year graded by the month's end (this
    year once its grades are in, else last year's), the share graded 完成, in percent (two decimals).
    基本完成 and 未完成 count as not done. A village with no graded year has no value."""
    end = period.unit.end
    years = defaultdict(lambda: {"all": 0, "graded": 0, "done": 0})
    for _pk, village_id, year, grade, graded_on in period.shared("commitments", _commitments):
        tally = years[(village_id, year)]
        tally["all"] += 1
        if grade and graded_on is not None and graded_on <= end:
            tally["graded"] += 1
            tally["done"] += grade == "done"
    result = {}
    for (village_id, _year), tally in sorted(years.items(), key=lambda kv: kv[0][1]):
        if tally["graded"]:  # the later year, when graded, replaces the earlier one
            result[village_id] = float(
                (Decimal(tally["done"]) * 100 / tally["all"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            )
    return result


@derived_metric("commitments_completed", _("承诺实事已完成（台账）"), unit=_("件"), origin=COMMITMENTS, default=None)
def commitments_completed(period):
    """How many of the village's approved commitments of the month's year are completed by its end:
    graded 完成, or every milestone met by an approved ledger entry dated on or before the month's
    end. A village with no commitment of the year has no value (nothing to compare a report with)."""
    from cadres.commitment_rules import Entry, milestone_met_on
    from cadres.models import Milestone, ProgressEntry

    end = period.unit.end
    mine = [row for row in period.shared("commitments", _commitments) if row[2] == period.year]
    result = dict.fromkeys((village_id for _pk, village_id, *_rest in mine), 0)
    milestones = defaultdict(list)
    for pk, commitment_id, quantity in Milestone.objects.filter(commitment_id__in=[row[0] for row in mine]).values_list(
        "pk", "commitment_id", "quantity"
    ):
        milestones[commitment_id].append((pk, quantity))
    entries = defaultdict(list)
    for milestone_id, on_date, quantity, percent in ProgressEntry.objects.filter(
        milestone_id__in=[pk for rows in milestones.values() for pk, _q in rows],
        status=EntryStatus.APPROVED,
        on_date__lte=end,
    ).values_list("milestone_id", "on_date", "quantity", "percent"):
        entries[milestone_id].append(Entry(on_date, quantity, percent))
    for pk, village_id, _year, grade, graded_on in mine:
        graded_done = grade == "done" and graded_on is not None and graded_on <= end
        own = milestones.get(pk, [])
        all_met = bool(own) and all(
            milestone_met_on(quantity=quantity, entries=entries[m], on_or_before=end) is not None for m, quantity in own
        )
        if graded_done or all_met:
            result[village_id] += 1
    return result
