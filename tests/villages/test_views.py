import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from townships.models import AuditEvent
from villages.choices import OrganizationKind
from villages.models import PartyOrganization, Village

pytestmark = pytest.mark.django_db

# Every list page pays: session, user, the filter form's township choices, and the
# idle-timeout session save (savepoint, update, release).
FIXED = 6


@pytest.fixture
def committee(township):
    return factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")


@pytest.fixture
def tree(township, committee):
    villages = [factories.VillageFactory(township=township) for _ in range(4)]
    branches = [
        factories.PartyOrganizationFactory(
            township=township, village=v, parent=committee, kind=OrganizationKind.BRANCH, name=f"{v.name}支部"
        )
        for v in villages
    ]
    return villages, branches


def test_village_list_is_pinned_and_does_not_grow(client, admin_user, tree, township, django_assert_num_queries):
    client.force_login(admin_user)
    with django_assert_num_queries(FIXED + 2):  # count, page
        assert client.get(reverse("village-list")).status_code == 200
    for _ in range(6):
        factories.VillageFactory(township=township)
    with django_assert_num_queries(FIXED + 2):
        assert client.get(reverse("village-list")).status_code == 200
    # A township filter validates the chosen township: one more query.
    with django_assert_num_queries(FIXED + 3):
        assert client.get(reverse("village-list"), {"township": township.pk}).status_code == 200


def test_organization_list_is_pinned(client, admin_user, tree, township, committee, django_assert_num_queries):
    client.force_login(admin_user)
    # count, page, and the choices of the two selects of names (村（社区）, 上级组织): one query each.
    with django_assert_num_queries(FIXED + 4):
        assert client.get(reverse("organization-list")).status_code == 200
    for i in range(5):
        factories.PartyOrganizationFactory(
            township=township, parent=committee, kind=OrganizationKind.BRANCH, name=f"机关{i}"
        )
    with django_assert_num_queries(FIXED + 4):
        assert client.get(reverse("organization-list")).status_code == 200


def test_township_staff_get_404_for_another_townships_village_and_organization(
    client, staff_user, other_village, other_township
):
    foreign_org = factories.PartyOrganizationFactory(township=other_township, name="中共青石乡委员会")
    client.force_login(staff_user)
    for name, pk in (
        ("village-detail", other_village.pk),
        ("village-update", other_village.pk),
        ("organization-detail", foreign_org.pk),
        ("organization-update", foreign_org.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse("village-set-active", args=[other_village.pk]), {"active": "0"}).status_code == 404
    assert client.post(reverse("organization-set-active", args=[foreign_org.pk]), {"active": "0"}).status_code == 404
    page = client.get(reverse("village-list")).content.decode()
    assert other_village.name not in page
    assert other_village.name not in client.get(reverse("village-export")).content.decode(errors="ignore")


def test_township_staff_edit_statistics_but_not_names(client, staff_user, village):
    client.force_login(staff_user)
    response = client.post(
        reverse("village-update", args=[village.pk]),
        {
            "name": "改名村",
            "natural_villages": 4,
            "villager_groups": 9,
            "households": 500,
            "population": 1800,
            "showcase_type": "",
        },
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.villager_groups, village.population) == ("李家村", 9, 1800)


def test_viewers_cannot_write(client, viewer_user, village):
    client.force_login(viewer_user)
    assert client.get(reverse("village-update", args=[village.pk])).status_code == 403
    assert client.get(reverse("village-create")).status_code == 403
    assert client.get(reverse("organization-create")).status_code == 403
    assert client.post(reverse("village-set-active", args=[village.pk]), {"active": "0"}).status_code == 403


def test_duplicate_village_name_shows_a_chinese_error_and_saves_nothing(client, admin_user, village):
    client.force_login(admin_user)
    data = {
        "township": village.township_id,
        "name": village.name,
        "kind": "village",
        "natural_villages": 1,
        "villager_groups": 1,
        "households": 1,
        "population": 1,
    }
    page = client.post(reverse("village-create"), data).content.decode()
    assert "本乡镇已有同名村（社区）" in page
    assert Village.objects.filter(name=village.name).count() == 1


def test_admin_creates_a_village_and_the_totals_follow(
    client, admin_user, township, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    data = {
        "township": township.pk,
        "name": "新建村",
        "kind": "village",
        "natural_villages": 2,
        "villager_groups": 5,
        "households": 300,
        "population": 999,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("village-create"), data).status_code == 302
    township.refresh_from_db()
    assert township.population == 999


def test_organization_forms_refuse_a_cycle_and_a_wrong_parent(client, staff_user, township, committee, tree):
    client.force_login(staff_user)
    _villages, branches = tree
    page = client.post(
        reverse("organization-create"),
        {"township": township.pk, "name": "第一党小组", "kind": "group", "parent": committee.pk},
    ).content.decode()
    assert "党小组不能设在党委之下" in page
    response = client.post(
        reverse("organization-create"),
        {"township": township.pk, "name": "第一党小组", "kind": "group", "parent": branches[0].pk},
    )
    assert response.status_code == 302
    group = PartyOrganization.objects.get(name="第一党小组")
    page = client.post(
        reverse("organization-update", args=[committee.pk]),
        {"township": township.pk, "name": committee.name, "kind": "committee", "parent": group.pk},
    ).content.decode()
    assert "党委不能设在党小组之下" in page or "不能成环" in page
    committee.refresh_from_db()
    assert committee.parent_id is None


def test_organization_detail_shows_the_tree(client, admin_user, tree, committee):
    client.force_login(admin_user)
    _villages, branches = tree
    page = client.get(reverse("organization-detail", args=[branches[0].pk])).content.decode()
    assert committee.name in page
    page = client.get(reverse("organization-detail", args=[committee.pk])).content.decode()
    assert all(b.name in page for b in branches)


def test_village_export_is_audited_and_formula_safe(client, admin_user, township):
    factories.VillageFactory(township=township, name="=cmd|'/c calc'!A1")
    client.force_login(admin_user)
    response = client.get(reverse("village-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "=cmd|'/c calc'!A1"
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert AuditEvent.objects.filter(action="export", detail__list="villages").exists()


def test_nonsense_filters_and_pages_never_fail(client, admin_user, tree):
    client.force_login(admin_user)
    for params in (
        {"township": "abc"},
        {"kind": "castle"},
        {"page": "-1"},
        {"population_min": "many"},
        {"sort": "-nope"},
    ):
        assert client.get(reverse("village-list"), params).status_code == 200
        assert client.get(reverse("organization-list"), params).status_code == 200


# session, user, rows, the audit record, the idle-timeout session save (savepoint, update, release).
EXPORT_QUERIES = 7


@pytest.mark.parametrize("name", ["village-export", "organization-export"])
def test_exports_are_pinned_and_do_not_grow(
    client, admin_user, tree, township, committee, name, django_assert_num_queries
):
    client.force_login(admin_user)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse(name)).status_code == 200
    for i in range(5):
        village = factories.VillageFactory(township=township)
        factories.PartyOrganizationFactory(
            township=township, village=village, parent=committee, kind=OrganizationKind.BRANCH, name=f"新支部{i}"
        )
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse(name)).status_code == 200


def test_village_export_keeps_its_columns_and_audit_record(client, admin_user, village):
    client.force_login(admin_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("village-export")).content)).active
    assert sheet.title == "村（社区）"
    assert [c.value for c in sheet[1]] == [
        "乡镇",
        "名称",
        "类型",
        "行政区划代码",
        "自然村数",
        "村民小组数",
        "户数",
        "人口",
        "示范村类型",
        "启用",
    ]
    assert [c.value for c in sheet[2]][:2] == [village.township.name, village.name]
    event = AuditEvent.objects.get(action="export")
    assert event.detail == {"list": "villages", "rows": 1, "filters": ""}
    assert event.target_repr == "村（社区）列表"


def test_organization_export_keeps_its_columns_and_audit_record(client, admin_user, tree, committee):
    client.force_login(admin_user)
    response = client.get(reverse("organization-export"), {"kind": "committee"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "党组织"
    assert [c.value for c in sheet[1]] == [
        "乡镇",
        "名称",
        "类型",
        "上级组织",
        "所属村（社区）",
        "联合党支部",
        "任期开始",
        "任期届满",
        "启用",
    ]
    assert [[c.value for c in row][:2] for row in sheet.iter_rows(min_row=2)] == [
        [committee.township.name, committee.name]
    ]
    event = AuditEvent.objects.get(action="export")
    assert event.detail == {"list": "organizations", "rows": 1, "filters": "kind=committee"}
    assert event.target_repr == "党组织列表"


def test_the_new_buttons_follow_the_permissions(client, admin_user, viewer_user, staff_user, tree):
    client.force_login(admin_user)
    assert reverse("village-create") in client.get(reverse("village-list")).content.decode()
    assert reverse("organization-create") in client.get(reverse("organization-list")).content.decode()
    client.force_login(staff_user)
    assert reverse("village-create") not in client.get(reverse("village-list")).content.decode()
    assert reverse("organization-create") in client.get(reverse("organization-list")).content.decode()
    client.force_login(viewer_user)
    assert reverse("village-create") not in client.get(reverse("village-list")).content.decode()
    assert reverse("organization-create") not in client.get(reverse("organization-list")).content.decode()
