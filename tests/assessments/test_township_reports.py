"""The township's own monthly report (乡镇本级月报): filed by the township on the same form, workbook
and API as a village's, reviewed in the same queue, asked for only where a township scheme reads it,
and never seen by another township."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessments import imports
from assessments.choices import AssessmentMessageKind, ReportStatus
from assessments.demo import create_township_scheme
from assessments.metrics import METRICS, reported_codes
from assessments.models import MonthlyReport
from assessments.selectors import township_todo
from assessments.services.reports import deadline_reminders
from cadres.choices import CadreMessageKind
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent, Message

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 4
CODES = reported_codes("township")


def own_values(**overrides):
    return dict.fromkeys(CODES, 0) | {"township_petitions_resolved": 95, "key_tasks_progress": 80} | overrides


def own_report(township):
    return MonthlyReport.objects.get(township=township, village__isnull=True, year=YEAR, month=MONTH)


def test_the_township_files_its_own_report_and_the_county_approves_it(client, staff_user, admin_user, township):
    village = factories.village_with_secretary(township, "本镇村")
    client.force_login(staff_user)
    url = reverse("township-report-form", args=[township.pk, YEAR, MONTH])
    page = client.get(url).content.decode()
    # The township's form asks for the township's metrics, not a village's.
    assert "乡镇本级受理信访件数" in page and 'name="petitions"' not in page and "（乡镇本级）" in page
    data = {k: str(v) for k, v in own_values(township_petitions=3, theory_study_sessions=2).items()}
    # A village metric sent along is not kept.
    response = client.post(url, data | {"petitions": "9", "version": "0", "submit": "1"})
    assert response.status_code == 302
    report = own_report(township)
    assert report.village is None and report.status == ReportStatus.SUBMITTED
    assert report.values["township_petitions"] == 3 and "petitions" not in report.values
    assert AuditEvent.objects.filter(action=AuditAction.SUBMIT, target_id=str(report.pk)).exists()
    # The overview heads the villages with it; the villages' progress counts villages only.
    overview = client.get(reverse("report-overview"), {"year": YEAR, "month": MONTH}).content.decode()
    assert overview.index("（乡镇本级）") < overview.index(village.name) and ">0 / 1<" in overview

    client.force_login(admin_user)
    queue = client.get(reverse("report-list"), {"level": "township"}).content.decode()
    assert f"{township.name}（乡镇本级）" in queue and village.name not in queue
    client.post(reverse("report-detail", args=[report.pk]), {"approve": "1"})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    told = Message.objects.get(recipient=staff_user, kind=AssessmentMessageKind.REPORT_APPROVED)
    assert told.title == f"{township.name}（乡镇本级） {YEAR}年{MONTH}月月报已审核通过" and told.url == url
    # A correction offers (and takes) only the township's metrics, shown by name in its history.
    response = client.post(
        reverse("report-detail", args=[report.pk]),
        {"correct": "1", "metric": "petitions", "value": "1", "reason": "误选"},
        follow=True,
    )
    assert "petitions" not in own_report(township).values
    client.post(
        reverse("report-detail", args=[report.pk]),
        {"correct": "1", "metric": "township_petitions", "value": "4", "reason": "漏报一件"},
    )
    detail = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert own_report(township).values["township_petitions"] == 4
    assert "乡镇本级受理信访件数 3 → 4" in detail


def test_the_review_export_names_the_townships_own_report(client, admin_user, township):
    MonthlyReport.objects.create(township=township, year=YEAR, month=MONTH, status=ReportStatus.SUBMITTED)
    client.force_login(admin_user)
    response = client.get(reverse("report-export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [sheet.cell(row=2, column=c).value for c in (1, 2)] == [township.name, f"{township.name}（乡镇本级）"]


def test_another_township_and_a_viewer_cannot_file_it(client, other_staff_user, viewer_user, township):
    url = reverse("township-report-form", args=[township.pk, YEAR, MONTH])
    client.force_login(other_staff_user)
    assert client.get(url).status_code == 404
    assert client.post(url, dict.fromkeys(CODES, "0") | {"submit": "1"}).status_code == 404
    for name in ("township-report-template", "township-report-import"):
        assert client.get(reverse(name), {"township": township.pk, "year": YEAR, "month": MONTH}).status_code == 404
    client.force_login(viewer_user)
    assert client.post(url, dict.fromkeys(CODES, "0") | {"submit": "1"}).status_code == 403
    assert not MonthlyReport.objects.exists()


def _workbook(township, rows, *, year=YEAR, month=MONTH):
    workbook = imports.township_template(township=township, year=year, month=month)
    sheet = workbook[imports.OWN_SHEET]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("本级.xlsx", buffer.getvalue())


def _row(name, **overrides):
    values = own_values(**overrides)
    return [name, *[values[c] for c in CODES]]


def _import(staff_user, township, upload):
    return imports.township_report_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload)


def test_the_template_is_one_row_of_the_townships_metrics(township):
    sheet = imports.township_template(township=township, year=YEAR, month=MONTH)[imports.OWN_SHEET]
    header = [c.value for c in sheet[1]]
    assert header[0] == "乡镇" and header[1] == f"{METRICS[CODES[0]].label}（件）" and len(header) == 1 + len(CODES)
    assert sheet.cell(row=2, column=1).value == township.name and sheet.max_row == 2


def test_the_workbook_files_and_submits_it_or_writes_nothing(staff_user, township, other_township):
    # Every bad row is named, and nothing is written: a percentage over 100, another township's row.
    result = _import(
        staff_user, township, _workbook(township, [_row(township.name, key_tasks_progress=101), _row("外乡镇")])
    )
    assert not result.ok and not MonthlyReport.objects.exists()
    found = {(e.row, e.column) for e in result.errors}
    assert (2, "重点工作督查完成率（%）") in found and (3, "乡镇") in found
    # Two rows of the township itself: the second is refused.
    result = _import(staff_user, township, _workbook(township, [_row(township.name), _row(township.name)]))
    assert not result.ok and [(e.row, e.column) for e in result.errors] == [(3, "乡镇")]
    # No row at all.
    result = _import(staff_user, township, _workbook(township, []))
    assert not result.ok and "没有填写乡镇本级的数据" in result.errors[0].message
    # Another township's workbook (its instructions sheet) is refused as theirs.
    result = _import(staff_user, township, _workbook(other_township, [_row(other_township.name)]))
    assert not result.ok and other_township.name in result.message
    assert not MonthlyReport.objects.exists()

    result = _import(staff_user, township, _workbook(township, [_row(township.name, warning_talks=2)]))
    assert result.ok, (result.message, result.errors)
    report = own_report(township)
    assert report.status == ReportStatus.SUBMITTED and report.values["warning_talks"] == 2
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1
    # Submitted: a second, different file is refused until the county returns it.
    again = _import(staff_user, township, _workbook(township, [_row(township.name, warning_talks=5)]))
    assert not again.ok and "已报送" in again.message and own_report(township).values["warning_talks"] == 2


def test_the_api_files_it_by_township_and_refuses_another_townships(staff_user, township, other_township):
    api = APIClient()
    api.force_authenticate(staff_user)
    body = {"year": YEAR, "month": MONTH, "values": own_values()}
    response = api.post("/api/v1/reports/", body | {"township": township.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["village"] is None and response.json()["township"] == township.pk
    assert api.post(f"/api/v1/reports/{response.json()['id']}/submit/").json()["status"] == "submitted"
    assert api.post("/api/v1/reports/", body | {"township": other_township.pk}, format="json").status_code == 404
    neither = api.post("/api/v1/reports/", body, format="json")
    assert neither.status_code == 400 and "乡镇本级月报请填写乡镇编号" in neither.content.decode()
    listed = api.get("/api/v1/reports/", {"level": "township"}).json()["results"]
    assert [r["id"] for r in listed] == [response.json()["id"]]


def test_the_to_do_and_the_reminder_ask_for_it_once_a_township_scheme_reads_it(staff_user, county, township, village):
    today = datetime.date(2026, 11, 3)  # October's reports are due 5 November (the default)
    deadline_reminders(today=today)
    (first,) = Message.objects.filter(recipient=staff_user, kind=CadreMessageKind.DEADLINE)
    assert first.title == "2026年10月月报将于 11-05 截止，还有 1 个村未报送"  # no township scheme: not asked
    assert [name for _url, name, _s in township_todo(township=township, today=today, alerts=[])["to_file"]] == [
        village.name
    ]

    create_township_scheme(county=county, year=2026)  # reads 信访量排名 and 中心组学习 from it
    Message.objects.all().delete()
    deadline_reminders(today=today)
    (asked,) = Message.objects.filter(recipient=staff_user, kind=CadreMessageKind.DEADLINE)
    assert asked.title == "2026年10月月报将于 11-05 截止，乡镇本级和 1 个村未报送"
    to_file = township_todo(township=township, today=today, alerts=[])["to_file"]
    assert [(url, name) for url, name, _s in to_file] == [
        (reverse("township-report-form", args=[township.pk, 2026, 10]), "乡镇本级"),
        (reverse("report-form", args=[village.pk, 2026, 10]), village.name),
    ]
    # Once the township and its village have submitted, nobody is reminded.
    MonthlyReport.objects.create(township=township, year=2026, month=10, status=ReportStatus.SUBMITTED)
    factories.MonthlyReportFactory(village=village, year=2026, month=10, status=ReportStatus.SUBMITTED)
    Message.objects.all().delete()
    assert deadline_reminders(today=today) == 0


def test_the_overview_query_count_does_not_grow_with_the_own_report(client, staff_user, township):
    client.force_login(staff_user)
    url = reverse("report-overview")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"year": YEAR, "month": MONTH})
    MonthlyReport.objects.create(township=township, year=YEAR, month=MONTH, values=own_values())
    for i in range(3):
        factories.MonthlyReportFactory(
            village=factories.VillageFactory(township=township, name=f"加{i}村"), year=YEAR, month=MONTH
        )
    with CaptureQueriesContext(connection) as after:
        page = client.get(url, {"year": YEAR, "month": MONTH}).content.decode()
    assert "草稿" in page and len(after) == len(before)
