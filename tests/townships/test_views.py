import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from townships.models import AuditEvent, Township

pytestmark = pytest.mark.django_db


def test_township_list_query_count_is_pinned(client, admin_user, many_townships, django_assert_num_queries):
    client.force_login(admin_user)
    with django_assert_num_queries(7):  # session, user, count, page, session save (3)
        response = client.get(reverse("township-list"))
    assert response.status_code == 200
    for _ in range(5):
        factories.TownshipFactory(county=admin_user.county)
    with django_assert_num_queries(7):
        client.get(reverse("township-list"))


def test_township_list_filters_sorts_and_pages(client, admin_user, many_townships):
    client.force_login(admin_user)
    page = client.get(reverse("township-list"), {"q": many_townships[0].name}).content.decode()
    assert many_townships[0].name in page and many_townships[1].name not in page
    assert client.get(reverse("township-list"), {"sort": "-population"}).status_code == 200
    assert client.get(reverse("township-list"), {"sort": "__class__"}).status_code == 200
    assert client.get(reverse("township-list"), {"page": "999"}).status_code == 200
    assert (
        client.get(reverse("township-list"), {"page": "abc", "kind": "castle", "is_active": "maybe"}).status_code == 200
    )


def test_township_staff_see_only_their_own_township(client, staff_user, township, other_township):
    client.force_login(staff_user)
    page = client.get(reverse("township-list")).content.decode()
    assert township.name in page and other_township.name not in page
    assert client.get(reverse("township-detail", args=[township.pk])).status_code == 200
    assert client.get(reverse("township-detail", args=[other_township.pk])).status_code == 404
    assert client.get(reverse("township-detail", args=[999999])).status_code == 404
    assert client.get(reverse("township-update", args=[other_township.pk])).status_code == 404
    assert client.post(reverse("township-set-active", args=[other_township.pk]), {"active": "0"}).status_code == 404


def test_only_the_county_admin_creates_and_edits_townships(client, admin_user, viewer_user, staff_user, township):
    for user in (viewer_user, staff_user):
        client.force_login(user)
        assert client.get(reverse("township-create")).status_code == 403
        assert client.get(reverse("township-update", args=[township.pk])).status_code == 403
    client.force_login(admin_user)
    response = client.post(
        reverse("township-create"), {"name": "柳河镇", "kind": "town", "division_code": "", "sort_key": "99"}
    )
    created = Township.objects.get(name="柳河镇")
    assert response.status_code == 302 and created.county == admin_user.county


def test_a_duplicate_township_name_is_refused_in_chinese(client, admin_user, township):
    client.force_login(admin_user)
    page = client.post(
        reverse("township-create"), {"name": township.name, "kind": "town", "sort_key": "1"}
    ).content.decode()
    assert "本县已有同名乡镇" in page
    assert Township.objects.filter(name=township.name).count() == 1


def test_deactivate_needs_post_and_refuses_a_township_with_villages(client, admin_user, village):
    client.force_login(admin_user)
    url = reverse("township-set-active", args=[village.township_id])
    assert client.get(url).status_code == 405
    response = client.post(url, {"active": "0"}, follow=True)
    assert "还有启用的村" in response.content.decode()
    assert Township.objects.get(pk=village.township_id).is_active


def test_township_export_is_scoped_audited_and_formula_safe(client, staff_user, township, other_township):
    Township.objects.filter(pk=township.pk).update(name="=HYPERLINK(1)")
    client.force_login(staff_user)
    response = client.get(reverse("township-export"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["=HYPERLINK(1)"]
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert AuditEvent.objects.filter(action="export", actor=staff_user).count() == 1


# session, user, rows, the audit record, the idle-timeout session save (savepoint, update, release).
EXPORT_QUERIES = 7


def test_township_export_query_count_is_pinned(client, admin_user, many_townships, django_assert_num_queries):
    client.force_login(admin_user)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse("township-export")).status_code == 200
    for _ in range(5):
        factories.TownshipFactory(county=admin_user.county)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse("township-export")).status_code == 200


def test_township_export_keeps_its_sheet_headers_and_audit_record(client, admin_user, township):
    client.force_login(admin_user)
    response = client.get(reverse("township-export"), {"sort": "-population"})
    assert "%E4%B9%A1%E9%95%87%E5%88%97%E8%A1%A8-" in response["Content-Disposition"]  # 乡镇列表-
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "乡镇"
    assert [c.value for c in sheet[1]] == ["名称", "类型", "行政区划代码", "村（社区）数", "人口", "户数", "启用"]
    assert [c.value for c in sheet[2]][0] == township.name and [c.value for c in sheet[2]][-1] == "是"
    event = AuditEvent.objects.get(action="export", actor=admin_user)
    assert event.detail == {"list": "townships", "rows": 1, "filters": "sort=-population"}
    assert event.target_repr == "乡镇列表"


def test_only_the_county_admin_sees_the_new_township_button(client, admin_user, viewer_user, township):
    client.force_login(admin_user)
    page = client.get(reverse("township-list")).content.decode()
    assert reverse("township-create") in page and "新建乡镇" in page
    assert reverse("township-detail", args=[township.pk]) in page and "启用" in page
    client.force_login(viewer_user)
    assert reverse("township-create") not in client.get(reverse("township-list")).content.decode()
