def navigation(request):
    """Role flags the base template needs for its navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_county": user.is_county_level,
        "nav_is_admin": user.is_county_admin,
        "nav_township_id": user.township_id,
        # A village login's menu lists only the pages open to it (townships.village_access).
        "nav_is_village": user.is_village_staff,
    }
