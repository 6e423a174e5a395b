"""Odd input answers 400 (or 404) with a message, never 500 (issue 10, "Fix first").

Each case was a server error found by the independent check."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

HUGE = "99999999999999999999"


@pytest.fixture
def api(db):
    return APIClient()


@pytest.mark.parametrize("period", [13, 0, -1, HUGE])
def test_monthly_run_with_a_period_outside_1_to_12_is_a_400(api, admin_user, period):
    factories.use_token(api, admin_user)
    response = api.post("/api/v1/runs/", {"kind": "monthly", "year": 2026, "period": period}, format="json")
    assert response.status_code == 400, response.content
    assert "period" in response.json()


@pytest.mark.parametrize("period", [5, 0])
def test_quarterly_run_with_a_period_outside_1_to_4_is_a_400(api, admin_user, period):
    factories.use_token(api, admin_user)
    response = api.post("/api/v1/runs/", {"kind": "quarterly", "year": 2026, "period": period}, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    ("year", "month", "field"),
    [(2026, 13, "month"), (2026, 0, "month"), (1457, 3, "year"), (99999, 3, "year"), (2026, HUGE, "month")],
)
def test_report_outside_the_calendar_is_a_400(api, staff_user, village, year, month, field):
    factories.use_token(api, staff_user)
    response = api.post(
        "/api/v1/reports/", {"village": village.pk, "year": year, "month": month, "values": {}}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/members/",
        "/api/v1/organizations/",
        "/api/v1/meetings/",
        "/api/v1/scores/",
        "/api/v1/scorecards/",
        "/api/v1/people/",
        "/api/v1/reports/",
        "/api/v1/villages/",
    ],
)
@pytest.mark.parametrize("param", ["village", "township", "organization", "id", "page"])
def test_huge_ids_in_api_filters_are_not_a_server_error(api, admin_user, path, param):
    factories.use_token(api, admin_user)
    response = api.get(path, {param: HUGE})
    assert response.status_code in (200, 400, 404), (path, param, response.status_code)


@pytest.mark.parametrize(
    "name",
    ["member-list", "person-list", "organization-list", "meeting-list", "village-list", "report-list", "score-list"],
)
def test_huge_ids_in_page_filters_are_not_a_server_error(client, admin_user, name):
    client.force_login(admin_user)
    params = {"village": HUGE, "township": HUGE, "organization": HUGE, "year": HUGE, "page": HUGE}
    response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, response.status_code)


def test_format_suffix_on_a_custom_action_is_not_a_server_error(api, staff_user, village):
    factories.use_token(api, staff_user)
    report = factories.MonthlyReportFactory(village=village, year=2026, month=3, status="draft")
    response = api.post(f"/api/v1/reports/{report.pk}/submit.json")
    assert response.status_code == 404, response.content
    report.refresh_from_db()
    assert report.status == "draft"


def test_weak_detail_shows_who_acted_after_their_account_was_deleted(client, county, village, township):
    """Designated, stepped and accepted by accounts deleted since: the page still shows the history."""
    import datetime

    from villages.services import weak_accept, weak_add_step, weak_designate

    designer = factories.county_admin(county, username="designer")
    recorder = factories.township_staff(township, username="recorder")
    designation = weak_designate(actor=designer, village=village, year=2026, reason="书记空缺半年")
    weak_add_step(actor=recorder, designation=designation, done_on=datetime.date(2026, 6, 1), description="选优配强")
    weak_accept(actor=designer, designation=designation, note="班子健全")
    designer.delete()
    recorder.delete()

    client.force_login(factories.county_admin(county, username="reader"))
    response = client.get(reverse("weak-detail", args=[designation.pk]))
    assert response.status_code == 200
    assert "选优配强" in response.content.decode()
