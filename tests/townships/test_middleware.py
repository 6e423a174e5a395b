import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from townships.middleware import SESSION_LOGIN_AT
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_sessions_expire_after_thirty_idle_minutes_and_renew_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_login_starts_the_absolute_clock_and_is_audited(client, admin_user):
    before = time.time()
    response = client.post(reverse("login"), {"username": admin_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_LOGIN_AT] >= before
    assert AuditEvent.objects.filter(action="login", actor=admin_user).exists()


def test_a_session_older_than_twelve_hours_is_logged_out(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_fresh_session_is_kept(client, admin_user):
    client.force_login(admin_user)
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert "_auth_user_id" in client.session


def test_failed_login_is_audited(client, admin_user):
    client.post(reverse("login"), {"username": admin_user.username, "password": "wrong-password"})
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"username": admin_user.username}
