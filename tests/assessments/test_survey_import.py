"""The survey workbook (满意度测评导入): one row per rater group, all surveys checked before any is
written, a Chinese message naming the row and the column, and all or nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from assessments.imports.surveys import SURVEY_SHEET, SurveyRowForm, surveys_import
from assessments.models import BallotGroup, BallotTally
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADERS = SurveyRowForm.headers()


def _book(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SURVEY_SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "surveys.xlsx"
    return buffer


def _row(org="李家村党支部", group="群众", counts=(40, 38, 2, 20, 10, 4, 2), held_on="2025-12-15"):
    return [org, 2025, held_on, "年终“三评”", "会议现场测评", group, *counts]


@pytest.fixture
def organizations(township, village, other_township, other_village):
    own = factories.PartyOrganizationFactory(township=township, village=village, name="李家村党支部")
    second_village = factories.VillageFactory(township=township, name="张庄村")
    second = factories.PartyOrganizationFactory(township=township, village=second_village, name="张庄村党支部")
    other = factories.PartyOrganizationFactory(township=other_township, village=other_village, name="王庄村党支部")
    return own, second, other


def test_a_workbook_of_two_surveys_goes_in_whole(staff_user, township, organizations):
    rows = [
        _row(),  # 群众: valid 36 = 20 + 10 + 4 + 2
        _row(group="党员", counts=(20, 20, 0, 15, 3, 2, 0)),  # valid 20
        _row(org="张庄村党支部", counts=(40, 40, 0, 10, 10, 10, 10)),  # valid 40
    ]
    book = _book(rows)
    same_file = io.BytesIO(book.getvalue())  # the very same bytes (a workbook saved again differs in its timestamps)
    same_file.name = book.name
    result = surveys_import(actor=staff_user, township=township, upload=book)
    assert result.ok, (result.message, result.errors)
    assert result.created == 2 and BallotTally.objects.count() == 2 and BallotGroup.objects.count() == 3
    li = BallotTally.objects.get(village__name="李家村")
    # valid 56; rate (20 + 10 + 15 + 3) ÷ 56 = 48 ÷ 56 = 85.714… → 85.71
    assert li.valid == 56 and str(li.rate) == "85.71"
    assert AuditEvent.objects.filter(action="import").count() == 1
    again = surveys_import(actor=staff_user, township=township, upload=same_file)
    assert again.already_imported and BallotTally.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "row", "column", "message"),
    [
        ([_row(), _row(group="外星人")], 3, "测评主体", "测评主体应为本县设置的"),
        ([_row(), _row(counts=(40, 41, 0, 41, 0, 0, 0))], 3, "—", "收回票数 41 多于发出票数 40"),
        ([_row(counts=(40, 38, 2, 20, 10, 4, 3))], 2, "—", "各选项票数合计 37，应等于有效票 36"),
        ([_row(), _row(org="王庄村党支部")], 3, "村党组织", "本乡镇没有名为“王庄村党支部”的党组织"),
        ([_row(), _row()], 3, "测评主体", "与第 2 行是同一次测评的同一测评主体"),
        ([_row(held_on="2027-01-01")], 2, "测评日期", "不能晚于今天"),
        ([_row(counts=(40, 38, 2, 20, 10, 4, "两"))], 2, "不满意", "请填写不小于 0 的整数"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(staff_user, township, organizations, rows, row, column, message):
    result = surveys_import(actor=staff_user, township=township, upload=_book(rows))
    assert not result.ok and BallotTally.objects.count() == 0
    assert any(e.row == row and e.column == column and message in e.message for e in result.errors), result.errors


def test_a_workbook_without_an_option_column_is_refused(staff_user, township, organizations):
    headers = [h for h in HEADERS if h != "比较满意"]
    result = surveys_import(actor=staff_user, township=township, upload=_book([_row()[:-3] + [4, 2]], headers))
    assert not result.ok and BallotTally.objects.count() == 0 and "比较满意" in result.message


def test_the_import_page_and_template(client, staff_user, viewer_user, township, organizations):
    client.force_login(staff_user)
    assert client.get(reverse("survey-template")).status_code == 200
    response = client.post(reverse("survey-import"), {"file": _book([_row()])})
    assert response.status_code == 302 and BallotTally.objects.count() == 1
    client.force_login(viewer_user)
    assert client.get(reverse("survey-import")).status_code == 403
