"""Reads for the assessment: derived metrics per township and period, scorecards, rankings.

``derived_metrics`` runs a fixed number of aggregate queries for a township,
whatever its number of villages: the scoring chunks call it once each.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Max, Q

from cadres.choices import PostKind, Stage
from cadres.models import Appraisal, Meeting, MobileRecord, PartyMember, Tenure
from cadres.periods import month_unit
from cadres.rules import add_months
from cadres.selectors import meeting_compliance
from villages.models import Matter, PartyOrganization


def derived_metrics(*, township_id, year, month, conf):
    """{village id: {metric code: value}} for one township and month (9 queries)."""
    unit = month_unit(year, month)
    values = defaultdict(dict)
    organizations = PartyOrganization.objects.filter(township_id=township_id, village__isnull=False)
    expected, held_capped = defaultdict(int), defaultdict(int)
    for org in meeting_compliance(organizations=organizations, start=unit.start, end=unit.end, conf=conf):
        expected[org.village_id] += org.expected
        held_capped[org.village_id] += org.held
    for village_id, n in expected.items():
        values[village_id]["meetings_ratio"] = round(held_capped[village_id] / n, 4) if n else 1.0
    for village_id, n in (
        Meeting.objects.filter(township_id=township_id, held_on__gte=unit.start, held_on__lte=unit.end)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    ):
        values[village_id]["meetings_held"] = n
    year_start = datetime.date(year, 1, 1)
    for row in (
        PartyMember.objects.filter(township_id=township_id)
        .values("village_id")
        .annotate(
            developed=Count("pk", filter=Q(admitted_on__gte=year_start, admitted_on__lte=unit.end)),
            candidates=Count("pk", filter=Q(is_active=True, stage=Stage.CANDIDATE)),
        )
    ):
        values[row["village_id"]]["members_developed"] = row["developed"]
        values[row["village_id"]]["candidates"] = row["candidates"]
    lost_cutoff = add_months(unit.end, -conf["alert.lost_contact_months"])
    for village_id, n in (
        MobileRecord.objects.filter(township_id=township_id, ended_on__isnull=True, since__lte=unit.end)
        .filter(Q(last_contact_on__lt=lost_cutoff) | Q(last_contact_on__isnull=True))
        .values_list("member__village_id")
        .annotate(n=Count("pk"))
    ):
        values[village_id]["lost_contact_mobile"] = n
    staffed = set(
        Tenure.objects.filter(township_id=township_id, post=PostKind.VILLAGE_SECRETARY, started_on__lte=unit.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=unit.end))
        .values_list("village_id", flat=True)
    )
    complete = (
        Matter.objects.filter(township_id=township_id)
        .annotate(n=Count("steps"), last=Max("steps__done_on"))
        .filter(n=6, last__gte=year_start, last__lte=unit.end)
        .values_list("village_id")
        .annotate(c=Count("pk"))
    )
    for village_id, n in complete:
        values[village_id]["matters_completed"] = n
    appraised = set(
        Appraisal.objects.filter(
            township_id=township_id, year=year - 1, organization__village__isnull=False
        ).values_list("organization__village_id", flat=True)
    )
    return values, staffed, appraised


def current_secretaries(*, township_id, on):
    """{village id: person id} of the secretary in office on a date (one query)."""
    rows = (
        Tenure.objects.filter(township_id=township_id, post=PostKind.VILLAGE_SECRETARY, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .order_by("village_id", "-started_on")
        .values_list("village_id", "person_id")
    )
    result = {}
    for village_id, person_id in rows:
        result.setdefault(village_id, person_id)
    return result
