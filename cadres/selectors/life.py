"""Organizational life: meetings expected versus held, per organization and kind."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncMonth

from villages.choices import OrganizationKind

from ..choices import MeetingKind
from ..models import Meeting
from ..periods import MEETING_REQUIREMENTS, units_ending_within


@dataclass
class KindCompliance:
    kind: str
    label: str
    expected: int = 0
    held: int = 0  # counted up to the requirement in each unit: extra meetings don't cover a missed month
    missing: list = field(default_factory=list)  # labels of units short of the requirement


@dataclass
class OrganizationCompliance:
    organization_id: int
    organization_name: str
    township_id: int
    village_id: int | None
    kinds: list

    @property
    def expected(self):
        return sum(k.expected for k in self.kinds)

    @property
    def held(self):
        return sum(k.held for k in self.kinds)

    @property
    def ratio(self):
        return self.held / self.expected if self.expected else 1.0


def _required_kinds(org_kind):
    if org_kind == OrganizationKind.GROUP:
        return [MeetingKind.GROUP]
    return [k for k in MEETING_REQUIREMENTS if k != MeetingKind.GROUP]


def meeting_compliance(*, organizations, start, end, conf):
    """Expected versus held meetings per organization for the units due within [start, end].

    Branch-level organizations (branches, general branches, village committees)
    owe every kind but group meetings; Party groups owe group meetings. Two queries.
    """
    orgs = list(
        organizations.filter(is_active=True)
        .exclude(kind=OrganizationKind.COMMITTEE, village__isnull=True)
        .values_list("pk", "name", "kind", "township_id", "village_id")
    )
    units_by_kind = {kind: units_ending_within(unit, start, end) for kind, (_key, unit) in MEETING_REQUIREMENTS.items()}
    earliest = min((u.start for units in units_by_kind.values() for u in units), default=start)
    counts = defaultdict(lambda: defaultdict(int))  # (org, kind) → month start → meetings
    rows = (
        Meeting.objects.counted()
        .filter(organization_id__in=[o[0] for o in orgs], held_on__gte=earliest, held_on__lte=end)
        .annotate(month=TruncMonth("held_on"))
        .values_list("organization_id", "kind", "month")
        .annotate(n=Count("pk"))
    )
    for org_id, kind, month, n in rows:
        month = month.date() if isinstance(month, datetime.datetime) else month
        counts[(org_id, kind)][month] += n
    result = []
    for org_id, name, org_kind, township_id, village_id in orgs:
        kinds = []
        for kind in _required_kinds(org_kind):
            setting_key, _unit = MEETING_REQUIREMENTS[kind]
            per_unit = conf[setting_key]
            row = KindCompliance(kind=kind, label=kind.label)
            for unit in units_by_kind[kind]:
                by_month = counts.get((org_id, kind), {})
                held = sum(n for month, n in by_month.items() if unit.start <= month <= unit.end)
                row.expected += per_unit
                row.held += min(held, per_unit)
                if held < per_unit:
                    row.missing.append(unit.label)
            if row.expected:
                kinds.append(row)
        result.append(OrganizationCompliance(org_id, name, township_id, village_id, kinds))
    return result
