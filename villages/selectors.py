"""Reads for villages and organizations."""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, Sum, Value, When

from townships.choices import Role
from townships.dates import add_months
from townships.models import Township
from townships.scoping import scope_for

from .choices import OrganizationKind, VillageKind
from .models import PartyOrganization, Village
from .terms import TERM_DUE_MONTHS, TermState


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


# --- 换届: terms ended or ending soon ------------------------------------------------


def terms_due(*, townships, today, months=TERM_DUE_MONTHS):
    """Active organizations of ``townships`` due for 换届, earliest 届满 first.

    Due means the term has ended (``term_end <= today``: 已届满, ``term_state`` "overdue") or
    ends within ``months`` calendar months (``term_end <= today + months``: "due"). An
    organization with no recorded term is not listed. ``townships`` is a queryset (already
    scoped by the caller) or a list of townships. Township and village come in the same query.
    """
    horizon = add_months(today, months)
    return (
        PartyOrganization.objects.filter(
            township__in=townships, is_active=True, term_end__isnull=False, term_end__lte=horizon
        )
        .select_related("township", "village")
        .annotate(
            term_state=Case(
                When(term_end__lte=today, then=Value(TermState.OVERDUE.value)),
                default=Value(TermState.DUE.value),
                output_field=CharField(),
            )
        )
        .order_by("term_end", "township__sort_key", "township__name", "name", "pk")
    )


def terms_due_counts(*, townships, today, months=TERM_DUE_MONTHS):
    """``{"overdue": n, "due": m}`` of ``terms_due`` in one aggregate query."""
    return (
        terms_due(townships=townships, today=today, months=months)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=Q(term_end__lte=today)),
            due=Count("pk", filter=Q(term_end__gt=today)),
        )
    )


def terms_due_list(*, user, today, months=TERM_DUE_MONTHS):
    """The 换届提醒 list page's rows: ``terms_due`` over the user's active townships."""
    return terms_due(townships=scope_for(user, Township.objects.filter(is_active=True)), today=today, months=months)


def terms_due_card(*, townships, today, months=TERM_DUE_MONTHS, limit=5, township=None):
    """What ``templates/villages/inc_terms_due.html`` shows, in two queries: the counts and
    the first ``limit`` organizations (earliest 届满 first). ``township``: the one township
    the card stands on, so its link opens the list filtered to it."""
    counts = terms_due_counts(townships=townships, today=today, months=months)
    return {
        "overdue": counts["overdue"],
        "due": counts["due"],
        "total": counts["overdue"] + counts["due"],
        "first": list(terms_due(townships=townships, today=today, months=months)[:limit]),
        "today": today,
        "months": months,
        "township": township,
    }


def village_logins(*, user):
    """The village logins in the user's scope, by township and village (one query)."""
    return (
        scope_for(user, Village.objects.all())
        .filter(users__role=Role.VILLAGE_STAFF)
        .values_list(
            "township__name",
            "name",
            "users__pk",
            "users__username",
            "users__first_name",
            "users__is_active",
            "users__last_login",
        )
        .order_by("township__sort_key", "township__name", "sort_key", "name", "users__username")
    )
