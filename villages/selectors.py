"""Reads for villages and organizations."""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from townships.models import Township
from townships.scoping import scope_for

from .choices import OrganizationKind, VillageKind
from .models import PartyOrganization, Village


def village_list(*, user):
    return scope_for(user, Village.objects.select_related("township"))


def organization_list(*, user):
    return scope_for(
        user,
        PartyOrganization.objects.select_related("township", "village", "parent").annotate(
            n_joint=Count("joint_villages")
        ),
    )


def organization_tree(*, organization):
    """Ancestors (top first) and active children of an organization: one query per level above."""
    ancestors = []
    node = organization.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    children = list(
        organization.children.select_related("village").annotate(
            n_children=Count("children", filter=Q(children__is_active=True))
        )
    )
    return ancestors, children


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
