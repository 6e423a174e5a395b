"""The county's review queue of monthly reports: bulk approval after a confirmation step, return
with a reason, the filters, approved reports read-only, and mismatch flags only for ended months."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.choices import ReportStatus
from assessments.metrics import REPORTED_CODES
from assessments.models import MonthlyReport
from assessments.services.reports import month_has_ended
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db

# March 2026 has ended (the tests run later than that): its reports are compared with the records.
YEAR, MONTH = 2026, 3
# What a report says it held, against what the meeting records hold (none are recorded here).
MISMATCH = [{"metric": "meetings_reported", "reported": 4, "recorded": 0}]


def _submitted(village, *, year=YEAR, month=MONTH, mismatches=()):
    return factories.MonthlyReportFactory(
        village=village, year=year, month=month, status=ReportStatus.SUBMITTED, mismatches=list(mismatches)
    )


@pytest.fixture
def three(township):
    return [_submitted(factories.VillageFactory(township=township, name=f"审核村{i}")) for i in range(3)]


def _approve(client, reports, acknowledge=()):
    return client.post(
        reverse("report-bulk-approve"),
        {"report": [r.pk for r in reports], "acknowledge": [r.pk for r in acknowledge]},
        follow=True,
    )


def _statuses(reports):
    return [MonthlyReport.objects.get(pk=r.pk).status for r in reports]


def _approval_audits(reports):
    return AuditEvent.objects.filter(action="approve", target_id__in=[str(r.pk) for r in reports])


def test_bulk_approval_approves_every_selected_report_with_one_audit_row_each(client, admin_user, three):
    client.force_login(admin_user)
    page = _approve(client, three).content.decode()
    assert _statuses(three) == [ReportStatus.APPROVED] * 3
    assert _approval_audits(three).count() == 3
    assert all(e.detail["approved"] is True for e in _approval_audits(three))
    assert "已审核通过 3 份月报" in page
    assert all(MonthlyReport.objects.get(pk=r.pk).reviewed_by == admin_user for r in three)


def test_the_confirmation_lists_the_selected_reports_and_writes_nothing(client, admin_user, three):
    client.force_login(admin_user)
    page = client.get(reverse("report-bulk-approve"), {"report": [r.pk for r in three]}).content.decode()
    assert all(r.village.name in page for r in three)
    assert "确认审核通过这 3 份" in page
    assert _statuses(three) == [ReportStatus.SUBMITTED] * 3
    assert not _approval_audits(three).exists()


def test_select_all_on_the_page_takes_the_pages_submitted_reports(client, admin_user, three):
    client.force_login(admin_user)
    listing = client.get(reverse("report-list")).content.decode()
    page_ids = sorted(int(pk) for pk in re.findall(r'name="page" value="(\d+)"', listing))
    assert page_ids == sorted(r.pk for r in three)
    page = client.get(reverse("report-bulk-approve"), {"all": "1", "page": page_ids}).content.decode()
    assert "确认审核通过这 3 份" in page


def test_a_batch_with_a_report_returned_meanwhile_changes_nothing_and_names_the_village(client, admin_user, three):
    client.force_login(admin_user)
    services.report_review(actor=admin_user, report=three[1], approve=False, reason="重新核实")
    before = AuditEvent.objects.count()
    page = _approve(client, three).content.decode()
    assert _statuses(three) == [ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED]
    assert AuditEvent.objects.count() == before
    assert "没有审核任何报表" in page
    # The message names the village, its township and why (the page escapes the quotes).
    assert "审核村1（城关镇）：当前状态为“已退回”，不是已报送，不能审核。" in page


def test_a_mismatch_blocks_the_batch_until_it_is_acknowledged(client, admin_user, township, three):
    mismatched = _submitted(factories.VillageFactory(township=township, name="不符村"), mismatches=MISMATCH)
    batch = [*three, mismatched]
    client.force_login(admin_user)

    page = _approve(client, batch).content.decode()
    assert _statuses(batch) == [ReportStatus.SUBMITTED] * 4
    assert "没有审核任何报表" in page
    assert "不符村（城关镇）：数据与台账不一致，未勾选“已核对差异”。" in page
    assert not _approval_audits(batch).exists()

    _approve(client, batch, acknowledge=[mismatched])
    assert _statuses(batch) == [ReportStatus.APPROVED] * 4
    audit = _approval_audits([mismatched]).get()
    assert audit.detail["acknowledged_mismatches"] == MISMATCH
    assert "acknowledged_mismatches" not in _approval_audits(three).first().detail


def test_a_mismatch_found_on_submission_is_flagged_on_the_confirmation(client, admin_user, township):
    # The village holds no meeting records, so reporting 3 meetings differs from the records' 0.
    village = factories.village_with_secretary(township, "会议村")
    report = services.report_save(
        actor=admin_user, village=village, year=YEAR, month=MONTH, values=factories.report_values(meetings_reported=3)
    )
    report = services.report_submit(actor=admin_user, report=report)
    assert report.mismatches == [{"metric": "meetings_reported", "reported": 3, "recorded": 0}]
    client.force_login(admin_user)
    page = client.get(reverse("report-bulk-approve"), {"report": [report.pk]}).content.decode()
    assert "data-mismatch" in page and f'name="acknowledge" value="{report.pk}"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_township_staff_may_not_use_the_bulk_approval(client, staff_user, township, method):
    report = _submitted(factories.VillageFactory(township=township))
    client.force_login(staff_user)
    response = getattr(client, method)(reverse("report-bulk-approve"), {"report": [report.pk]})
    assert response.status_code in (403, 404)
    assert _statuses([report]) == [ReportStatus.SUBMITTED]


def test_a_report_outside_the_reviewers_county_refuses_the_whole_batch(client, admin_user, other_county, three):
    foreign_township = factories.TownshipFactory(county=other_county, name="邻县乡")
    foreign = _submitted(factories.VillageFactory(township=foreign_township, name="邻县村"))
    client.force_login(admin_user)
    response = client.post(reverse("report-bulk-approve"), {"report": [*(r.pk for r in three), foreign.pk]})
    assert response.status_code == 404
    assert _statuses([*three, foreign]) == [ReportStatus.SUBMITTED] * 4
    assert not _approval_audits([*three, foreign]).exists()


def test_nonsense_ids_are_a_404_and_no_selection_goes_back_to_the_list(client, admin_user, three):
    client.force_login(admin_user)
    assert client.post(reverse("report-bulk-approve"), {"report": ["x"]}).status_code == 404
    response = client.post(reverse("report-bulk-approve"), {})
    assert response.status_code == 302 and response.url == reverse("report-list")
    assert _statuses(three) == [ReportStatus.SUBMITTED] * 3


def test_an_empty_return_reason_is_refused_and_changes_nothing(client, admin_user, three):
    client.force_login(admin_user)
    before = AuditEvent.objects.count()
    page = client.post(reverse("report-return", args=[three[0].pk]), {"reason": "  "}, follow=True).content.decode()
    assert "退回须说明原因" in page
    assert _statuses(three[:1]) == [ReportStatus.SUBMITTED]
    assert AuditEvent.objects.count() == before


def test_a_report_is_returned_from_the_queue_with_its_reason(client, admin_user, three):
    client.force_login(admin_user)
    confirm = f"{reverse('report-bulk-approve')}?report={three[1].pk}&report={three[2].pk}"
    response = client.post(reverse("report-return", args=[three[0].pk]), {"reason": "党员数不符", "next": confirm})
    assert response.status_code == 302 and response.url == confirm
    report = MonthlyReport.objects.get(pk=three[0].pk)
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "党员数不符")


def test_township_staff_may_not_return_reports(client, staff_user, three):
    client.force_login(staff_user)
    assert client.post(reverse("report-return", args=[three[0].pk]), {"reason": "x"}).status_code == 403
    assert _statuses(three[:1]) == [ReportStatus.SUBMITTED]


def test_an_approved_report_shows_its_values_without_inputs_or_review_buttons(client, admin_user, staff_user, three):
    services.report_review(actor=admin_user, report=three[0], approve=True)
    report = MonthlyReport.objects.get(pk=three[0].pk)
    client.force_login(admin_user)
    detail = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    assert not any(f'name="{code}"' in detail for code in REPORTED_CODES)
    assert 'name="approve"' not in detail and 'name="return"' not in detail
    assert admin_user.display_name in detail
    assert timezone.localtime(report.reviewed_at).strftime("%Y-%m-%d %H:%M") in detail
    assert "更正已审核报表（记录原因）" in detail

    client.force_login(staff_user)
    form_page = client.get(reverse("report-form", args=[report.village_id, YEAR, MONTH])).content.decode()
    assert not any(f'name="{code}"' in form_page for code in REPORTED_CODES)
    assert 'name="submit"' not in form_page and 'name="save"' not in form_page
    assert admin_user.display_name in form_page


def test_the_current_months_report_shows_no_mismatch_flag(client, admin_user, township):
    today = timezone.localdate()
    running = _submitted(
        factories.VillageFactory(township=township, name="本月村"),
        year=today.year,
        month=today.month,
        mismatches=MISMATCH,
    )
    client.force_login(admin_user)
    detail = client.get(reverse("report-detail", args=[running.pk])).content.decode()
    assert "与台账不符（请核实" not in detail
    confirm = client.get(reverse("report-bulk-approve"), {"report": [running.pk]}).content.decode()
    assert "data-mismatch" not in confirm
    flagged = client.get(reverse("report-list"), {"mismatch": "true"}).content.decode()
    assert "本月村" not in flagged
    # Nothing to acknowledge: the batch passes.
    _approve(client, [running])
    assert _statuses([running]) == [ReportStatus.APPROVED]


@pytest.mark.parametrize(
    ("today", "ended"),
    [
        (datetime.date(2026, 3, 1), False),  # the month's first day
        (datetime.date(2026, 3, 31), False),  # its last day: records may still come in
        (datetime.date(2026, 4, 1), True),  # the next month's first day
        (datetime.date(2027, 1, 1), True),  # a later year
        (datetime.date(2025, 12, 31), False),  # before it
    ],
)
def test_march_has_ended_from_the_first_of_april(today, ended):
    assert month_has_ended(2026, 3, today=today) is ended


def test_the_month_ends_at_midnight_in_shanghai_not_in_utc():
    # 16:30 UTC on 31 March is 00:30 on 1 April in Asia/Shanghai (UTC+8).
    instant = datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC)
    assert month_has_ended(2026, 3, today=timezone.localdate(instant)) is True


def _listed(client, **params):
    page = client.get(reverse("report-list"), params).content.decode()
    return {name for name in ("甲村", "乙村", "丙村", "本月丁村") if name in page}


def test_the_list_filters_by_township_status_late_and_mismatch(client, admin_user, township, other_township):
    today = timezone.localdate()
    factories.MonthlyReportFactory(village=factories.VillageFactory(township=township, name="甲村"))  # approved
    _submitted(factories.VillageFactory(township=township, name="乙村"), mismatches=MISMATCH)
    late = _submitted(factories.VillageFactory(township=other_township, name="丙村"))
    MonthlyReport.objects.filter(pk=late.pk).update(is_late=True)
    _submitted(
        factories.VillageFactory(township=other_township, name="本月丁村"),
        year=today.year,
        month=today.month,
        mismatches=MISMATCH,
    )
    client.force_login(admin_user)
    assert _listed(client) == {"甲村", "乙村", "丙村", "本月丁村"}
    assert _listed(client, township=township.pk) == {"甲村", "乙村"}
    assert _listed(client, status="submitted") == {"乙村", "丙村", "本月丁村"}
    assert _listed(client, is_late="true") == {"丙村"}
    # Only 乙村: 本月丁村 differs too, but its month has not ended.
    assert _listed(client, mismatch="true") == {"乙村"}
    assert _listed(client, mismatch="false") == {"甲村", "丙村", "本月丁村"}


def test_the_review_list_reads_a_fixed_number_of_queries(client, admin_user, township, other_township):
    client.force_login(admin_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("report-list")).status_code == 200
        return len(queries)

    _submitted(factories.VillageFactory(township=township), mismatches=MISMATCH)
    few = count()
    for i in range(12):
        _submitted(factories.VillageFactory(township=(township, other_township)[i % 2]), mismatches=MISMATCH)
        factories.MonthlyReportFactory(village=factories.VillageFactory(township=other_township))
    assert count() == few
