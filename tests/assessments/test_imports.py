import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import imports
from assessments.choices import ReportStatus
from assessments.demo import create_scheme
from assessments.metrics import METRICS, REPORTED_CODES
from assessments.models import MonthlyReport
from tests import factories

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 4


def workbook_bytes(township, rows, year=YEAR, month=MONTH, info_township=None):
    workbook = imports.template(township=township, year=year, month=month)
    sheet = workbook[imports.SHEET]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append(row)
    if info_township:
        workbook["说明"]["B1"] = info_township
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(village, **overrides):
    values = dict.fromkeys(REPORTED_CODES, 0) | {"satisfaction": 90}
    values.update(overrides)
    return [village.name, *[values[c] for c in REPORTED_CODES]]


@pytest.fixture
def setting(county, township):
    create_scheme(county=county, year=YEAR)
    return [factories.VillageFactory(township=township, name=f"导入{i}村") for i in range(3)]


def test_the_template_lists_the_townships_villages(township, setting):
    sheet = imports.template(township=township, year=YEAR, month=MONTH)[imports.SHEET]
    header = [c.value for c in sheet[1]]
    # Every header names its unit once ("本月召开三会一课（次）", not "…（次）（次）").
    assert header[1] == "信访件数（件）"
    assert "群众满意度（%）" in header and "本月召开三会一课（次）" in header
    assert not any(h.endswith("）（次）") for h in header)
    assert {sheet.cell(row=r, column=1).value for r in range(2, 5)} == {v.name for v in setting}


def test_a_template_kept_from_before_the_units_still_imports(staff_user, township, setting):
    workbook = imports.template(township=township, year=YEAR, month=MONTH)
    sheet = workbook[imports.SHEET]
    sheet.delete_rows(1, sheet.max_row)
    sheet.append(["村（社区）", *[str(METRICS[c].label) for c in REPORTED_CODES]])  # the old header
    for village in setting:
        sheet.append(row(village))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(buffer.getvalue())
    )
    assert result.ok, (result.message, result.errors)
    assert MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 3


def test_a_valid_workbook_files_and_submits_every_village_once(staff_user, township, setting):
    data = workbook_bytes(township, [row(v) for v in setting])
    result = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=SimpleUploadedFile("m.xlsx", data)
    )
    assert result.ok, result.errors
    assert MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 3
    again = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=SimpleUploadedFile("m.xlsx", data)
    )
    assert again.already_imported and MonthlyReport.objects.count() == 3


def test_bad_rows_are_all_reported_and_nothing_is_written(staff_user, township, other_township, setting):
    stranger = factories.VillageFactory(township=other_township, name="外乡村")
    rows = [row(setting[0]), row(setting[1], petitions=-2), row(stranger), row(setting[2], satisfaction=130)]
    result = imports.reports_import(
        actor=staff_user,
        township=township,
        year=YEAR,
        month=MONTH,
        upload=SimpleUploadedFile("m.xlsx", workbook_bytes(township, rows)),
    )
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} >= {
        (3, "信访件数（件）"),
        (4, "村（社区）"),
        (5, "群众满意度（%）"),
    }
    assert not MonthlyReport.objects.exists()


def test_a_workbook_for_another_township_or_month_is_refused(staff_user, township, other_township, setting):
    wrong_town = workbook_bytes(township, [row(v) for v in setting], info_township=other_township.name)
    result = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=SimpleUploadedFile("m.xlsx", wrong_town)
    )
    assert not result.ok and "不是本乡镇" in result.message
    wrong_month = workbook_bytes(township, [row(v) for v in setting], month=MONTH - 1)
    result = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=SimpleUploadedFile("m.xlsx", wrong_month)
    )
    assert not result.ok and "不是" in result.message
    assert not MonthlyReport.objects.exists()


# --- Workbooks as people fill them -------------------------------------------------


def upload(data, name="m.xlsx"):
    return SimpleUploadedFile(name, data)


def titled_workbook_bytes(township, rows, period="2026-04"):
    """The template reworked by hand: a merged title row, a blank row, then the header (row 3)."""
    workbook = imports.template(township=township, year=YEAR, month=MONTH)
    sheet = workbook[imports.SHEET]
    header = [c.value for c in sheet[1]]
    sheet.delete_rows(1, sheet.max_row)
    sheet.append([f"{township.name}{YEAR}年{MONTH}月党建工作月报"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    workbook["说明"]["B2"] = period
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_a_merged_title_and_a_blank_row_above_the_header_imports(staff_user, township, setting):
    data = titled_workbook_bytes(township, [row(v) for v in setting])
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert result.ok, (result.message, result.errors)
    assert MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 3


def test_errors_name_the_real_row_under_a_title(staff_user, township, setting):
    # Header on row 3, so the villages are on rows 4, 5 and 6.
    data = titled_workbook_bytes(township, [row(setting[0]), row(setting[1], petitions=-1), row(setting[2])])
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(5, "信访件数（件）")]
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize(
    "period",
    ["2026年4月", "2026-4", "2026/04", "2026.4", datetime.datetime(2026, 4, 1)],  # noqa: DTZ001 - an Excel date cell
)
def test_the_period_on_the_instructions_sheet_may_be_written_as_people_write_it(staff_user, township, setting, period):
    data = titled_workbook_bytes(township, [row(v) for v in setting], period=period)
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert result.ok, result.message
    assert MonthlyReport.objects.count() == 3


def test_an_unreadable_period_is_refused_with_the_spellings_it_accepts(staff_user, township, setting):
    data = titled_workbook_bytes(township, [row(v) for v in setting], period="四月份")
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert not result.ok
    assert "“说明”工作表" in result.message and "四月份" in result.message and "2026年4月" in result.message
    assert not MonthlyReport.objects.exists()


def test_a_header_missing_from_the_first_rows_is_reported(staff_user, township, setting):
    workbook = imports.template(township=township, year=YEAR, month=MONTH)
    workbook[imports.SHEET]["A1"] = "村名"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = imports.reports_import(
        actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(buffer.getvalue())
    )
    assert not result.ok and "找不到表头" in result.message and "村（社区）" in result.message


@pytest.fixture
def other_setting(other_township):
    return [factories.VillageFactory(township=other_township, name=f"青石{i}村") for i in range(2)]


def test_another_townships_workbook_already_imported_there_is_refused_as_theirs(
    staff_user, other_staff_user, township, other_township, setting, other_setting
):
    data = workbook_bytes(other_township, [row(v) for v in other_setting])
    theirs = imports.reports_import(
        actor=other_staff_user, township=other_township, year=YEAR, month=MONTH, upload=upload(data)
    )
    assert theirs.ok, theirs.errors
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert not result.ok and not result.already_imported
    assert "该文件属于青石乡" in result.message and "不是本乡镇" in result.message
    assert MonthlyReport.objects.filter(township=township).count() == 0


def test_a_file_without_instructions_already_imported_by_another_township_is_refused_as_theirs(
    staff_user, other_staff_user, township, other_township, setting, other_setting
):
    workbook = imports.template(township=other_township, year=YEAR, month=MONTH)
    del workbook["说明"]
    sheet = workbook[imports.SHEET]
    sheet.delete_rows(2, sheet.max_row)
    for values in [row(v) for v in other_setting]:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert imports.reports_import(
        actor=other_staff_user, township=other_township, year=YEAR, month=MONTH, upload=upload(data)
    ).ok
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert not result.ok and not result.already_imported
    assert "已由青石乡导入" in result.message
    assert MonthlyReport.objects.filter(township=township).count() == 0


def _file(staff_user, township, villages):
    result = imports.reports_import(
        actor=staff_user,
        township=township,
        year=YEAR,
        month=MONTH,
        upload=upload(workbook_bytes(township, [row(v) for v in villages])),
    )
    assert result.ok, result.errors


def _template_villages(township):
    sheet = imports.template(township=township, year=YEAR, month=MONTH)[imports.SHEET]
    return [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_template_leaves_out_villages_already_submitted_or_approved(staff_user, township, setting):
    _file(staff_user, township, setting[:2])
    MonthlyReport.objects.filter(village=setting[1]).update(status=ReportStatus.APPROVED)
    assert _template_villages(township) == [setting[2].name]
    info = {r[0]: r[1] for r in imports.template(township=township, year=YEAR, month=MONTH)["说明"].values}
    assert set(info["已报送（不在本表）"].split("、")) == {setting[0].name, setting[1].name}


def test_the_template_keeps_a_returned_village_and_other_months(staff_user, township, setting):
    _file(staff_user, township, setting[:1])
    MonthlyReport.objects.filter(village=setting[0]).update(status=ReportStatus.RETURNED)
    assert set(_template_villages(township)) == {v.name for v in setting}
    sheet = imports.template(township=township, year=YEAR, month=MONTH + 1)[imports.SHEET]
    assert sheet.max_row == 1 + len(setting)


def test_a_row_for_a_village_already_submitted_is_refused_by_name_and_nothing_is_written(staff_user, township, setting):
    _file(staff_user, township, setting[:1])
    data = workbook_bytes(township, [row(v, petitions=1) for v in setting])
    result = imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload(data))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "村（社区）")]
    assert setting[0].name in result.errors[0].message and "已报送" in result.errors[0].message
    assert MonthlyReport.objects.count() == 1
    assert MonthlyReport.objects.get().values.get("petitions") == 0


def test_the_downloaded_template_omits_a_submitted_village(client, staff_user, township, setting):
    from django.urls import reverse
    from openpyxl import load_workbook

    _file(staff_user, township, setting[1:2])
    client.force_login(staff_user)
    response = client.get(reverse("report-template"), {"township": township.pk, "year": YEAR, "month": MONTH})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[imports.SHEET]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [setting[0].name, setting[2].name]


def test_after_a_clean_import_the_page_returns_to_the_months_overview(client, staff_user, township, setting):
    client.force_login(staff_user)
    url = f"{reverse('report-import')}?year={YEAR}&month={MONTH}"
    form = client.get(url).content.decode()
    overview = f"{reverse('report-overview')}?year={YEAR}&amp;month={MONTH}&amp;township={township.pk}"
    assert overview in form  # a way back before uploading, too
    data = workbook_bytes(township, [row(v) for v in setting])
    response = client.post(url, {"file": SimpleUploadedFile("m.xlsx", data)})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('report-overview')}?year={YEAR}&month={MONTH}&township={township.pk}"
