import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
    assert [c.value for c in sheet[1]][1] == str(METRICS[REPORTED_CODES[0]].label)
    assert {sheet.cell(row=r, column=1).value for r in range(2, 5)} == {v.name for v in setting}


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
        (3, str(METRICS["petitions"].label)),
        (4, "村（社区）"),
        (5, str(METRICS["satisfaction"].label)),
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
