"""What a village login (村级账号) may reach: one allowlist of URL names, enforced once.

A village login works in its own village only. ``scope_for`` narrows every row it reads to that
village; this module narrows the pages: ``townships.middleware.VillageAllowlistMiddleware`` answers every other page
404 (exactly what a missing object gets, so a village learns nothing of what exists) and every API
route 404, before any view runs. Each app names its own pages here from its ``AppConfig.ready()``
(``allow_for_village("village-home")``), so the base app lists no page of the apps above it and a
new page is closed to villages until its app opens it on purpose.
"""

_ALLOWED = set()


def allow_for_village(*url_names):
    """Open the named URL patterns (``"meeting-detail"``; namespaced ``"ns:name"``) to village logins.

    Opening a page does not widen what it shows: its rows still come through ``scope_for``, which
    needs the model's ``scope_village_path``, and its writes through the permission helpers."""
    _ALLOWED.update(url_names)


def village_may_reach(view_name):
    return view_name in _ALLOWED


def allowed_names():
    return frozenset(_ALLOWED)
