"""Check 15, sessions: idle expiry, rotation at login, a disabled account's sessions.

The 12-hour absolute limit and the lockout have their tests in tests/townships; the
headers a production response carries (HSTS, nosniff, frame denial, CSP, no-store) are
checked on gunicorn with DEBUG off in tests/integration/test_release.py, and
``check --deploy`` runs in .ci/run."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def test_the_session_cookie_lives_thirty_idle_minutes_and_is_renewed_by_each_request(client, admin_user):
    _login(client, admin_user)
    response = client.get(reverse("home"))
    cookie = response.cookies["sessionid"]
    assert int(cookie["max-age"]) == 30 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    stored = Session.objects.get(session_key=cookie.value)
    assert stored.expire_date > timezone.now() + datetime.timedelta(minutes=29)


def test_a_session_idle_for_thirty_minutes_is_over(client, admin_user):
    _login(client, admin_user)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_session_id_changes_at_login(client, admin_user):
    client.get(reverse("login"))
    session = client.session
    session["before_login"] = "x"
    session.save()
    before = client.cookies["sessionid"].value
    _login(client, admin_user)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_disabled_account_is_signed_out_on_its_next_request(client, staff_user):
    _login(client, staff_user)
    assert client.get(reverse("village-list")).status_code == 200
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    response = client.get(reverse("village-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_a_disabled_accounts_api_tokens_stop_at_once(staff_user):
    from rest_framework.test import APIClient

    from tests import factories

    api = APIClient()
    factories.use_token(api, staff_user)
    assert api.get("/api/v1/villages/").status_code == 200
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    assert api.get("/api/v1/villages/").status_code == 401
