"""Reads for 定·查·评: what is overdue (milestones, 整改 deadlines), a commitment's page, a village's
board, the township's and the county's overview and the villages' 评优劣 ranking.

Each takes querysets already narrowed by ``scope_for`` (or townships/villages taken from one) and
runs a fixed number of queries whatever the number of commitments.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .. import commitment_rules as rules
from ..choices import CommitmentGrade, CommitmentStatus, FocusArea, InspectionFinding, ProgressStatus
from ..models import Commitment, CommitmentAmendment, Inspection, Milestone, ProgressEntry

MILESTONE, RECTIFICATION = "milestone", "rectification"


@dataclass(frozen=True)
class DueItem:
    """Something of a commitment that is overdue today: a milestone not met, or a 整改 not closed."""

    kind: str
    object_id: int
    township_id: int
    village_id: int
    village_name: str
    commitment_id: int
    commitment_title: str
    title: str
    due_on: datetime.date
    days_overdue: int

    @property
    def key(self):
        """The message-centre key: told once per item and due date (an amended date is news again)."""
        return f"commitment-{self.kind}:{self.object_id}:{self.due_on.isoformat()}"

    @property
    def message(self):
        values = {
            "village": self.village_name,
            "commitment": self.commitment_title,
            "title": self.title,
            "day": f"{self.due_on:%m-%d}",
        }
        if self.kind == MILESTONE:
            return _("%(village)s“%(commitment)s”节点“%(title)s”已逾期（%(day)s 到期）") % values
        return _("%(village)s“%(commitment)s”督查整改已逾期（%(day)s 到期）：%(title)s") % values


def _entries_by_milestone(milestone_ids, today):
    entries = defaultdict(list)
    for milestone_id, on_date, quantity, percent in ProgressEntry.objects.filter(
        milestone_id__in=milestone_ids, status=ProgressStatus.APPROVED, on_date__lte=today
    ).values_list("milestone_id", "on_date", "quantity", "percent"):
        entries[milestone_id].append(rules.Entry(on_date, quantity, percent))
    return entries


def commitments_due(*, townships, today):
    """Overdue today in the given (scoped) townships: milestones of approved, ungraded commitments
    past their due date and not met by an approved entry, and open 整改 past their deadline. Three
    queries; oldest first."""
    milestones = list(
        Milestone.objects.filter(
            commitment__township__in=townships,
            commitment__status=CommitmentStatus.APPROVED,
            commitment__grade="",
            due_on__lt=today,
        ).values_list(
            "pk", "title", "due_on", "quantity", "commitment_id", "commitment__title", "commitment__township_id",
            "commitment__village_id", "commitment__village__name",
        )
    )  # fmt: skip
    entries = _entries_by_milestone([m[0] for m in milestones], today)
    items = [
        DueItem(MILESTONE, pk, township_id, village_id, village, commitment_id, commitment_title, title, due_on,
                rules.days_overdue(due_on=due_on, today=today))
        for pk, title, due_on, quantity, commitment_id, commitment_title, township_id, village_id, village in milestones
        if rules.milestone_overdue(due_on=due_on, quantity=quantity, entries=entries[pk], today=today)
    ]  # fmt: skip
    for pk, rectification, rectify_by, commitment_id, commitment_title, township_id, village_id, village in (
        Inspection.objects.filter(township__in=townships, closed_on__isnull=True, rectify_by__lt=today)
        .exclude(finding=InspectionFinding.ON_TRACK)
        .values_list("pk", "rectification", "rectify_by", "commitment_id", "commitment__title", "township_id",
                     "village_id", "village__name")
    ):  # fmt: skip
        items.append(
            DueItem(RECTIFICATION, pk, township_id, village_id, village, commitment_id, commitment_title, rectification,
                    rectify_by, rules.days_overdue(due_on=rectify_by, today=today))
        )  # fmt: skip
    items.sort(key=lambda i: (i.due_on, i.village_name, i.kind, i.object_id))
    return items


# --- One commitment ----------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    overdue: bool
    met_on: datetime.date | None
    days_overdue: int


@dataclass(frozen=True)
class CommitmentPage:
    commitment: Commitment
    milestones: list
    progress: list
    inspections: list
    amendments: list
    latest: ProgressEntry | None  # the latest approved entry (the progress so far)
    overdue: int


def commitment_page(*, commitment, today):
    """Everything the commitment's page shows: five queries."""
    milestones = list(commitment.milestones.all())
    progress = list(
        ProgressEntry.objects.filter(commitment=commitment)
        .select_related("milestone", "recorded_by", "reviewed_by")
        .order_by("-on_date", "-pk")
    )
    entries = defaultdict(list)
    for e in progress:
        if e.status == ProgressStatus.APPROVED and e.milestone_id:
            entries[e.milestone_id].append(rules.Entry(e.on_date, e.quantity, e.percent))
    rows = []
    for m in milestones:
        overdue = commitment.status == CommitmentStatus.APPROVED and rules.milestone_overdue(
            due_on=m.due_on, quantity=m.quantity, entries=entries[m.pk], today=today
        )
        met_on = rules.milestone_met_on(quantity=m.quantity, entries=entries[m.pk], on_or_before=today)
        rows.append(
            MilestoneRow(m, overdue, met_on, rules.days_overdue(due_on=m.due_on, today=today) if overdue else 0)
        )
    latest = next((e for e in progress if e.status == ProgressStatus.APPROVED), None)
    return CommitmentPage(
        commitment=commitment,
        milestones=rows,
        progress=progress,
        inspections=list(
            commitment.inspections.select_related("inspector", "closed_by").order_by("-inspected_on", "-pk")
        ),
        amendments=list(CommitmentAmendment.objects.filter(commitment=commitment).select_related("amended_by")),
        latest=latest,
        overdue=sum(r.overdue for r in rows),
    )


# --- A village's board: 定/查/评 at a glance ---------------------------------------------


@dataclass
class BoardRow:
    commitment: Commitment
    milestones: int = 0
    met: int = 0
    overdue: int = 0
    next_due: datetime.date | None = None
    latest: ProgressEntry | None = None
    pending: int = 0
    inspections: int = 0
    open_rectifications: int = 0
    last_finding: str = ""


def commitment_board(*, commitments, today):
    """One row per commitment (already narrowed to a village and year): milestones met and overdue,
    the latest approved progress, entries awaiting approval, 督查 and open 整改. Four queries."""
    rows = {
        c.pk: BoardRow(c) for c in commitments.select_related("responsible", "organization").order_by("focus", "pk")
    }
    milestones = list(Milestone.objects.filter(commitment_id__in=list(rows)).order_by("due_on", "pk"))
    progress = list(ProgressEntry.objects.filter(commitment_id__in=list(rows)).order_by("-on_date", "-pk"))
    entries = defaultdict(list)
    for e in progress:
        row = rows[e.commitment_id]
        if e.status == ProgressStatus.PENDING:
            row.pending += 1
        elif e.status == ProgressStatus.APPROVED:
            if row.latest is None:
                row.latest = e
            if e.milestone_id:
                entries[e.milestone_id].append(rules.Entry(e.on_date, e.quantity, e.percent))
    for m in milestones:
        row = rows[m.commitment_id]
        row.milestones += 1
        if rules.milestone_met_on(quantity=m.quantity, entries=entries[m.pk], on_or_before=today):
            row.met += 1
        elif row.commitment.status == CommitmentStatus.APPROVED and rules.milestone_overdue(
            due_on=m.due_on, quantity=m.quantity, entries=entries[m.pk], today=today
        ):
            row.overdue += 1
        elif row.next_due is None:
            row.next_due = m.due_on
    for commitment_id, finding, closed_on in (
        Inspection.objects.filter(commitment_id__in=list(rows))
        .order_by("inspected_on", "pk")
        .values_list("commitment_id", "finding", "closed_on")
    ):
        row = rows[commitment_id]
        row.inspections += 1
        row.last_finding = InspectionFinding(finding).label
        if finding != InspectionFinding.ON_TRACK and closed_on is None:
            row.open_rectifications += 1
    return list(rows.values())


# --- 评优劣 and the overview ------------------------------------------------------------


def village_ranking(*, villages, year):
    """The villages (active, in scope) ranked by the share of their approved commitments of ``year``
    graded 完成 (``commitment_rules.rank_villages``); villages without commitments listed unranked.
    Two queries."""
    villages = list(
        villages.filter(is_active=True)
        .select_related("township")
        .order_by("township__sort_key", "township__name", "sort_key", "pk")
    )
    counts = {
        row["village_id"]: row
        for row in Commitment.objects.filter(
            village__in=[v.pk for v in villages], year=year, status=CommitmentStatus.APPROVED
        )
        .values("village_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(grade=CommitmentGrade.DONE)))
    }
    by_pk = {v.pk: v for v in villages}
    tallies = [
        rules.VillageTally(
            v.pk, f"{v.township.name} {v.name}", counts.get(v.pk, {}).get("n", 0), counts.get(v.pk, {}).get("done", 0)
        )
        for v in villages
    ]
    return [(by_pk[r.key], r) for r in rules.rank_villages(tallies)]


@dataclass
class OverviewRow:
    key: int
    name: str
    by_status: dict = field(default_factory=dict)
    by_focus: dict = field(default_factory=dict)
    total: int = 0
    overdue: int = 0

    @property
    def status_list(self):
        return [self.by_status.get(s, 0) for s in CommitmentStatus.values]

    @property
    def focus_list(self):
        return [self.by_focus.get(f, 0) for f in FocusArea.values]


def commitment_overview(*, commitments, units, unit_path, due, year):
    """Counts by status and by focus area per unit (township or village) for ``year``, with the
    overdue items per unit. ``units`` is [(pk, name)], ``unit_path`` the commitment's path to it.
    One query (plus the caller's ``due``)."""
    rows = {pk: OverviewRow(pk, name) for pk, name in units}
    totals = OverviewRow(0, _("合计"))
    cells = defaultdict(int)  # (status, focus) → n, for the chart
    for unit, status, focus, n in (
        commitments.filter(year=year).values_list(unit_path, "status", "focus").annotate(n=Count("pk")).order_by()
    ):
        cells[(status, focus)] += n
        for row in (rows.get(unit), totals):
            if row is None:
                continue
            row.by_status[status] = row.by_status.get(status, 0) + n
            row.by_focus[focus] = row.by_focus.get(focus, 0) + n
            row.total += n
    for item in due:
        key = item.township_id if unit_path == "township_id" else item.village_id
        if key in rows:
            rows[key].overdue += 1
        totals.overdue += 1
    return {
        "rows": list(rows.values()),
        "totals": totals,
        "cells": dict(cells),
        "statuses": list(CommitmentStatus.choices),
        "focuses": list(FocusArea.choices),
    }


def village_units(villages):
    return list(villages.filter(is_active=True).order_by("sort_key", "name").values_list("pk", "name"))
