"""/api/v1/townships/ and what every endpoint shares: authentication, scoping, paging, ordering, methods."""

import pytest
from knox.models import AuthToken

from tests import factories
from tests.factories import use_token
from townships.choices import TownshipKind
from townships.models import Township

pytestmark = pytest.mark.django_db

LIST = "/api/v1/townships/"


def detail(pk):
    return f"{LIST}{pk}/"


@pytest.fixture
def registry(county, township, other_township):
    """Two townships of our county (from conftest) plus one in another county."""
    foreign = factories.TownshipFactory(county=factories.CountyFactory(name="邻县"), name="外县镇")
    return {"mine": township, "sibling": other_township, "foreign": foreign}


# --- who sees what -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "viewer", "token"])
def test_county_roles_list_every_township_of_their_county_only(
    api, role, admin_user, viewer_user, client_user, registry
):
    if role == "token":
        use_token(api, client_user)
    else:
        api.force_login(admin_user if role == "admin" else viewer_user)
    response = api.get(LIST)
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"城关镇", "青石乡"}
    mine = api.get(detail(registry["mine"].pk))
    assert mine.status_code == 200
    assert mine.json()["county_name"] == "测试县"
    assert api.get(detail(registry["foreign"].pk)).status_code == 404


def test_township_staff_see_their_own_township_and_404_for_the_neighbour(api, staff_user, registry):
    api.force_login(staff_user)
    body = api.get(LIST).json()
    assert [row["name"] for row in body["results"]] == ["城关镇"]
    assert api.get(detail(registry["mine"].pk)).status_code == 200
    hidden = api.get(detail(registry["sibling"].pk))
    missing = api.get(detail(999_999))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_anonymous_gets_401_with_a_json_detail_and_the_token_challenge(api, registry):
    for url in (LIST, detail(registry["mine"].pk), "/api/v1/"):
        response = api.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "detail" in response.json()


def test_a_user_without_scope_is_refused(api, registry):
    stray = factories.UserFactory(county=None, township=None)
    api.force_login(stray)
    assert api.get(LIST).status_code == 403


def test_a_deactivated_clients_token_stops_working(api, client_user, registry):
    use_token(api, client_user)
    assert api.get(LIST).status_code == 200
    client_user.is_active = False
    client_user.save(update_fields=["is_active"])
    response = api.get(LIST)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_api_root_lists_the_registry_endpoints(api, admin_user):
    api.force_login(admin_user)
    root = api.get("/api/v1/").json()
    assert {"townships", "villages", "organizations"} <= set(root)


# --- the shape of a row --------------------------------------------------------------


def test_a_township_row_has_codes_labels_and_stored_totals(api, admin_user, township):
    township.kind = TownshipKind.SUBDISTRICT
    township.division_code = "410523100000"
    township.population = 12345
    township.save()
    api.force_login(admin_user)
    row = api.get(detail(township.pk)).json()
    assert row == {
        "id": township.pk,
        "name": "城关镇",
        "kind": "subdistrict",
        "kind_display": "街道",
        "county": township.county_id,
        "county_name": "测试县",
        "division_code": "410523100000",
        "sort_key": township.sort_key,
        "is_active": True,
        "village_count": township.village_count,
        "population": 12345,
        "households": township.households,
    }


# --- query counts -----------------------------------------------------------------------


def test_list_query_count_is_pinned_for_session_and_token(
    api, admin_user, client_user, county, registry, django_assert_num_queries
):
    for _ in range(3):
        factories.TownshipFactory(county=county)
    api.force_authenticate(admin_user)
    with django_assert_num_queries(2):  # count, page (county joined)
        assert api.get(LIST).json()["count"] == 5
    api.force_authenticate(None)
    use_token(api, client_user)
    # knox adds two: the token with its user, and the sweep of the user's expired tokens.
    with django_assert_num_queries(4):
        assert api.get(LIST).status_code == 200
    for _ in range(6):
        factories.TownshipFactory(county=county)
    # The token was checked a moment ago: it is taken from the cache (API_TOKEN_CACHE_SECONDS).
    with django_assert_num_queries(2):
        assert api.get(LIST).json()["count"] == 11


def test_a_cached_token_stops_working_the_moment_it_is_revoked_or_its_user_is_deactivated(
    api, client_user, county, registry
):
    use_token(api, client_user)
    assert api.get(LIST).status_code == 200  # now cached
    AuthToken.objects.filter(user=client_user).delete()
    assert api.get(LIST).status_code == 401
    use_token(api, client_user)
    assert api.get(LIST).status_code == 200
    client_user.is_active = False
    client_user.save()
    assert api.get(LIST).status_code == 401


# --- filters, ordering, paging ---------------------------------------------------------------


def test_filters_use_the_page_parameter_names(api, admin_user, county, registry):
    factories.TownshipFactory(county=county, name="东城街道", kind=TownshipKind.SUBDISTRICT, is_active=False)
    api.force_login(admin_user)

    def names(**params):
        return {row["name"] for row in api.get(LIST, params).json()["results"]}

    assert names(kind="subdistrict") == {"东城街道"}
    assert names(q="城") == {"城关镇", "东城街道"}
    assert names(is_active="false") == {"东城街道"}
    assert names(is_active="true", q="城") == {"城关镇"}


def test_a_nonsense_filter_value_is_a_400_naming_the_parameter(api, admin_user, registry):
    api.force_login(admin_user)
    response = api.get(LIST, {"kind": "castle"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_ordering_by_an_allowed_field_and_unknown_fields_fall_back_to_the_default(api, admin_user, registry):
    registry["mine"].population, registry["sibling"].population = 10, 20
    registry["mine"].save()
    registry["sibling"].save()
    api.force_login(admin_user)

    def order(**params):
        return [row["name"] for row in api.get(LIST, params).json()["results"]]

    assert order(ordering="-population") == ["青石乡", "城关镇"]
    assert order(ordering="population") == ["城关镇", "青石乡"]
    by_sort_key = order()
    assert by_sort_key == [t.name for t in sorted([registry["mine"], registry["sibling"]], key=lambda t: t.sort_key)]
    assert order(ordering="password") == by_sort_key  # not an ordering field: ignored, not a leak
    assert order(ordering="county__name") == by_sort_key


def test_ties_are_broken_by_id_so_pages_do_not_overlap(api, admin_user, county):
    rows = [factories.TownshipFactory(county=county, population=100) for _ in range(7)]
    api.force_login(admin_user)
    seen = []
    for page in (1, 2, 3, 4):
        response = api.get(LIST, {"ordering": "population", "page_size": 2, "page": page})
        seen += [row["id"] for row in response.json()["results"]]
    assert seen == sorted(t.pk for t in rows)
    descending = [row["id"] for row in api.get(LIST, {"ordering": "-population"}).json()["results"]]
    assert descending == sorted(t.pk for t in rows)  # the tie-break stays ascending


def test_page_size_is_the_clients_choice_up_to_500(api, admin_user, county):
    Township.objects.bulk_create([Township(county=county, name=f"镇{i:03d}", sort_key=f"{i:04d}") for i in range(505)])
    api.force_login(admin_user)
    assert len(api.get(LIST).json()["results"]) == 50
    assert len(api.get(LIST, {"page_size": 7}).json()["results"]) == 7
    body = api.get(LIST, {"page_size": 100_000}).json()
    assert body["count"] == 505
    assert len(body["results"]) == 500
    assert body["next"] is not None


def test_a_page_past_the_end_is_a_json_404(api, admin_user, registry):
    api.force_login(admin_user)
    for page in ("99", "abc"):
        response = api.get(LIST, {"page": page})
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


def test_a_non_numeric_id_is_a_404_not_a_500(api, admin_user, registry):
    api.force_login(admin_user)
    assert api.get(detail("abc")).status_code == 404


# --- read-only ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_even_for_the_county_admin(api, admin_user, registry, method):
    api.force_authenticate(admin_user)
    url = LIST if method == "post" else detail(registry["mine"].pk)
    response = getattr(api, method)(url, {"name": "新镇"}, format="json")
    assert response.status_code == 405
    registry["mine"].refresh_from_db()
    assert registry["mine"].name == "城关镇"


@pytest.mark.parametrize("role", ["viewer", "staff", "token"])
def test_other_roles_are_refused_writes_before_the_method_check(
    api, role, viewer_user, staff_user, client_user, registry
):
    if role == "token":
        use_token(api, client_user)
    else:
        api.force_authenticate(viewer_user if role == "viewer" else staff_user)
    assert api.post(LIST, {"name": "新镇"}, format="json").status_code == 403
    assert api.delete(detail(registry["mine"].pk)).status_code == 403


def test_every_ordering_ends_with_the_primary_key():
    from django.test import RequestFactory
    from rest_framework.request import Request

    from townships.api.views import StableOrderingFilter, TownshipViewSet

    def ordering(**params):
        request = Request(RequestFactory().get(LIST, params))
        return StableOrderingFilter().get_ordering(request, Township.objects.all(), TownshipViewSet())

    assert ordering() == ["sort_key", "name", "pk"]
    assert ordering(ordering="-population,name") == ["-population", "name", "pk"]
    assert ordering(ordering="secret") == ["sort_key", "name", "pk"]


def test_the_api_answers_json_in_chinese_to_a_session_write_without_csrf_and_to_format_api(staff_user, township):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    body = {"village": 1, "year": 2026, "month": 3, "values": {}}
    response = browser.post("/api/v1/reports/", body, content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert "CSRF 令牌" in response.json()["detail"] and "Failed" not in response.json()["detail"]
    for query in ("format=api", "format=html"):
        response = browser.get(f"/api/v1/townships/?{query}", HTTP_ACCEPT="text/html")
        assert response["Content-Type"] == "application/json", query
        assert response.status_code == 404 and response.json()["detail"] == "未找到。"
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser sends
    response = browser.get("/api/v1/townships/", HTTP_ACCEPT=accept)  # JSON still
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
