"""Issue 12, point 10: error pages in Chinese in the site's layout, people named by their name,
and filter selects whose empty choice reads 全部."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.defaults import server_error

from assessments import services
from assessments.choices import ReportStatus, RunKind
from assessments.demo import create_scheme
from assessments.models import MonthlyReport, Score
from tests import factories

pytestmark = pytest.mark.django_db

# What the layout (templates/base.html) puts on every page: the product's name in the title
# and the brand link of the navigation bar.
LAYOUT_MARKS = ("乡镇党建管理系统</title>", 'class="navbar-brand')
# Django's own English error wording, which must never reach a person.
ENGLISH = ("Not Found", "The requested resource was not found", "Forbidden", "Server Error", "Bad Request")


def boom(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise PermissionDenied("no")


# This module doubles as a URLconf (pytest.mark.urls): the product's URLs and handlers, plus a
# view that fails, so a 500 can be seen through the whole stack.
urlpatterns = [path("boom/", boom), path("refuse/", refuse), path("", include("config.urls"))]
handler403 = "townships.views.permission_denied"


def assert_error_page(content, title):
    for mark in LAYOUT_MARKS:
        assert mark in content, mark
    assert f"<title>{title} · 乡镇党建管理系统</title>" in content
    assert "返回首页" in content and 'href="/"' in content
    for english in ENGLISH:
        assert english not in content, english


# --- Error pages -----------------------------------------------------------------------------


def test_404_with_debug_off_is_chinese_and_in_the_layout(client, settings, admin_user, other_county):
    settings.DEBUG = False
    client.force_login(admin_user)
    foreign = factories.TownshipFactory(county=other_county)
    for url in ("/no-such-page/", reverse("township-update", args=[foreign.pk])):
        response = client.get(url)
        assert response.status_code == 404, url
        content = response.content.decode()
        assert "页面不存在" in content, url
        assert_error_page(content, "页面不存在")
        # get_object_or_404's English reason ("No Township matches the given query.") stays out.
        assert "matches the given query" not in content


def test_404_for_a_signed_out_visitor_is_chinese_too(client, settings, db):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_error_page(response.content.decode(), "页面不存在")


def test_403_is_chinese_in_the_layout_and_still_audited(client, settings, staff_user):
    from townships.models import AuditEvent

    settings.DEBUG = False
    staff_user.first_name = "李乡镇"
    staff_user.save(update_fields=["first_name"])
    client.force_login(staff_user)
    before = AuditEvent.objects.count()
    # Creating a township is the county admin's; a township user is refused.
    response = client.get(reverse("township-create"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "无权访问" in content
    assert_error_page(content, "无权访问")
    assert "李乡镇" in content  # the layout's user box: it is the signed-in user's page
    assert AuditEvent.objects.count() == before + 1


def test_500_renders_without_any_request_context():
    # Django's server_error renders 500.html with an empty context (no request, no user).
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "服务器出错" in content
    assert_error_page(content, "服务器出错")


@pytest.mark.urls(__name__)
def test_an_unhandled_error_answers_the_chinese_500_page(settings, db):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
    assert "a bug" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_refusal_anywhere_answers_the_chinese_403_page(client, settings, admin_user):
    settings.DEBUG = False
    client.force_login(admin_user)
    response = client.get("/refuse/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_400_renders_without_any_request_context():
    from django.views.defaults import bad_request

    response = bad_request(RequestFactory().get("/"), exception=None)
    assert response.status_code == 400
    content = response.content.decode()
    assert "请求有误" in content
    assert_error_page(content, "请求有误")


# --- People by their name -------------------------------------------------------------------


def test_a_user_reads_as_their_name(county):
    named = factories.county_admin(county, username="zhangming", first_name="张明")
    assert str(named) == "张明"
    # No name given: the account name is all there is.
    unnamed = factories.county_admin(county, username="nobody")
    assert str(unnamed) == "nobody"


def test_the_scorecard_names_who_overrode_an_item(client, county, township, django_capture_on_commit_callbacks):
    year, month = 2026, 3
    admin = factories.county_admin(county, username="zzb-admin", first_name="王组织")
    create_scheme(county=county, year=year)
    village = factories.village_with_secretary(township, "改分村")
    MonthlyReport.objects.create(
        village=village,
        township=township,
        year=year,
        month=month,
        status=ReportStatus.APPROVED,
        values=factories.report_values(
            satisfaction=90, key_project_progress=80, environment_score=80, collective_income=30000
        ),
    )
    # The run is enqueued after commit; run it (eager Celery) as if the request had committed.
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin, county_id=county.pk, kind=RunKind.MONTHLY, year=year, period=month)
    score = Score.objects.get(village=village)
    item = score.items.get(indicator__code="A09")
    services.score_override(actor=admin, item=item, points=20, reason="述职良好")
    client.force_login(admin)
    content = client.get(reverse("score-detail", args=[score.pk])).content.decode()
    item.refresh_from_db()
    assert f"王组织 于 {timezone.localdate(item.overridden_at):%Y-%m-%d} 调整：述职良好" in content
    assert "zzb-admin" not in content


def test_the_report_page_names_its_reviewer(client, county, township, village):
    admin = factories.county_admin(county, username="zzb-review", first_name="赵审核")
    report = factories.MonthlyReportFactory(
        village=village,
        reviewed_by=admin,
        reviewed_at=datetime.datetime(2026, 4, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),  # TIME_ZONE
    )
    client.force_login(admin)
    content = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "审核：赵审核 2026-04-02 09:30" in content
    assert "zzb-review" not in content


# --- Filter selects say 全部 --------------------------------------------------------------------


def options(content, name):
    """The (value, label) options of the select named ``name``, in order."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def test_a_choice_filter_offers_all_first(client, admin_user, township):
    client.force_login(admin_user)
    content = client.get(reverse("township-list")).content.decode()
    kind = options(content, "kind")
    assert kind[0] == ("", "全部")
    assert "---------" not in content


def test_a_yes_no_filter_offers_all_yes_no(client, admin_user, township):
    client.force_login(admin_user)
    content = client.get(reverse("township-list")).content.decode()
    assert [label for _value, label in options(content, "is_active")] == ["全部", "是", "否"]
    assert "未知" not in content


def test_the_yes_no_filter_still_filters_by_what_it_submits(client, admin_user, county, township):
    factories.TownshipFactory(county=county, name="停用镇", is_active=False)
    client.force_login(admin_user)
    content = client.get(reverse("township-list"), {"is_active": "false"}).content.decode()
    assert "停用镇" in content and "城关镇" not in content
    assert re.search(r'<option value="false" selected>否</option>', content)
    content = client.get(reverse("township-list"), {"is_active": "unknown"}).content.decode()
    assert "停用镇" in content and "城关镇" in content


def test_the_roster_filters_offer_all(client, admin_user, township):
    client.force_login(admin_user)
    content = client.get(reverse("member-list")).content.decode()
    assert options(content, "township")[0] == ("", "全部")
    assert options(content, "stage")[0] == ("", "全部")
    assert [label for _value, label in options(content, "mobile")] == ["全部", "是", "否"]


def test_the_api_filter_is_unchanged(api, client_user, county, township):
    factories.TownshipFactory(county=county, name="停用镇", is_active=False)
    api.force_authenticate(client_user)
    names = {row["name"] for row in api.get("/api/v1/townships/", {"is_active": "false"}).json()["results"]}
    assert names == {"停用镇"}


def test_a_form_sent_without_its_security_token_gets_a_chinese_page(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/messages/", {"all": "1"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期，未能提交" in body and "CSRF" not in body and "Forbidden" not in body
