"""Reads for the registry core: the township lists (the county glance lives in villages.selectors)."""

from .models import Township
from .scoping import scope_for


def township_list(*, user):
    return scope_for(user, Township.objects.select_related("county"))
