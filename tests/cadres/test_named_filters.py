"""Lists that name things (issue 12, point 8): filters offer names, not ids; a 党小组's meetings
name its branch and village; the mobile-members list says how long since the last contact and
flags lost contact by the county's threshold."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.choices import Stage
from cadres.models import MobileRecord
from tests import factories
from townships.models import CountySetting
from villages.choices import OrganizationKind

pytestmark = pytest.mark.django_db
D = datetime.date


def _select(page, name):
    """The rendered <select name=...> element, opening tag to closing tag."""
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', page, re.S)
    assert match, f"no select named {name}"
    return match.group(0)


def _row(page, text):
    """The table row that contains ``text``."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if text in row]
    assert len(rows) == 1, (text, len(rows))
    return rows[0]


def _cells(row):
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _group(branch, name, village=None):
    return factories.PartyOrganizationFactory(
        township=branch.township, village=village, parent=branch, kind=OrganizationKind.GROUP, name=name
    )


# --- filters by name ---------------------------------------------------------------


def test_the_member_lists_village_filter_is_a_searchable_select_of_names(client, staff_user, branch, other_branch):
    factories.PartyMemberFactory(organization=branch)
    client.force_login(staff_user)
    page = client.get(reverse("member-list")).content.decode()

    village = _select(page, "village")
    assert "data-searchable" in village
    assert "城关镇 / 李家村" in village
    organization = _select(page, "organization")
    assert "data-searchable" in organization
    assert "城关镇 / 中共李家村支部委员会" in organization
    assert "编号" not in page
    assert "js/searchable-select.js" in page


def test_another_townships_villages_and_organizations_are_not_offered(client, staff_user, branch, other_branch):
    client.force_login(staff_user)
    for name in ("member-list", "meeting-list", "person-list", "tenure-list", "organization-list", "matter-list"):
        page = client.get(reverse(name)).content.decode()
        assert "王庄村" not in _select(page, "village"), name
        assert "青石乡" not in page, name
    page = client.get(reverse("member-list")).content.decode()
    assert "王庄村支部" not in _select(page, "organization")


def test_a_group_is_named_under_its_branch_in_the_organization_select(client, admin_user, branch):
    _group(branch, "第一党小组", village=branch.village)
    client.force_login(admin_user)
    organization = _select(client.get(reverse("meeting-list")).content.decode(), "organization")
    assert "城关镇 / 中共李家村支部委员会 / 第一党小组" in organization


def test_the_page_filters_by_the_chosen_village(client, staff_user, branch, township):
    other = factories.village_branch(
        factories.VillageFactory(township=township, name="张庄村"), "张庄村支部", branch.parent
    )
    mine = factories.PartyMemberFactory(organization=branch)
    theirs = factories.PartyMemberFactory(organization=other)
    client.force_login(staff_user)
    page = client.get(reverse("member-list"), {"village": branch.village_id}).content.decode()
    assert mine.person.name in page and theirs.person.name not in page
    assert re.search(rf'<option value="{branch.village_id}" selected>城关镇 / 李家村</option>', page)


def test_the_api_still_filters_by_village_and_organization_id(api, staff_user, branch, township, other_branch):
    other = factories.village_branch(
        factories.VillageFactory(township=township, name="张庄村"), "张庄村支部", branch.parent
    )
    mine = factories.PartyMemberFactory(organization=branch)
    factories.PartyMemberFactory(organization=other)
    foreign = factories.PartyMemberFactory(organization=other_branch)
    api.force_authenticate(staff_user)

    def ids(**params):
        response = api.get("/api/v1/members/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(village=branch.village_id) == {mine.pk}
    assert ids(organization=branch.pk) == {mine.pk}
    # Another township's id answers as it always did: an empty list, not a 400 saying it exists.
    assert ids(village=other_branch.village_id) == set()
    assert ids(organization=other_branch.pk) == set()
    assert foreign.pk not in ids()
    # What is not an id is still refused.
    assert api.get("/api/v1/members/", {"village": "李家村"}).status_code == 400
    assert api.get("/api/v1/meetings/", {"organization": "-1"}).status_code == 400


def test_the_api_filters_organizations_by_parent_id(api, staff_user, branch):
    group = _group(branch, "第一党小组", village=branch.village)
    api.force_authenticate(staff_user)
    rows = api.get("/api/v1/organizations/", {"parent": branch.pk}).json()["results"]
    assert [row["id"] for row in rows] == [group.pk]


# --- meetings of a 党小组 ---------------------------------------------------------------


def test_a_groups_meeting_names_its_branch_and_village(client, staff_user, branch, township):
    group = _group(branch, "第一党小组", village=branch.village)
    factories.MeetingFactory(organization=group, topic="小组学习")
    # A branch whose name does not say its village: the village is added.
    plain = factories.village_branch(
        factories.VillageFactory(township=township, name="张庄村"), "第二支部", branch.parent
    )
    factories.MeetingFactory(organization=_group(plain, "第二党小组"), topic="二组学习")
    factories.MeetingFactory(organization=branch, topic="支部大会")
    client.force_login(staff_user)
    page = client.get(reverse("meeting-list")).content.decode()

    assert "第一党小组（中共李家村支部委员会）" in _cells(_row(page, "小组学习"))
    assert "第二党小组（第二支部 · 张庄村）" in _cells(_row(page, "二组学习"))
    assert "中共李家村支部委员会" in _cells(_row(page, "支部大会"))


def _meetings_of_groups(branch, n, start):
    for i in range(start, start + n):
        factories.MeetingFactory(organization=_group(branch, f"第{i}党小组", village=branch.village), topic=f"组会{i}")


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_meeting_list_with_groups_keeps_its_query_count(client, admin_user, branch, django_assert_num_queries):
    client.force_login(admin_user)
    _meetings_of_groups(branch, 2, 1)
    # session, user, session save (3); township, village and organization choices; count; page
    with django_assert_num_queries(5 + 3 + 2):
        assert client.get(reverse("meeting-list")).status_code == 200
    _meetings_of_groups(branch, 8, 3)
    with django_assert_num_queries(5 + 3 + 2):
        assert client.get(reverse("meeting-list")).status_code == 200


def test_filtered_pages_do_not_grow_with_their_rows(client, admin_user, branch):
    client.force_login(admin_user)
    params = {"village": branch.village_id, "organization": branch.pk}
    factories.PartyMemberFactory(organization=branch)
    few = _count(client, reverse("member-list"), params)
    for _ in range(8):
        factories.PartyMemberFactory(organization=branch)
    assert _count(client, reverse("member-list"), params) == few


# --- mobile members ---------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    """Fix the day the lists are computed on."""

    def set_today(day):
        monkeypatch.setattr("cadres.filtersets.timezone.localdate", lambda: day)

    return set_today


def _mobile(branch, name, **fields):
    member = factories.PartyMemberFactory(organization=branch, person__name=name)
    return MobileRecord.objects.create(
        member=member, township=branch.township, destination="东莞", since=D(2025, 11, 1), **fields
    )


# Working (threshold 6 months, the seed default; lost = more than 6 whole months, as the alert says
# "超过 6 个月未联系", i.e. last contact before today minus 6 months):
#   last contact 2026-05-10, today 2026-11-09: 5 whole months (the 10th not yet reached) → not lost
#   last contact 2026-05-10, today 2026-11-10: 6 whole months, exactly at the threshold  → not lost
#   last contact 2026-05-10, today 2026-11-11: 6 whole months and a day                   → lost
#   never contacted, away since 2025-11-01, today 2026-11-10: 12 months since leaving     → lost
#   returned (ended 2026-03-01): no months, never lost
MOBILE_CASES = [
    (D(2026, 11, 9), "5", False),
    (D(2026, 11, 10), "6", False),
    (D(2026, 11, 11), "6", True),
]


@pytest.mark.parametrize(("day", "months", "lost"), MOBILE_CASES)
def test_the_mobile_list_shows_months_since_contact_and_flags_lost_contact(
    client, staff_user, branch, today, day, months, lost
):
    contact = factories.PersonFactory(township=branch.township, name="王联络")
    _mobile(branch, "张外出", last_contact_on=D(2026, 5, 10), contact_person=contact)
    today(day)
    client.force_login(staff_user)
    page = client.get(reverse("mobile-list")).content.decode()
    cells = _cells(_row(page, "张外出"))
    assert "王联络" in cells
    assert months in cells
    assert ("失联" in cells) is lost
    assert ('title="超过 6 个月未联系"' in _row(page, "张外出")) is lost


def test_never_contacted_is_lost_returned_is_not_and_no_contact_person_reads_unassigned(
    client, staff_user, branch, today
):
    _mobile(branch, "李未联系")
    _mobile(branch, "赵已返回", last_contact_on=D(2025, 12, 1), ended_on=D(2026, 3, 1))
    today(D(2026, 11, 10))
    client.force_login(staff_user)
    page = client.get(reverse("mobile-list")).content.decode()
    never = _cells(_row(page, "李未联系"))
    assert "12" in never and "失联" in never and "未指定" in never
    returned = _cells(_row(page, "赵已返回"))
    assert "失联" not in returned and "—" in returned


def test_the_threshold_is_the_countys_setting_and_the_list_filters_by_lost_contact(
    client, staff_user, branch, county, today
):
    CountySetting.objects.create(county=county, key="alert.lost_contact_months", value=3)
    _mobile(branch, "张三月", last_contact_on=D(2026, 8, 9))  # 3 months and a day before 11-10 → lost
    _mobile(branch, "李整三月", last_contact_on=D(2026, 8, 10))  # exactly 3 months → not lost
    today(D(2026, 11, 10))
    client.force_login(staff_user)
    lost = client.get(reverse("mobile-list"), {"lost_contact": "true"}).content.decode()
    assert "张三月" in lost and "李整三月" not in lost
    assert 'title="超过 3 个月未联系"' in lost
    kept = client.get(reverse("mobile-list"), {"lost_contact": "false"}).content.decode()
    assert "李整三月" in kept and "张三月" not in kept


def test_the_mobile_list_keeps_its_query_count(client, admin_user, branch, today, django_assert_num_queries):
    today(D(2026, 11, 10))
    client.force_login(admin_user)
    for i in range(2):
        _mobile(branch, f"外出{i}", last_contact_on=D(2026, 1, 1))
    # session, user, session save (3); township choices; county settings read by the columns and
    # again by the lost-contact filter; count; page
    with django_assert_num_queries(5 + 5):
        assert client.get(reverse("mobile-list"), {"lost_contact": "true"}).status_code == 200
    for i in range(2, 10):
        _mobile(branch, f"外出{i}", last_contact_on=D(2026, 1, 1))
    with django_assert_num_queries(5 + 5):
        assert client.get(reverse("mobile-list"), {"lost_contact": "true"}).status_code == 200


# --- sponsors and mentors ---------------------------------------------------------------


def test_sponsors_are_chosen_by_name_among_the_full_members_of_the_branch(client, staff_user, branch, township):
    group = _group(branch, "第一党小组", village=branch.village)
    activist = factories.PartyMemberFactory(organization=group, stage=Stage.ACTIVIST, person__name="陈积极")
    in_branch = factories.PartyMemberFactory(organization=branch, person__name="周支部")
    in_group = factories.PartyMemberFactory(organization=group, person__name="吴小组")
    factories.PartyMemberFactory(organization=branch, stage=Stage.PROBATIONARY, person__name="郑预备")
    elsewhere = factories.village_branch(
        factories.VillageFactory(township=township, name="张庄村"), "张庄村支部", branch.parent
    )
    factories.PartyMemberFactory(organization=elsewhere, person__name="孙别村")
    client.force_login(staff_user)
    page = client.get(reverse("member-transition", args=[activist.pk, "candidate"])).content.decode()

    sponsors = _select(page, "sponsors")
    assert "data-searchable" in sponsors
    assert f'value="{in_branch.pk}"' in sponsors and "周支部（中共李家村支部委员会）" in sponsors
    assert f'value="{in_group.pk}"' in sponsors and "吴小组（第一党小组）" in sponsors
    assert "郑预备" not in sponsors and "孙别村" not in sponsors and "陈积极" not in sponsors
    assert "js/searchable-select.js" in page
