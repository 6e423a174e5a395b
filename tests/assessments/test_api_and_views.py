import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import ReportStatus, RunKind
from assessments.demo import create_scheme
from assessments.metrics import REPORTED_CODES
from assessments.models import MonthlyReport, Score
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR, MONTH = 2026, 3


def values(**overrides):
    return factories.report_values(
        satisfaction=90, key_project_progress=80, environment_score=80, collective_income=30000, **overrides
    )


@pytest.fixture
def scored(county, township, other_township, admin_user, django_capture_on_commit_callbacks):
    create_scheme(county=county, year=YEAR)
    villages = [factories.village_with_secretary(township, f"本乡{i}村") for i in range(3)] + [
        factories.village_with_secretary(other_township, f"外乡{i}村") for i in range(2)
    ]
    for village in villages:
        MonthlyReport.objects.create(
            village=village,
            township=village.township,
            year=YEAR,
            month=MONTH,
            status=ReportStatus.APPROVED,
            values=values(),
        )
    with django_capture_on_commit_callbacks(execute=True):  # the run computes once its start commits
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    return villages


def test_township_staff_file_and_submit_a_report_through_the_api(staff_user, county, township, other_township):
    village = factories.village_with_secretary(township, "接口村")
    foreign = factories.village_with_secretary(other_township, "外乡村")
    api = APIClient()
    api.force_authenticate(staff_user)
    response = api.post(
        "/api/v1/reports/", {"village": village.pk, "year": YEAR, "month": MONTH, "values": values()}, format="json"
    )
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert api.post(f"/api/v1/reports/{report_id}/submit/").json()["status"] == "submitted"
    assert api.post(
        "/api/v1/reports/", {"village": foreign.pk, "year": YEAR, "month": MONTH, "values": values()}, format="json"
    ).status_code in (400, 404)
    bad = api.post(
        "/api/v1/reports/",
        {"village": village.pk, "year": YEAR, "month": MONTH - 1, "values": values(petitions=-3)},
        format="json",
    )
    assert bad.status_code == 400 and "不能为负数" in bad.content.decode()


def test_token_clients_read_scores_but_cannot_trigger_runs(county, scored, django_assert_num_queries):
    client_user = factories.api_client_user(county)
    _instance, token = AuthToken.objects.create(user=client_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_num_queries(4):  # knox (2), count, page
        body = api.get("/api/v1/scores/", {"year": YEAR, "period": MONTH}).json()
    assert body["count"] == 5
    detail = api.get(f"/api/v1/scores/{body['results'][0]['id']}/").json()
    assert len(detail["items"]) >= 20 and detail["items"][0]["explanation"]
    assert (
        api.post("/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": MONTH}, format="json").status_code == 403
    )


def test_the_county_admin_triggers_a_run_through_the_api(
    admin_user, county, scored, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": MONTH}, format="json")
    assert response.status_code == 202
    assert Score.objects.filter(year=YEAR, period=MONTH).count() == 5  # replaced, not duplicated
    assert api.post("/api/v1/runs/", {"kind": "monthly", "year": 1999, "period": 1}, format="json").status_code == 400


def test_staff_see_only_their_townships_scores(staff_user, scored, other_village):
    api = APIClient()
    api.force_authenticate(staff_user)
    assert api.get("/api/v1/scores/").json()["count"] == 3
    foreign = Score.objects.get(village=scored[-1])
    assert api.get(f"/api/v1/scores/{foreign.pk}/").status_code == 404


PAGES = ["scheme-list", "report-overview", "report-list", "run-list", "score-list", "rating-list", "removal-list"]


@pytest.mark.parametrize("name", PAGES)
def test_assessment_pages_have_a_pinned_query_count(
    client, admin_user, scored, county, name, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse(name)).status_code == 200
    # More villages, reports and scores: the same number of queries.
    more = [factories.village_with_secretary(scored[0].township, f"新增{i}村") for i in range(4)]
    for village in more:
        MonthlyReport.objects.create(
            village=village,
            township=village.township,
            year=YEAR,
            month=MONTH,
            status=ReportStatus.APPROVED,
            values=values(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    with django_assert_num_queries(len(first)):
        assert client.get(reverse(name)).status_code == 200


def test_ranking_list_query_count_is_pinned(client, admin_user, scored, django_assert_num_queries):
    client.force_login(admin_user)
    with django_assert_num_queries(9):  # session, user, township and village choices, count, page, session save (3)
        assert client.get(reverse("score-list")).status_code == 200


def test_scorecard_explains_every_point_and_the_override_is_audited(client, admin_user, staff_user, scored):
    score = Score.objects.get(village=scored[0])
    client.force_login(admin_user)
    page = client.get(reverse("score-detail", args=[score.pk])).content.decode()
    assert "扣完为止" in page or "无扣分事项" in page
    assert "记分卡" in page
    item = score.items.get(indicator__code="A09")
    client.post(reverse("score-detail", args=[score.pk]), {"item": item.pk, "points": "20", "reason": "述职良好"})
    item.refresh_from_db()
    assert item.override_points == 20 and AuditEvent.objects.filter(action="override").exists()
    client.force_login(staff_user)
    assert (
        client.post(
            reverse("score-detail", args=[score.pk]), {"item": item.pk, "points": "30", "reason": "x"}
        ).status_code
        == 403
    )
    foreign = Score.objects.get(village=scored[-1])
    assert client.get(reverse("score-detail", args=[foreign.pk])).status_code == 404


def test_report_form_and_review_by_page(client, staff_user, admin_user, county, township):
    create_scheme(county=county, year=YEAR)
    village = factories.village_with_secretary(township, "页面村")
    client.force_login(staff_user)
    data = dict.fromkeys(REPORTED_CODES, "0") | {"satisfaction": "95"}
    response = client.post(reverse("report-form", args=[village.pk, YEAR, MONTH]), data | {"submit": "1"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(village=village)
    assert report.status == ReportStatus.SUBMITTED
    client.force_login(admin_user)
    page = client.post(
        reverse("report-detail", args=[report.pk]), {"return": "1", "reason": ""}, follow=True
    ).content.decode()
    assert "退回须说明原因" in page or "请检查" in page
    client.post(reverse("report-detail", args=[report.pk]), {"approve": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_the_county_dashboard_reads_stored_results_in_a_fixed_number_of_queries(
    client, admin_user, scored, county, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    client.force_login(admin_user)
    client.get(reverse("home"))  # computes and stores the alerts once (beat does it every 15 minutes)
    with CaptureQueriesContext(connection) as first:
        page = client.get(reverse("home"), {"year": YEAR, "month": MONTH}).content.decode()
    assert "本月月报进度" in page and "chart-heatmap" in page and "dashboard-data" in page
    for i in range(5):
        village = factories.village_with_secretary(scored[0].township, f"看板{i}村")
        MonthlyReport.objects.create(
            village=village,
            township=village.township,
            year=YEAR,
            month=MONTH,
            status=ReportStatus.APPROVED,
            values=values(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    with django_assert_num_queries(len(first)):
        client.get(reverse("home"), {"year": YEAR, "month": MONTH})
    assert client.get(reverse("home"), {"year": "nonsense", "month": "13"}).status_code == 200


def test_the_township_landing_page_lists_what_to_do_next(
    client, staff_user, township, other_township, county, django_assert_num_queries
):
    create_scheme(county=county, year=YEAR)
    filed = factories.village_with_secretary(township, "已报村")
    factories.village_with_secretary(township, "未报村")
    factories.village_with_secretary(other_township, "别乡村")
    MonthlyReport.objects.create(
        village=filed,
        township=township,
        year=YEAR,
        month=MONTH,
        status=ReportStatus.RETURNED,
        values=values(),
        return_reason="数据有误",
    )
    client.force_login(staff_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    page = client.get(response["Location"], {"year": YEAR, "month": MONTH}).content.decode()
    assert "月报未报送" in page and "未报村" in page and "被退回待修改" in page and "已报村" in page
    assert "别乡村" not in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(response["Location"], {"year": YEAR, "month": MONTH})
    for i in range(4):
        factories.village_with_secretary(township, f"又一{i}村")
    with django_assert_num_queries(len(first)):
        client.get(response["Location"], {"year": YEAR, "month": MONTH})


def test_the_secretary_page_shows_scores_grades_and_flags(
    client, admin_user, staff_user, other_staff_user, scored, county
):
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    score = Score.objects.filter(village=scored[0]).first()
    client.force_login(admin_user)
    page = client.get(reverse("secretary-detail", args=[score.person_id])).content.decode()
    assert "村党组织书记考核" in page and "年度评定" in page and f"{score.total:.2f}" in page
    client.force_login(other_staff_user)
    assert client.get(reverse("secretary-detail", args=[score.person_id])).status_code == 404


def test_scorecards_per_village_per_secretary_per_township(scored, admin_user, township):
    api = APIClient()
    api.force_authenticate(admin_user)
    score = Score.objects.filter(village=scored[0]).first()
    assert api.get("/api/v1/scorecards/", {"village": scored[0].pk}).json()["count"] == 1
    assert api.get("/api/v1/scorecards/", {"person": score.person_id}).json()["results"][0]["id"] == score.pk
    assert api.get("/api/v1/scorecards/", {"township": township.pk}).json()["count"] == 3


def test_another_townships_reports_and_runs_answer_404(client, staff_user, other_township, county):
    create_scheme(county=county, year=YEAR)
    foreign = factories.village_with_secretary(other_township, "外乡报表村")
    report = MonthlyReport.objects.create(
        village=foreign, township=other_township, year=YEAR, month=MONTH, values=values()
    )
    client.force_login(staff_user)
    assert client.get(reverse("report-detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("report-form", args=[foreign.pk, YEAR, MONTH])).status_code == 404
    assert (
        client.get(
            reverse("report-template"), {"township": other_township.pk, "year": YEAR, "month": MONTH}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("report-import"), {"township": other_township.pk, "year": YEAR, "month": MONTH}).status_code
        == 404
    )
    assert "外乡报表村" not in client.get(reverse("report-list")).content.decode()
    api = APIClient()
    api.force_authenticate(staff_user)
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert api.post(f"/api/v1/reports/{report.pk}/submit/").status_code == 404


@pytest.mark.parametrize(
    ("year", "month", "message"),
    [(YEAR, 0, "月份应在 1 到 12 之间"), (YEAR, 13, "月份应在 1 到 12 之间"), (1457, 3, "年份应在 2000 到 2100 之间")],
)
def test_a_bad_period_is_a_400_with_a_chinese_message_on_the_page_and_the_api(
    client, staff_user, township, year, month, message
):
    village = factories.village_with_secretary(township, "期间村")
    client.force_login(staff_user)
    url = reverse("report-form", args=[village.pk, year, month])
    data = dict.fromkeys(REPORTED_CODES, "0") | {"version": "0"}
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 400
        assert message in response.content.decode()
    api = APIClient()
    api.force_authenticate(staff_user)
    body = {"village": village.pk, "year": year, "month": month, "values": values()}
    response = api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400 and message in response.content.decode()
    assert not MonthlyReport.objects.exists()
    with pytest.raises(ValidationError, match=message):
        services.report_save(actor=staff_user, village=village, year=year, month=month, values={})


def test_updating_an_existing_report_needs_the_version_it_was_read_at(staff_user, township):
    village = factories.village_with_secretary(township, "版本村")
    api = APIClient()
    api.force_authenticate(staff_user)
    body = {"village": village.pk, "year": YEAR, "month": MONTH, "values": values(petitions=1)}
    created = api.post("/api/v1/reports/", body, format="json")  # a new report: no version needed
    assert created.status_code == 201 and created.json()["version"] == 1
    # Another user (the form) saves version 2 with petitions 2.
    services.report_save(
        actor=staff_user, village=village, year=YEAR, month=MONTH, values=values(petitions=2), version=1
    )
    unversioned = api.post("/api/v1/reports/", body | {"values": values(petitions=5)}, format="json")
    assert unversioned.status_code == 400 and "version" in unversioned.json()
    stale = api.post("/api/v1/reports/", body | {"values": values(petitions=5), "version": 1}, format="json")
    assert stale.status_code == 409
    assert MonthlyReport.objects.get(village=village).values["petitions"] == 2  # the form user's value kept
    current = api.post("/api/v1/reports/", body | {"values": values(petitions=5), "version": 2}, format="json")
    assert current.status_code == 201 and current.json()["values"]["petitions"] == 5


@pytest.fixture
def partly_reported(county, township, other_township, admin_user, django_capture_on_commit_callbacks):
    """A month scored with reports missing in both townships: 本乡1村's report is a draft, 外乡1村's
    is submitted, the other two are approved; the run leaves out one village of each township."""
    create_scheme(county=county, year=YEAR)
    statuses = {
        (township, "本乡0村"): ReportStatus.APPROVED,
        (township, "本乡1村"): ReportStatus.DRAFT,
        (other_township, "外乡0村"): ReportStatus.APPROVED,
        (other_township, "外乡1村"): ReportStatus.SUBMITTED,
    }
    for (where, name), status in statuses.items():
        village = factories.village_with_secretary(where, name)
        MonthlyReport.objects.create(
            village=village, township=where, year=YEAR, month=MONTH, status=status, values=values()
        )
    with django_capture_on_commit_callbacks(execute=True):  # the run computes once its start commits
        run = services.scoring_run_start(
            actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, allow_missing=True
        )
    return run


def test_township_staff_see_only_their_own_villages_left_out_of_a_run(
    client, staff_user, admin_user, partly_reported, township, other_township, django_assert_num_queries
):
    api = APIClient()
    api.force_authenticate(staff_user)
    listed = api.get("/api/v1/runs/").json()["results"]
    detail = api.get(f"/api/v1/runs/{partly_reported.pk}/").json()
    for left_out in (listed[0]["left_out"], detail["left_out"]):
        assert [v["township"] for v in left_out if v["township"] == other_township.name] == []
        assert [(v["name"], v["status"]) for v in left_out] == [("本乡1村", "draft")]
    client.force_login(staff_user)
    page = client.get(reverse("run-list")).content.decode()
    assert other_township.name not in page and "外乡1村" not in page
    assert "本乡1村" in page
    with django_assert_num_queries(3):  # count, page, the villages of the page's runs in the user's scope
        api.get("/api/v1/runs/")
    with django_assert_num_queries(2):  # the run, its villages in the user's scope
        api.get(f"/api/v1/runs/{partly_reported.pk}/")
    # The county sees both townships' villages.
    api.force_authenticate(admin_user)
    assert sorted(v["name"] for v in api.get(f"/api/v1/runs/{partly_reported.pk}/").json()["left_out"]) == [
        "外乡1村",
        "本乡1村",
    ]


def test_the_run_list_query_count_does_not_grow_with_runs_that_left_villages_out(
    client,
    staff_user,
    admin_user,
    partly_reported,
    county,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("run-list")).status_code == 200
    for _again in range(3):  # each run computes once its start commits, before the next one starts
        with django_capture_on_commit_callbacks(execute=True):
            services.scoring_run_start(
                actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, allow_missing=True
            )
    with django_assert_num_queries(len(first)):
        assert client.get(reverse("run-list")).status_code == 200
