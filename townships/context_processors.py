import functools

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import mark_safe


@functools.lru_cache(maxsize=64)
def _menu(flags, language, prefix):
    """The navigation menu for one set of role flags (``flags``: sorted (name, value) pairs), rendered
    once per process, language and script prefix: its links and labels never change at run time."""
    return mark_safe(render_to_string("inc/nav_menu.html", dict(flags)))  # noqa: S308 (our own template)


def navigation(request):
    """Role flags the base template needs for its navigation, and the menu they give."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    flags = {
        "nav_is_county": user.is_county_level,
        "nav_is_admin": user.is_county_admin,
        # A village login's menu lists only the pages open to it (townships.village_access).
        "nav_is_village": user.is_village_staff,
        "nav_is_superuser": user.is_superuser,
    }
    menu = _menu(tuple(sorted(flags.items())), translation.get_language(), get_script_prefix())
    return {**flags, "nav_township_id": user.township_id, "nav_menu": menu}
