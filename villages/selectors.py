"""Reads for villages and organizations."""

from django.db.models import Count, Q

from townships.scoping import scope_for

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
