"""The county's audit log (/audit/): who sees it, what it lists, its filters, export and links."""

import datetime
import io
from datetime import UTC
from unittest import mock

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cadres.services.people import person_reveal
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent
from townships.services import audit_record
from townships.views import audit_detail_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(township):
    return factories.PersonFactory(township=township, name="张秀英")


def names_listed(response):
    return [row[3][0] for row in response.context["rows"]]  # the 对象 column (value, numeric)


def test_only_the_county_administrator_sees_it_everyone_else_gets_404(
    client, admin_user, viewer_user, staff_user, client_user
):
    for user in (viewer_user, staff_user, client_user):
        client.force_login(user)
        assert client.get("/audit/").status_code == 404
        assert client.get("/audit/export.xlsx").status_code == 404
    client.force_login(admin_user)
    assert client.get("/audit/").status_code == 200


def test_a_reveal_is_listed_with_the_actor_by_name_and_scoped_to_the_county(client, admin_user, person, other_county):
    admin_user.first_name = "组织部管理员"
    admin_user.save()
    person_reveal(actor=admin_user, person=person)
    stranger = factories.PersonFactory(township=factories.TownshipFactory(county=other_county), name="外县人")
    outsider = factories.county_admin(other_county, username="other-admin", first_name="邻县管理员")
    person_reveal(actor=outsider, person=stranger)

    client.force_login(admin_user)
    response = client.get("/audit/", {"action": "reveal"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "张秀英" in body and "组织部管理员" in body
    assert "外县人" not in body and "邻县管理员" not in body
    assert "身份证号、电话" in body  # the detail in words, not JSON
    assert "id_number" not in body


def test_the_person_page_links_to_the_reveals_of_that_person(client, admin_user, person, township):
    other = factories.PersonFactory(township=township, name="李四")
    person_reveal(actor=admin_user, person=person)
    person_reveal(actor=admin_user, person=other)
    # A full roster export by the county reveals everyone in it, this person included.
    audit_record(
        actor=admin_user,
        action=AuditAction.REVEAL,
        detail={"fields": ["id_number", "phone"]},
        target_repr="党员名册（完整信息）",
    )
    client.force_login(admin_user)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    link = f"/audit/?person={person.pk}"
    assert link in page
    listed = names_listed(client.get(link))
    assert sorted(listed) == ["党员名册（完整信息）", "张秀英"]


def test_a_township_users_full_export_counts_only_for_people_of_that_township(
    client, admin_user, person, township, other_township
):
    other_staff = factories.township_staff(other_township, username="qs")
    audit_record(actor=other_staff, action=AuditAction.REVEAL, target_repr="青石乡名册（完整信息）")
    client.force_login(admin_user)
    assert names_listed(client.get(f"/audit/?person={person.pk}")) == []


def test_filters_by_actor_action_township_text_and_dates(client, admin_user, staff_user, township, other_township):
    audit_record(actor=staff_user, action=AuditAction.SUBMIT, target=township, target_repr="李家村 2026年10月")
    audit_record(actor=admin_user, action=AuditAction.APPROVE, target=other_township, target_repr="王庄村 2026年10月")
    # Audit rows cannot be altered (a trigger): this one is written on 2025-01-01, 12:00 in Beijing.
    with mock.patch("django.db.models.fields.timezone.now", return_value=datetime.datetime(2025, 1, 1, 4, tzinfo=UTC)):
        audit_record(actor=admin_user, action=AuditAction.EXPORT, target_repr="乡镇列表")
    client.force_login(admin_user)

    def listed(**params):
        return sorted(names_listed(client.get("/audit/", params)))

    assert listed(actor=staff_user.pk) == ["李家村 2026年10月"]
    assert listed(action="approve") == ["王庄村 2026年10月"]
    assert listed(township=township.pk) == ["李家村 2026年10月"]
    assert listed(q="王庄") == ["王庄村 2026年10月"]
    assert listed(until="2025-01-01") == ["乡镇列表"]
    assert "乡镇列表" not in listed(since="2025-01-02")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"since": "2026-13-45"}, "有效的日期"),
        ({"since": "not-a-date"}, "有效的日期"),
        ({"since": "2026-10-02", "until": "2026-10-01"}, "起始日期不能晚于截止日期"),
        ({"person": "abc"}, ""),
        ({"actor": "999999999999999999999"}, ""),
    ],
)
def test_nonsense_filters_give_a_chinese_message_and_list_nothing(client, admin_user, params, message):
    audit_record(actor=admin_user, action=AuditAction.EXPORT, target_repr="乡镇列表")
    client.force_login(admin_user)
    response = client.get("/audit/", params)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert message in response.content.decode()


def test_the_export_lists_the_filtered_events_and_is_audited_itself(client, admin_user, person):
    person_reveal(actor=admin_user, person=person)
    client.force_login(admin_user)
    response = client.get("/audit/export.xlsx", {"action": "reveal"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("时间", "操作人", "动作", "对象")
    assert [row[3] for row in rows[1:]] == ["张秀英"]
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert export.detail["list"] == "audit" and export.county_id == admin_user.county_id


def test_events_take_the_county_and_township_of_their_target_or_actor(staff_user, admin_user, person, township):
    assert audit_record(actor=admin_user, action=AuditAction.REVEAL, target=person).township_id == township.pk
    event = audit_record(actor=staff_user, action=AuditAction.EXPORT, target_repr="名册")
    assert (event.county_id, event.township_id) == (township.county_id, township.pk)
    county_level = audit_record(actor=admin_user, action=AuditAction.EXPORT, target_repr="名册")
    assert (county_level.county_id, county_level.township_id) == (admin_user.county_id, None)


def test_a_failed_login_on_an_account_of_the_county_is_in_its_log(client, admin_user, staff_user):
    client.post("/accounts/login/", {"username": staff_user.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody-here", "password": "wrong"})
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.get(target_repr=staff_user.username).county_id == staff_user.county_id
    assert failed.get(target_repr="nobody-here").county_id is None


def test_the_page_makes_the_same_number_of_queries_for_5_or_60_events(client, admin_user, township):
    def queries():
        client.force_login(admin_user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    staff = [factories.township_staff(township, username=f"s{i}") for i in range(5)]
    for user in staff:
        audit_record(actor=user, action=AuditAction.SUBMIT, target=township)
    few = queries()
    for i in range(55):
        audit_record(actor=staff[i % 5], action=AuditAction.SUBMIT, target=township)
    assert queries() == few


# Any JSON a service may write into a detail: scalars, lists of dicts, dicts of lists, nesting.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(detail=json_values)
def test_any_json_shape_renders_as_one_line_of_text(detail):
    text = audit_detail_text(detail)
    assert isinstance(text, str) and len(text) <= 300


def test_an_acknowledged_mismatch_renders_with_labels_and_the_page_and_export_answer(client, admin_user, township):
    # The shape report_review writes after a bulk approval that acknowledged a difference.
    detail = {
        "approved": True,
        "reason": "",
        "acknowledged_mismatches": [{"metric": "meetings_held", "reported": 3, "recorded": 2}],
    }
    audit_record(actor=admin_user, action=AuditAction.APPROVE, target=township, detail=detail)
    assert audit_detail_text(detail) == "通过：是；已核对差异：（指标：meetings_held；填报值：3；记录值：2）"
    client.force_login(admin_user)
    assert client.get("/audit/").status_code == 200
    response = client.get("/audit/export.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    [line] = [row[5] for row in rows[1:] if row[2] == "审批"]
    # PostgreSQL's jsonb keeps its own key order, so compare the labelled parts, not their order.
    head, acknowledged = line.split("；已核对差异：")
    assert head == "通过：是"
    assert set(acknowledged.strip("（）").split("；")) == {"指标：meetings_held", "填报值：3", "记录值：2"}


def test_an_empty_reason_is_left_out_of_the_line():
    assert audit_detail_text({"approved": True, "reason": ""}) == "通过：是"
    assert audit_detail_text({"approved": False, "reason": "数字有误"}) == "通过：否；原因：数字有误"
