"""/api/v1/villages/ and /api/v1/organizations/: scoping, row shape, filters, ordering, query counts."""

import datetime

import pytest

from tests import factories
from tests.factories import use_token
from villages.choices import OrganizationKind, ShowcaseType, VillageKind

pytestmark = pytest.mark.django_db

VILLAGES = "/api/v1/villages/"
ORGANIZATIONS = "/api/v1/organizations/"


def authenticate(api, role, users):
    if role == "token":
        use_token(api, users["token"])
    else:
        api.force_login(users[role])


@pytest.fixture
def users(admin_user, viewer_user, staff_user, client_user):
    return {"admin": admin_user, "viewer": viewer_user, "staff": staff_user, "token": client_user}


def add_branches(township, villages, committee):
    return [
        factories.PartyOrganizationFactory(
            township=township, village=v, parent=committee, kind=OrganizationKind.BRANCH, name=f"{v.name}党支部"
        )
        for v in villages
    ]


@pytest.fixture
def registry(county, township, other_township, village, other_village):
    """城关镇: 李家村 + 3 more, a committee and a branch per village; 青石乡: 王庄村 with its branch; one foreign village."""
    mine = [village] + [factories.VillageFactory(township=township) for _ in range(3)]
    committee = factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")
    branches = add_branches(township, mine, committee)
    other_committee = factories.PartyOrganizationFactory(township=other_township, name="中共青石乡委员会")
    other_branch = add_branches(other_township, [other_village], other_committee)[0]
    foreign_township = factories.TownshipFactory(county=factories.CountyFactory(name="邻县"))
    foreign_village = factories.VillageFactory(township=foreign_township)
    foreign_org = factories.PartyOrganizationFactory(township=foreign_township, name="外县党委")
    return {
        "mine": mine,
        "committee": committee,
        "branches": branches,
        "other_village": other_village,
        "other_committee": other_committee,
        "other_branch": other_branch,
        "foreign_village": foreign_village,
        "foreign_org": foreign_org,
    }


# --- who sees what -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "viewer", "token"])
def test_county_roles_see_the_whole_county_and_nothing_beyond(api, role, users, registry):
    authenticate(api, role, users)
    villages = api.get(VILLAGES).json()
    assert villages["count"] == 5
    organizations = api.get(ORGANIZATIONS).json()
    assert organizations["count"] == 7
    assert api.get(f"{VILLAGES}{registry['other_village'].pk}/").status_code == 200
    assert api.get(f"{ORGANIZATIONS}{registry['other_branch'].pk}/").status_code == 200
    assert api.get(f"{VILLAGES}{registry['foreign_village'].pk}/").status_code == 404
    assert api.get(f"{ORGANIZATIONS}{registry['foreign_org'].pk}/").status_code == 404


def test_township_staff_see_their_township_only_and_404_like_a_missing_id(api, staff_user, registry):
    api.force_login(staff_user)
    villages = api.get(VILLAGES).json()
    assert villages["count"] == 4
    assert {row["township_name"] for row in villages["results"]} == {"城关镇"}
    assert api.get(ORGANIZATIONS).json()["count"] == 5
    assert api.get(f"{VILLAGES}{registry['mine'][0].pk}/").status_code == 200
    for url, hidden in (
        (VILLAGES, registry["other_village"]),
        (ORGANIZATIONS, registry["other_branch"]),
        (ORGANIZATIONS, registry["other_committee"]),
    ):
        hidden_response = api.get(f"{url}{hidden.pk}/")
        missing_response = api.get(f"{url}999999/")
        assert hidden_response.status_code == missing_response.status_code == 404
        assert hidden_response.json() == missing_response.json()


def test_filtering_by_another_township_answers_like_a_nonexistent_one(api, staff_user, registry, other_township):
    api.force_login(staff_user)
    hidden = api.get(VILLAGES, {"township": other_township.pk})
    missing = api.get(VILLAGES, {"township": 999_999})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json().keys() == missing.json().keys() == {"township"}
    assert api.get(ORGANIZATIONS, {"township": other_township.pk}).status_code == 400


@pytest.mark.parametrize("url", [VILLAGES, ORGANIZATIONS])
def test_anonymous_gets_401(api, registry, url):
    response = api.get(url)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert api.get(f"{url}{registry['mine'][0].pk}/").status_code == 401


# --- the shape of a row ----------------------------------------------------------------


def test_a_village_row_carries_its_township_and_both_code_and_label(api, admin_user, village, township):
    village.kind = VillageKind.COMMUNITY
    village.showcase_type = ShowcaseType.TOURISM
    village.save()
    api.force_login(admin_user)
    row = api.get(f"{VILLAGES}{village.pk}/").json()
    assert row["township"] == township.pk
    assert row["township_name"] == "城关镇"
    assert (row["kind"], row["kind_display"]) == ("community", "社区")
    assert (row["showcase_type"], row["showcase_type_display"]) == ("tourism", "旅游拉动型")
    assert {"natural_villages", "villager_groups", "households", "population", "division_code"} <= set(row)


def test_an_organization_row_links_parent_village_township_and_joint_villages(api, admin_user, registry, township):
    joint = factories.PartyOrganizationFactory(
        township=township,
        village=registry["mine"][1],
        parent=registry["committee"],
        kind=OrganizationKind.BRANCH,
        name="联合党支部",
        term_start=datetime.date(2021, 3, 1),
        term_end=datetime.date(2026, 3, 1),
    )
    joint.joint_villages.set([registry["mine"][2], registry["mine"][3]])
    api.force_login(admin_user)
    row = api.get(f"{ORGANIZATIONS}{joint.pk}/").json()
    assert row["parent"] == registry["committee"].pk
    assert row["village"] == registry["mine"][1].pk
    assert row["village_name"] == registry["mine"][1].name
    assert row["township"] == township.pk
    assert row["township_name"] == "城关镇"
    assert sorted(row["joint_villages"]) == sorted([registry["mine"][2].pk, registry["mine"][3].pk])
    assert (row["kind"], row["kind_display"]) == ("branch", "党支部")
    assert (row["term_start"], row["term_end"]) == ("2021-03-01", "2026-03-01")
    committee = api.get(f"{ORGANIZATIONS}{registry['committee'].pk}/").json()
    assert committee["parent"] is None and committee["village"] is None and committee["village_name"] is None


# --- query counts --------------------------------------------------------------------------


def test_village_list_query_count_does_not_grow_with_rows(
    api, admin_user, client_user, registry, township, django_assert_num_queries
):
    api.force_authenticate(admin_user)
    with django_assert_num_queries(2):  # count, page (township joined)
        assert api.get(VILLAGES).json()["count"] == 5
    api.force_authenticate(None)
    use_token(api, client_user)
    # knox: the token with its user, the expired-token sweep; then the township filter's
    # lookup, count, page.
    with django_assert_num_queries(5):
        assert api.get(VILLAGES, {"township": township.pk}).json()["count"] == 4
    for _ in range(6):
        factories.VillageFactory(township=township)
    # The token was checked a moment ago and is taken from the cache (API_TOKEN_CACHE_SECONDS).
    with django_assert_num_queries(3):
        assert api.get(VILLAGES, {"township": township.pk}).json()["count"] == 10


def test_organization_list_query_count_does_not_grow_with_rows(
    api, admin_user, client_user, registry, township, django_assert_num_queries
):
    registry["branches"][0].joint_villages.set(registry["mine"][1:3])
    api.force_authenticate(admin_user)
    with django_assert_num_queries(3):  # count, page (township and village joined), joint villages
        assert api.get(ORGANIZATIONS).json()["count"] == 7
    api.force_authenticate(None)
    use_token(api, client_user)
    with django_assert_num_queries(5):  # the same three plus knox's two
        assert api.get(ORGANIZATIONS).status_code == 200
    more = [factories.VillageFactory(township=township) for _ in range(5)]
    for branch in add_branches(township, more, registry["committee"]):
        branch.joint_villages.set(registry["mine"][:2])
    with django_assert_num_queries(3):  # the token from the cache this time
        assert api.get(ORGANIZATIONS).json()["count"] == 12


# --- filters and ordering -------------------------------------------------------------------


def test_village_filters_share_the_page_parameter_names(api, admin_user, registry, township, other_township):
    registry["mine"][1].kind = VillageKind.COMMUNITY
    registry["mine"][1].save()
    api.force_login(admin_user)

    def names(**params):
        response = api.get(VILLAGES, params)
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]}

    assert names(township=other_township.pk) == {"王庄村"}
    assert names(kind="community") == {registry["mine"][1].name}
    assert names(q="李家") == {"李家村"}
    assert names(township=township.pk, kind="village") == {v.name for v in registry["mine"]} - {
        registry["mine"][1].name
    }


def test_organization_filters(api, admin_user, registry, other_township):
    api.force_login(admin_user)

    def ids(**params):
        return {row["id"] for row in api.get(ORGANIZATIONS, params).json()["results"]}

    assert ids(kind="committee") == {registry["committee"].pk, registry["other_committee"].pk}
    assert ids(parent=registry["committee"].pk) == {b.pk for b in registry["branches"]}
    assert ids(village=registry["mine"][0].pk) == {registry["branches"][0].pk}
    assert ids(township=other_township.pk) == {registry["other_committee"].pk, registry["other_branch"].pk}
    assert ids(q="青石") == {registry["other_committee"].pk}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (VILLAGES, {"township": "abc"}),
        (VILLAGES, {"kind": "castle"}),
        (VILLAGES, {"population_min": "many"}),
        (ORGANIZATIONS, {"kind": "club"}),
        (ORGANIZATIONS, {"parent": "root"}),
        (ORGANIZATIONS, {"township": "1;DROP"}),
    ],
)
def test_nonsense_filter_values_are_400_naming_the_parameter(api, admin_user, registry, url, params):
    api.force_login(admin_user)
    response = api.get(url, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_villages_order_by_population_and_by_default_by_township_then_sort_key(
    api, admin_user, registry, township, other_township
):
    for population, v in zip([300, 100, 400, 200], registry["mine"], strict=True):
        v.population = population
        v.save()
    api.force_login(admin_user)

    def populations(**params):
        return [row["population"] for row in api.get(VILLAGES, {"township": township.pk, **params}).json()["results"]]

    assert populations(ordering="-population") == [400, 300, 200, 100]
    assert populations(ordering="population") == [100, 200, 300, 400]
    default = [row["township_name"] for row in api.get(VILLAGES).json()["results"]]
    first, second = sorted([township, other_township], key=lambda t: t.sort_key)
    assert default == [first.name] * default.count(first.name) + [second.name] * default.count(second.name)


def test_organizations_order_by_name(api, admin_user, registry):
    api.force_login(admin_user)
    names = [row["name"] for row in api.get(ORGANIZATIONS, {"ordering": "-name", "page_size": 100}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_paging_is_bounded_and_past_the_end_is_404(api, admin_user, registry):
    api.force_login(admin_user)
    page = api.get(VILLAGES, {"page_size": 2, "page": 3}).json()
    assert len(page["results"]) == 1 and page["next"] is None
    past = api.get(VILLAGES, {"page_size": 2, "page": 4})
    assert past.status_code == 404 and "detail" in past.json()


# --- read-only ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [VILLAGES, ORGANIZATIONS])
def test_writes_are_405_for_the_admin_and_403_for_a_token_client(api, admin_user, client_user, registry, url):
    target = registry["mine"][0] if url == VILLAGES else registry["committee"]
    api.force_authenticate(admin_user)
    assert api.post(url, {"name": "新"}, format="json").status_code == 405
    assert api.put(f"{url}{target.pk}/", {"name": "新"}, format="json").status_code == 405
    assert api.delete(f"{url}{target.pk}/").status_code == 405
    api.force_authenticate(None)
    use_token(api, client_user)
    assert api.post(url, {"name": "新"}, format="json").status_code == 403
    assert api.patch(f"{url}{target.pk}/", {"name": "新"}, format="json").status_code == 403
    target.refresh_from_db()
    assert target.name != "新"
