from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import Role


class IsScopedUser(BasePermission):
    """Any active user with a scope may read; only county administrators write.

    What they may read is decided by townships.scoping.scope_for in each view's
    get_queryset; this class only decides who may use the API at all.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role == Role.VILLAGE_STAFF:
            return False  # village logins work in their pages only (townships.village_access)
        if request.method in SAFE_METHODS:
            return user.is_superuser or user.county_id is not None or user.township_id is not None
        return user.is_superuser or user.role == Role.COUNTY_ADMIN
