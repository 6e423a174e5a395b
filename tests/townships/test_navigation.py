"""The navigation menu is rendered once per role's flags and language: each role still sees its own
menu, whichever role's page was rendered before it in the same process."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

AUDIT, SETTINGS, LOGINS, REVIEW, VILLAGE_HOME = (
    reverse("audit-list"),
    reverse("county-settings"),
    reverse("village-login-list"),
    reverse("entry-review-list"),
    reverse("village-home"),
)
# What each role's menu links to (True) and must not (False).
MENUS = {
    "admin": {AUDIT: True, SETTINGS: True, LOGINS: True, REVIEW: True, VILLAGE_HOME: False},
    "viewer": {AUDIT: False, SETTINGS: True, LOGINS: False, REVIEW: False, VILLAGE_HOME: False},
    "staff": {AUDIT: False, SETTINGS: False, LOGINS: False, REVIEW: True, VILLAGE_HOME: False},
    "village": {AUDIT: False, SETTINGS: False, LOGINS: False, REVIEW: False, VILLAGE_HOME: True},
}


def _menu(html):
    start = html.index('class="navbar-nav me-auto"')
    return html[start : html.index("user-box", start)]


def test_each_role_sees_its_own_menu_in_any_order(client, admin_user, viewer_user, staff_user, village):
    users = {
        "admin": admin_user,
        "viewer": viewer_user,
        "staff": staff_user,
        "village": factories.village_staff(village),
    }
    for order in (["admin", "viewer", "staff", "village"], ["village", "staff", "viewer", "admin"]):
        for role in order:
            client.force_login(users[role])
            page = client.get(VILLAGE_HOME if role == "village" else reverse("home"), follow=True)
            assert page.status_code == 200, role
            menu = _menu(page.content.decode())
            for url, shown in MENUS[role].items():
                assert (f'href="{url}"' in menu) is shown, (role, url)
