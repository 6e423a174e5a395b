"""REST client tokens: the services, the two commands, the admin action and knox's 401s."""

import datetime
import io
import re

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests import factories
from townships.choices import AuditAction, Role
from townships.models import AuditEvent, User
from townships.tokens import token_issue, token_revoke, tokens_delete

pytestmark = pytest.mark.django_db

VILLAGES = "/api/v1/villages/"


def issue(*args):
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue()


def get_with(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get(VILLAGES)


# --- the command ---------------------------------------------------------------------


def test_issue_token_prints_only_a_token_that_works_as_a_header(api, county, village, other_village):
    out = issue("city-bi")
    assert re.fullmatch(r"[0-9a-f]{64}\n", out)
    response = get_with(api, out.strip())
    assert response.status_code == 200
    assert response.json()["count"] == 2  # the whole county, read-only
    client = User.objects.get(username="city-bi")
    assert client.role == Role.API_CLIENT
    assert client.county == county
    assert not is_password_usable(client.password)


def test_the_token_is_hashed_at_rest_and_absent_from_the_audit_trail(county):
    token = issue("city-bi").strip()
    stored = AuthToken.objects.get(user__username="city-bi")
    assert token not in (stored.digest, stored.token_key)
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert event.target_repr == "city-bi"
    assert event.actor_name.startswith("manage.py issue_token")
    assert event.detail["token_key"] == stored.token_key
    assert token not in str(event.detail)


def test_a_second_token_for_the_same_client_reuses_the_client(county):
    first, second = issue("city-bi").strip(), issue("city-bi").strip()
    assert first != second
    assert User.objects.filter(username="city-bi").count() == 1
    assert AuthToken.objects.filter(user__username="city-bi").count() == 2


def test_days_sets_the_expiry_and_the_default_is_the_configured_ttl(county, settings):
    issue("short", "--days", "7")
    issue("default")
    short = AuthToken.objects.get(user__username="short")
    default = AuthToken.objects.get(user__username="default")
    now = timezone.now()
    assert abs(short.expiry - (now + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    assert abs(default.expiry - (now + settings.REST_KNOX["TOKEN_TTL"])) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("days", ["0", "-3", "99999"])
def test_nonsense_days_are_refused_and_nothing_is_created(county, days):
    with pytest.raises(CommandError):
        issue("city-bi", "--days", days)
    assert not User.objects.filter(username="city-bi").exists()
    assert not AuthToken.objects.exists()


def test_with_several_counties_the_county_must_be_named(county, other_county):
    with pytest.raises(CommandError, match="--county"):
        issue("city-bi")
    issue("by-name", "--county", "邻县")
    issue("by-id", "--county", str(county.pk))
    assert User.objects.get(username="by-name").county == other_county
    assert User.objects.get(username="by-id").county == county


def test_an_unknown_county_or_none_at_all_is_a_command_error(db):
    with pytest.raises(CommandError, match="no county"):
        issue("city-bi")
    factories.CountyFactory(name="测试县")
    with pytest.raises(CommandError, match="no county matches"):
        issue("city-bi", "--county", "不存在县")
    assert not User.objects.filter(username="city-bi").exists()


def test_a_login_users_name_or_another_countys_client_is_refused(county, other_county, admin_user):
    with pytest.raises(CommandError, match="不是接口客户端"):
        issue(admin_user.username, "--county", "测试县")
    factories.api_client_user(other_county, username="their-bi")
    with pytest.raises(CommandError, match="另一个县"):
        issue("their-bi", "--county", "测试县")
    assert not AuthToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_ISSUED).exists()


def test_a_deactivated_client_gets_no_new_token(county):
    factories.api_client_user(county, username="old-bi", is_active=False)
    with pytest.raises(CommandError, match="已停用"):
        issue("old-bi")


@pytest.mark.parametrize("name", ["", "has space", "x" * 151])
def test_an_invalid_client_name_is_refused(county, name):
    with pytest.raises(CommandError):
        issue(name)
    assert not User.objects.filter(role=Role.API_CLIENT).exists()


# --- revoking and expiry ------------------------------------------------------------------


def test_revoke_token_deletes_every_token_of_the_client_and_they_get_401(api, county, village):
    first, second = issue("city-bi").strip(), issue("city-bi").strip()
    other = issue("other-bi").strip()
    out = io.StringIO()
    call_command("revoke_token", "city-bi", stdout=out)
    assert "2" in out.getvalue()
    for token in (first, second):
        response = get_with(api, token)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]
    assert get_with(api, other).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert event.target_repr == "city-bi"
    assert event.detail["revoked"] == 2


def test_revoking_an_unknown_client_is_a_command_error(county, admin_user):
    with pytest.raises(CommandError, match="没有名为"):
        call_command("revoke_token", "nobody")
    with pytest.raises(CommandError):
        call_command("revoke_token", admin_user.username)  # a login user is not a client


def test_an_expired_token_gets_401_with_a_json_detail(api, county, village):
    client = factories.api_client_user(county)
    _instance, token = AuthToken.objects.create(user=client, expiry=datetime.timedelta(seconds=-1))
    response = get_with(api, token)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_garbled_or_malformed_token_header_gets_401(api, county, village):
    assert get_with(api, "0" * 64).status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token")
    assert api.get(VILLAGES).status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token a b")
    assert api.get(VILLAGES).status_code == 401


# --- services ------------------------------------------------------------------------------


def test_services_record_the_acting_user(county, admin_user):
    token_issue(actor=admin_user, client_name="city-bi", county=county)
    token_revoke(actor=admin_user, client_name="city-bi")
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor", "target_repr"))
    assert actions == [
        (AuditAction.TOKEN_ISSUED, admin_user.pk, "city-bi"),
        (AuditAction.TOKEN_REVOKED, admin_user.pk, "city-bi"),
    ]


def test_tokens_delete_audits_once_per_client(county, admin_user):
    for name in ("a-bi", "b-bi", "b-bi"):
        token_issue(actor=None, client_name=name, county=county)
    assert tokens_delete(actor=admin_user, tokens=AuthToken.objects.all()) == 3
    revoked = dict(AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).values_list("target_repr", "detail"))
    assert {name: detail["revoked"] for name, detail in revoked.items()} == {"a-bi": 1, "b-bi": 2}


def test_token_issue_refuses_bad_days_without_a_trace(county):
    with pytest.raises(ValidationError):
        token_issue(actor=None, client_name="city-bi", county=county, days=0)
    assert not AuditEvent.objects.exists()


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def superuser(county):
    return User.objects.create_superuser("root", "root@example.org", factories.TEST_PASSWORD, county=county)


def test_the_admin_action_issues_a_token_once_for_clients_and_skips_others(client, api, superuser, county, village):
    bi = factories.api_client_user(county, username="city-bi")
    person = factories.county_viewer(county, username="viewer")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:townships_user_changelist"),
        {"action": "issue_api_token", "_selected_action": [bi.pk, person.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    tokens = [m for text in shown for m in re.findall(r"[0-9a-f]{64}", text)]
    assert len(tokens) == 1
    assert any("viewer" in text and "跳过" in text for text in shown)
    assert get_with(api, tokens[0]).status_code == 200
    assert AuthToken.objects.filter(user=person).count() == 0
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert (event.actor, event.target_repr) == (superuser, "city-bi")


def test_the_token_admin_lists_and_revokes_with_audit_but_cannot_add(client, api, superuser, county, village):
    token = token_issue(actor=None, client_name="city-bi", county=county)
    instance = AuthToken.objects.get()
    client.force_login(superuser)
    listing = client.get(reverse("admin:knox_authtoken_changelist"))
    assert listing.status_code == 200
    assert "city-bi" in listing.content.decode()
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    client.post(
        reverse("admin:knox_authtoken_changelist"),
        {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
    )
    assert not AuthToken.objects.exists()
    assert get_with(api, token).status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (event.actor, event.detail["token_keys"]) == (superuser, [instance.token_key])


def test_deleting_one_token_from_its_admin_page_is_audited(client, superuser, county):
    token_issue(actor=None, client_name="city-bi", county=county)
    instance = AuthToken.objects.get()
    client.force_login(superuser)
    response = client.post(reverse("admin:knox_authtoken_delete", args=[instance.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED, actor=superuser).count() == 1
