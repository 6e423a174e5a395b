"""The /api/v1/ registry endpoints: scoping, filters, ordering, paging, tokens and the schema."""

import datetime

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests import factories
from townships.models import AuditEvent
from villages.choices import OrganizationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def registry(county, township, other_township):
    villages = [factories.VillageFactory(township=township, population=1000 + i) for i in range(4)]
    villages += [factories.VillageFactory(township=other_township) for _ in range(3)]
    committee = factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")
    for village in villages[:4]:
        branch = factories.PartyOrganizationFactory(
            township=township,
            village=village,
            parent=committee,
            kind=OrganizationKind.BRANCH,
            name=f"{village.name}支部",
        )
        branch.joint_villages.set([])
    return villages


def token_for(user):
    _instance, token = AuthToken.objects.create(user=user)
    return token


def test_token_client_lists_villages_filtered_by_township(api, county, township, registry, django_assert_num_queries):
    client_user = factories.api_client_user(county)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(client_user)}")
    # knox: token with user, the user's expired-token sweep; the township filter's
    # lookup; count; page. Pinned, and the same with more rows.
    with django_assert_num_queries(5):
        response = api.get("/api/v1/villages/", {"township": township.pk})
    for _ in range(5):
        factories.VillageFactory(township=township)
    with django_assert_num_queries(5):
        assert api.get("/api/v1/villages/", {"township": township.pk}).json()["count"] == 9
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert {row["township_name"] for row in body["results"]} == {"城关镇"}
    assert body["results"][0]["kind_display"] == "行政村"


def test_list_query_counts_do_not_grow(api, admin_user, registry, django_assert_num_queries):
    api.force_authenticate(admin_user)
    with django_assert_num_queries(2):
        assert api.get("/api/v1/townships/").status_code == 200
    with django_assert_num_queries(2):
        assert api.get("/api/v1/villages/").status_code == 200
    with django_assert_num_queries(3):  # count, page, joint villages prefetch
        assert api.get("/api/v1/organizations/").status_code == 200


def test_township_staff_see_only_their_township_and_get_404_elsewhere(api, staff_user, registry, other_village):
    api.force_authenticate(staff_user)
    names = {row["township_name"] for row in api.get("/api/v1/villages/").json()["results"]}
    assert names == {"城关镇"}
    foreign = registry[-1]
    missing = api.get("/api/v1/villages/999999/")
    hidden = api.get(f"/api/v1/villages/{foreign.pk}/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert api.get(f"/api/v1/townships/{foreign.township_id}/").status_code == 404


def test_another_countys_rows_are_invisible_to_county_staff(api, admin_user, other_county):
    foreign = factories.VillageFactory(township=factories.TownshipFactory(county=other_county))
    api.force_authenticate(admin_user)
    assert api.get(f"/api/v1/villages/{foreign.pk}/").status_code == 404


def test_anonymous_is_refused(api, registry):
    assert api.get("/api/v1/villages/").status_code in (401, 403)


def test_revoked_and_expired_tokens_get_401(api, county, registry):
    client_user = factories.api_client_user(county, username="city-bi")
    token = token_for(client_user)
    call_command("revoke_token", "city-bi")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/villages/").status_code == 401
    instance, expired = AuthToken.objects.create(user=client_user, expiry=datetime.timedelta(seconds=-1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {expired}")
    assert api.get("/api/v1/villages/").status_code == 401


def test_issue_token_prints_a_working_token_and_audits(api, county, registry, capsys):
    call_command("issue_token", "province-sync")
    token = capsys.readouterr().out.strip()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/villages/").json()["count"] == 7
    assert AuditEvent.objects.filter(action="token_issued", target_repr="province-sync").exists()
    assert token not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_api_clients_cannot_write(api, county, registry):
    client_user = factories.api_client_user(county)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(client_user)}")
    response = api.post("/api/v1/villages/", {"name": "新村"}, format="json")
    assert response.status_code == 403


def test_writes_are_not_offered_even_to_admins(api, admin_user, registry):
    api.force_authenticate(admin_user)
    assert api.post("/api/v1/villages/", {"name": "新村"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/villages/{registry[0].pk}/").status_code == 405


def test_filters_ordering_and_bounded_pages(api, admin_user, registry):
    api.force_authenticate(admin_user)
    ordered = api.get("/api/v1/villages/", {"ordering": "-population"}).json()["results"]
    assert [r["population"] for r in ordered] == sorted((r["population"] for r in ordered), reverse=True)
    assert api.get("/api/v1/villages/", {"page_size": 10000}).status_code == 200
    assert api.get("/api/v1/villages/", {"page": 99}).status_code == 404
    assert api.get("/api/v1/villages/", {"township": "abc"}).status_code == 400
    assert api.get("/api/v1/villages/", {"kind": "castle"}).status_code == 400
    assert api.get("/api/v1/organizations/", {"kind": "branch"}).json()["count"] == 4


def test_page_size_is_bounded(api, admin_user, township):
    for _ in range(3):
        factories.VillageFactory(township=township)
    from townships.api.pagination import BoundedPageNumberPagination

    assert BoundedPageNumberPagination.max_page_size == 500
    api.force_authenticate(admin_user)
    assert len(api.get("/api/v1/villages/", {"page_size": 2}).json()["results"]) == 2


def test_schema_is_openapi_3_and_docs_use_no_cdn(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/villages/" in document["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "https://" not in docs.replace("https://swagger.io", "")


def test_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
