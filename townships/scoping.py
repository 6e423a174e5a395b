"""The one scoping mechanism: which rows a user may see and change.

Every page, API endpoint, export, import and task acting for a user goes
through ``scope_for``. Each scoped model names two lookup paths:
``scope_county_path`` (to its county's id) and ``scope_township_path`` (to its
township's id). Rows outside the user's scope are simply absent, so a lookup
of another township's object answers 404 exactly as a missing one does.

A model a village login (村级账号) may read also names ``scope_village_path`` (to its
village's id). A model without one shows a village login nothing: what a village
sees is opted into, model by model, never inherited from the township path.
"""

from django.http import Http404

from .choices import Role


def scope_for(user, queryset):
    """Return ``queryset`` narrowed to what ``user`` may see."""
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.role == Role.VILLAGE_STAFF:
        path = getattr(model, "scope_village_path", None)
        if path is None or user.village_id is None or user.township_id is None:
            return queryset.none()
        return queryset.filter(**{path: user.village_id})
    if user.role == Role.TOWNSHIP_STAFF:
        if user.township_id is None:
            return queryset.none()
        narrowed = queryset.filter(**{model.scope_township_path: user.township_id})
        # A county-wide record a township reads only in some state (a bulletin once published).
        only = getattr(model, "scope_township_only", None)
        return narrowed.filter(only) if only is not None else narrowed
    if user.county_id is None:
        return queryset.none()
    return queryset.filter(**{model.scope_county_path: user.county_id})


def get_scoped_or_404(user, queryset, **lookup):
    """Fetch one row within the user's scope; out of scope is the same 404 as missing."""
    try:
        return scope_for(user, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_manage_registry(user):
    """Create and deactivate townships and villages: the county administrator only."""
    return user.is_authenticated and (user.is_superuser or user.role == Role.COUNTY_ADMIN)


def can_edit_in_township(user, township_id):
    """Edit village statistics and Party organizations of one township.

    The county administrator edits any township of the county (scoping has
    already narrowed it); township staff edit their own township only.
    Viewers and API clients never write.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.COUNTY_ADMIN:
        return True
    return user.role == Role.TOWNSHIP_STAFF and user.township_id == township_id


def can_reveal_personal_data(user):
    """Who may ask to see an ID number or phone in full (always audited).

    The county administrator and township staff handle transfers and contact
    members; viewers and API clients work with masked data only.
    """
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF)


def can_write_records(user):
    """Record members, cadres and meetings: the county administrator and township staff.

    Not a village login: what it enters goes through ``can_submit_village_entries`` and waits
    for its township's approval."""
    return user.is_authenticated and (user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF))


def can_submit_village_entries(user, village_id=None):
    """A village login enters its own village's records (meetings, progress, tallies) for its
    township to approve; ``village_id``, when given, must be its own village."""
    if not (user.is_authenticated and user.is_active and user.role == Role.VILLAGE_STAFF):
        return False
    if user.village_id is None or user.township_id is None:
        return False
    return village_id is None or village_id == user.village_id


def can_review_village_entries(user, township_id):
    """Approve or return a village's entries (村级填报审核): the township's own staff, or the
    county administrator (scoping has already narrowed the entry to the county)."""
    return can_edit_in_township(user, township_id)
