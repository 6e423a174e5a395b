"""Demo stage 3b, 定·查·评: every village with a cadre in office gets 2–4 commitments this year (with milestones, progress,
some overdue, some inspected) and 2–3 last year, approved and graded. Bulk writes.

Its own random stream (seeded from the county's division code and the day), so adding it leaves the
rest of the demo exactly as it was for the same seed.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from townships.bulk import copy_objects
from villages.choices import OrganizationKind
from villages.models import PartyOrganization, Village

from .choices import (
    CommitmentGrade,
    CommitmentStatus,
    FocusArea,
    InspectionFinding,
    InspectionLevel,
    ProgressStatus,
    TargetKind,
)
from .models import Commitment, Inspection, Milestone, ProgressEntry, Tenure

# (focus, title, unit or None for done/not-done, target quantity)
PLEDGES = [
    (FocusArea.PARTY_BUILDING, "规范化建设村党群服务中心", None, None),
    (FocusArea.PARTY_BUILDING, "发展培养入党积极分子", "名", 3),
    (FocusArea.BOTTOM_LINE, "化解信访积案", "件", 4),
    (FocusArea.BOTTOM_LINE, "整治村内安全隐患", "处", 10),
    (FocusArea.INDUSTRY, "建设高标准大棚", "座", 20),
    (FocusArea.INDUSTRY, "发展村集体经济光伏项目", None, None),
    (FocusArea.LIVELIHOOD, "硬化村组道路", "公里", 2),
    (FocusArea.LIVELIHOOD, "安装路灯", "盏", 60),
    (FocusArea.LIVELIHOOD, "改造农村户厕", "户", 80),
]


def _holders(village_ids, year):
    """Village id → people holding a post in that village during ``year`` (one query)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = {}
    for village_id, person_id, ended_on in Tenure.objects.filter(
        village_id__in=village_ids, started_on__lte=end
    ).values_list("village_id", "person_id", "ended_on"):
        if ended_on is None or ended_on > start:
            found.setdefault(village_id, []).append(person_id)
    return {k: sorted(set(v)) for k, v in found.items()}


def generate_commitments(*, county, today):
    rng = random.Random(f"commitments-{county.division_code}-{today.isoformat()}")
    villages = list(Village.objects.filter(township__county=county, is_active=True).order_by("pk"))
    organization_of = {}
    for org in (
        PartyOrganization.objects.filter(township__county=county, village__isnull=False)
        .exclude(kind=OrganizationKind.GROUP)
        .order_by("pk")
    ):
        organization_of.setdefault(org.village_id, org)
    # A village without an organization of its own is covered by a joint branch (联合党支部).
    for village_id, org_id in PartyOrganization.joint_villages.through.objects.filter(
        partyorganization__township__county=county
    ).values_list("village_id", "partyorganization_id"):
        organization_of.setdefault(village_id, PartyOrganization(pk=org_id))
    ids = [v.pk for v in villages]
    holders = {today.year: _holders(ids, today.year), today.year - 1: _holders(ids, today.year - 1)}
    now = timezone.now()
    commitments, plans = [], []
    for village in villages:
        organization = organization_of.get(village.pk)
        if organization is None:
            continue
        for year, count in ((today.year, rng.randint(2, 4)), (today.year - 1, rng.randint(2, 3))):
            people = holders[year].get(village.pk)
            if not people:
                continue
            for focus, title, unit, target in rng.sample(PLEDGES, k=count):
                last_year = year < today.year
                status = CommitmentStatus.APPROVED
                if not last_year and rng.random() < 0.1:
                    status = rng.choice([CommitmentStatus.DRAFT, CommitmentStatus.SUBMITTED])
                grade = ""
                if last_year:
                    grade = rng.choices(
                        [CommitmentGrade.DONE, CommitmentGrade.BASIC, CommitmentGrade.NOT_DONE], [7, 2, 1]
                    )[0]
                commitments.append(
                    Commitment(
                        organization=organization,
                        township_id=village.township_id,
                        village=village,
                        year=year,
                        title=title,
                        focus=focus,
                        responsible_id=rng.choice(people),
                        plan=f"成立工作专班，倒排工期，{title}，按节点推进并公开进展。",
                        target_kind=TargetKind.QUANTITY if unit else TargetKind.DONE,
                        target_quantity=Decimal(target) if unit else None,
                        target_unit=unit or "",
                        status=status,
                        approved_at=now if status == CommitmentStatus.APPROVED else None,
                        grade=grade,
                        grade_note="对照年初目标和台账评定" if grade else "",
                        graded_at=now if grade else None,
                    )
                )
                plans.append((year, target))
    commitments = copy_objects(Commitment, commitments)
    milestones = []
    for commitment, (year, target) in zip(commitments, plans, strict=True):
        steps = rng.randint(2, 3)
        for n in range(1, steps + 1):
            month = min(12, round(12 * n / steps))
            due = datetime.date(year, month, 28 if month != 12 else 20)
            quantity = Decimal(target * n // steps) if target and target * n // steps > 0 else None
            if n == steps and target:
                quantity = Decimal(target)
            milestones.append(
                Milestone(commitment=commitment, title=f"第{n}阶段：{commitment.title}", due_on=due, quantity=quantity)
            )
    milestones = copy_objects(Milestone, milestones)
    by_commitment = {c.pk: c for c in commitments}
    entries, inspections = [], []
    for milestone in milestones:
        commitment = by_commitment[milestone.commitment_id]
        if commitment.status != CommitmentStatus.APPROVED or milestone.due_on > today + datetime.timedelta(days=30):
            continue
        if rng.random() < 0.12:
            continue  # never reported: overdue (this year's), or graded without it (last year's)
        late = rng.random() < 0.2  # some milestones slip: met late, or still overdue
        on = (
            milestone.due_on + datetime.timedelta(days=rng.randint(3, 40))
            if late
            else milestone.due_on - (datetime.timedelta(days=rng.randint(0, 20)))
        )
        if on > today:
            continue
        entries.append(
            ProgressEntry(
                commitment=commitment,
                milestone=milestone,
                on_date=on,
                quantity=milestone.quantity,  # None for a milestone without a quantity: 100 % instead
                percent=None if milestone.quantity is not None else 100,
                note=f"{milestone.title}已完成",
                status=ProgressStatus.APPROVED,
                reviewed_at=now,
            )
        )
    for commitment in commitments:
        if commitment.status != CommitmentStatus.APPROVED or rng.random() > 0.4:
            continue
        day = datetime.date(commitment.year, 7, rng.randint(1, 20))
        if day > today:
            continue
        finding = rng.choices(list(InspectionFinding), [6, 3, 1])[0]
        open_ = finding != InspectionFinding.ON_TRACK
        rectify_by = day + datetime.timedelta(days=30) if open_ else None
        closed = open_ and (commitment.year < today.year or rng.random() < 0.5)
        inspections.append(
            Inspection(
                commitment=commitment,
                township_id=commitment.township_id,
                village_id=commitment.village_id,
                level=rng.choice(list(InspectionLevel)),
                inspected_on=day,
                finding=finding,
                note="实地查看现场、查阅台账",
                rectification="加快进度，补齐台账资料" if open_ else "",
                rectify_by=rectify_by,
                closed_on=rectify_by - datetime.timedelta(days=5) if closed else None,
                closing_note="已按要求整改" if closed else "",
            )
        )
    copy_objects(ProgressEntry, entries)
    copy_objects(Inspection, inspections)
    return len(commitments)
