"""What the allowance pages read: who sees the roster and its amounts, the county's rules and band
tables, and each person's result for a month (cadres.allowance), in a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from townships.choices import Role
from townships.county_settings import settings_for
from townships.scoping import scope_for

from .. import allowance as rule
from ..choices import AllowanceStopKind, DisqualificationKind, PostKind
from ..identity import IdentityError, parse_id_number
from ..models import (
    AllowanceBand,
    AllowanceChange,
    AllowanceDisqualification,
    AllowanceStop,
    AllowanceTable,
    Person,
    Tenure,
)


def can_see_allowance(user):
    """The roster (names, years, bands): the county's staff and the townships (their own, by scoping);
    not a village login, not an API client."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.COUNTY_VIEWER, Role.TOWNSHIP_STAFF)


def can_see_amounts(user):
    """Allowance amounts are personal data: the county administrator and township staff see them; a
    county viewer only where the county allows it (``allowance.viewer_sees_amounts``)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF):
        return True
    if user.role == Role.COUNTY_VIEWER:
        return bool(settings_for(user.county_id)["allowance.viewer_sees_amounts"])
    return False


def rules_for(settings):
    return rule.Rules(
        min_years=settings["allowance.min_years"],
        min_age=settings["allowance.min_age"],
        counting=settings["allowance.counting"],
        posts=frozenset(settings["allowance.posts"].split(",")),
    )


def _amounts(band):
    return {rule.SECRETARY: band.secretary, rule.DIRECTOR: band.director, rule.OTHER: band.other}


def tables_for(county_id):
    """The county's band tables as the rule reads them, newest first, with their rows (two queries)."""
    rows = AllowanceTable.objects.filter(county_id=county_id).prefetch_related(
        Prefetch("bands", queryset=AllowanceBand.objects.order_by("-min_years"))
    )
    return [
        (
            table,
            rule.Table(
                table.effective_from,
                table.effective_to,
                tuple(rule.Band(b.min_years, _amounts(b)) for b in table.bands.all()),
                table.name,
            ),
        )
        for table in rows.order_by("-effective_from")
    ]


def birth_date_of(person):
    try:
        return parse_id_number(person.id_number).birth_date
    except IdentityError:
        return None


@dataclass
class Row:
    person: Person
    result: rule.Result
    villages: str  # the villages of the counted posts, in order of service
    last_post_label: str
    stop: AllowanceStop | None
    disqualifications: list


def _labels(kinds):
    return dict(kinds.choices)


def assess_people(*, people, county_id, month):
    """Each person's ``Row`` for ``month`` ((year, month)); ``people`` a queryset of persons (five
    queries whatever its size: settings, tables and bands, tenures, disqualifications, stops)."""
    settings = settings_for(county_id)
    rules = rules_for(settings)
    tables = [t for _model, t in tables_for(county_id)]
    tenures = (
        Tenure.objects.filter(person__in=people, post__in=list(rules.posts), village__isnull=False)
        .select_related("person__township", "village")
        .order_by("person_id", "started_on", "pk")
    )
    held, persons, villages = {}, {}, {}
    for tenure in tenures:
        persons[tenure.person_id] = tenure.person
        held.setdefault(tenure.person_id, []).append(
            rule.Held(tenure.post, tenure.village_id, tenure.started_on, tenure.ended_on)
        )
        names = villages.setdefault(tenure.person_id, [])
        if tenure.village.name not in names:
            names.append(tenure.village.name)
    disqualified, stops = {}, {}
    for entry in AllowanceDisqualification.objects.filter(person_id__in=list(persons)).order_by("occurred_on", "pk"):
        disqualified.setdefault(entry.person_id, []).append(entry)
    for entry in AllowanceStop.objects.filter(person_id__in=list(persons)).order_by("stopped_on", "pk"):
        stops.setdefault(entry.person_id, entry)
    kinds, stop_kinds, posts = (
        _labels(DisqualificationKind),
        _labels(AllowanceStopKind),
        _labels(PostKind),
    )
    rows = []
    for person_id, person in persons.items():
        marks = [rule.Mark(d.occurred_on, str(kinds[d.kind]), d.reason) for d in disqualified.get(person_id, [])]
        stop = stops.get(person_id)
        stop_marks = [rule.Mark(stop.stopped_on, str(stop_kinds[stop.kind]), stop.reason)] if stop else []
        result = rule.assess(
            held=held[person_id],
            birth_date=birth_date_of(person),
            month=month,
            rules=rules,
            tables=tables,
            disqualifications=marks,
            stops=stop_marks,
            post_labels=posts,
        )
        rows.append(
            Row(
                person,
                result,
                "、".join(villages[person_id]),
                str(posts.get(result.last_post, "")),
                stop,
                disqualified.get(person_id, []),
            )
        )
    return rows


def roster(*, user, month):
    """The month's recipients in the user's scope (people of the user's township for township staff)."""
    if user.county_id is None and not user.is_superuser:
        return []
    people = scope_for(user, Person.objects.all())
    county_id = user.county_id
    rows = assess_people(people=people.values("pk"), county_id=county_id, month=month)
    return [row for row in rows if row.result.eligible]


def total_of(rows):
    return sum((row.result.amount for row in rows), Decimal(0))


def person_allowance(*, person, month):
    """One person's ``Row`` for ``month``; None when they never held a counted post."""
    rows = assess_people(
        people=Person.objects.filter(pk=person.pk).values("pk"), county_id=person.township.county_id, month=month
    )
    return rows[0] if rows else None


def changes_since(*, user, since):
    """Tenure changes recorded for the roster in the user's scope after ``since`` (None: the last 30 days)."""
    rows = scope_for(user, AllowanceChange.objects.select_related("person"))
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    else:
        rows = rows.filter(created_at__gte=timezone.now() - datetime.timedelta(days=30))
    return list(rows.order_by("-created_at", "-pk")[:50])


def history(*, user):
    """The latest stops and disqualifications in the user's scope (the roster's history)."""
    stops = list(scope_for(user, AllowanceStop.objects.select_related("person")).order_by("-stopped_on", "-pk")[:50])
    barred = list(
        scope_for(user, AllowanceDisqualification.objects.select_related("person")).order_by("-occurred_on", "-pk")[:50]
    )
    return stops, barred
