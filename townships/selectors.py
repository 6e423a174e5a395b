"""Reads for the registry core: the county glance and the township lists."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from villages.choices import OrganizationKind, VillageKind
from villages.models import PartyOrganization, Village

from .models import Township
from .scoping import scope_for


@dataclass(frozen=True)
class CountyGlance:
    townships: int
    villages: int
    communities: int
    population: int
    households: int
    organizations: dict  # kind label → count
    township_rows: list


def county_glance(*, user):
    """The county at a glance in three aggregate queries, whatever its size."""
    townships = scope_for(user, Township.objects.filter(is_active=True)).select_related("county")
    village_totals = scope_for(user, Village.objects.filter(is_active=True)).aggregate(
        villages=Count("pk", filter=Q(kind=VillageKind.VILLAGE)),
        communities=Count("pk", filter=Q(kind=VillageKind.COMMUNITY)),
        population=Sum("population"),
        households=Sum("households"),
    )
    org_counts = dict(
        scope_for(user, PartyOrganization.objects.filter(is_active=True))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    rows = list(townships.order_by("sort_key", "name"))
    return CountyGlance(
        townships=len(rows),
        villages=village_totals["villages"] or 0,
        communities=village_totals["communities"] or 0,
        population=village_totals["population"] or 0,
        households=village_totals["households"] or 0,
        organizations={OrganizationKind(k).label: org_counts.get(k, 0) for k in OrganizationKind.values},
        township_rows=rows,
    )


def township_list(*, user):
    return scope_for(user, Township.objects.select_related("county"))
