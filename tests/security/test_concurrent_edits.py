"""Two people editing one report, and the events 等保 asks to be audited (issue 10).

Optimistic locking: each save of a report's values adds one to its version; a save made
from an older version is refused with the other user's values shown, never a silent
overwrite."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.metrics import REPORTED_CODES
from assessments.models import MonthlyReport
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent

YEAR, MONTH = 2026, 3


@pytest.fixture
def village(township):
    return factories.village_with_secretary(township, "并发村")


def form_data(report, **values):
    """What a browser posts: every metric, and the version the page was loaded with."""
    data = dict.fromkeys(REPORTED_CODES, "0") | {k: str(v) for k, v in values.items()}
    return data | {"version": str(report.version), "save": "1"}


def test_the_second_save_from_the_same_version_is_refused_with_the_first_users_values(staff_user, township, village):
    colleague = factories.township_staff(township, username="colleague", first_name="张秀英")
    report = services.report_save(actor=staff_user, village=village, year=YEAR, month=MONTH, values={})
    loaded = MonthlyReport.objects.get(pk=report.pk)  # both open the form now, at version 1
    url = reverse("report-form", args=[village.pk, YEAR, MONTH])
    first, second = Client(), Client()
    first.force_login(colleague)
    second.force_login(staff_user)

    assert first.post(url, form_data(loaded, petitions=2, satisfaction=91)).status_code == 302
    response = second.post(url, form_data(loaded, petitions=7, satisfaction=60))

    assert response.status_code == 200
    page = response.content.decode()
    assert "张秀英" in page and "您的修改没有保存" in page
    saved = MonthlyReport.objects.get(pk=report.pk)
    assert (saved.values["petitions"], saved.values["satisfaction"]) == (2, 91)  # the first save stands
    assert saved.version == 2
    assert 'value="7"' in page  # what the second user typed is still in the form
    # The form now carries the version they have seen: saving again is a deliberate overwrite.
    assert f'name="version" value="{saved.version}"' in page
    again = second.post(url, form_data(saved, petitions=7, satisfaction=60))
    assert again.status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).values["petitions"] == 7


def test_the_api_answers_409_with_the_current_values_for_a_stale_version(staff_user, village):
    api = APIClient()
    factories.use_token(api, staff_user)
    body = {"village": village.pk, "year": YEAR, "month": MONTH, "values": {"petitions": 1}}
    created = api.post("/api/v1/reports/", body, format="json").json()
    assert created["version"] == 1
    assert (
        api.post("/api/v1/reports/", body | {"version": 1, "values": {"petitions": 4}}, format="json").status_code
        == 201
    )
    stale = api.post("/api/v1/reports/", body | {"version": 1, "values": {"petitions": 9}}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["values"]["petitions"] == 4
    assert stale.json()["current"]["version"] == 2
    assert MonthlyReport.objects.get(village=village).values["petitions"] == 4


def test_a_submission_is_audited(staff_user, village):
    report = services.report_save(
        actor=staff_user, village=village, year=YEAR, month=MONTH, values=dict.fromkeys(REPORTED_CODES, 0)
    )
    services.report_submit(actor=staff_user, report=report)
    event = AuditEvent.objects.get(action=AuditAction.SUBMIT)
    assert (event.actor, event.target_id) == (staff_user, str(report.pk))


def test_a_lockout_is_audited_once_with_the_account(client, admin_user):
    for _ in range(5):
        client.post(reverse("login"), {"username": admin_user.username, "password": "wrong-one"})
    events = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT)
    assert events.count() == 1
    assert events.get().detail["username"] == admin_user.username
