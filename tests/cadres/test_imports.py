import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cadres.imports import (
    MEETING_HEADERS,
    ROSTER_HEADERS,
    meetings_import,
    meetings_template,
    roster_import,
    roster_template,
)
from cadres.models import Meeting, PartyMember, Person
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db
D = datetime.date


def xlsx(sheet, headers, rows, name="roster.xlsx", title=None):
    """One sheet: the header, then the rows; with ``title``, a merged title and a blank row above the header."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def roster_row(name, birth, seq, org="中共李家村支部委员会", male=True, stage="正式党员", **overrides):
    row = {
        "姓名": name,
        "性别": "男" if male else "女",
        "民族": "汉族",
        "出生日期": birth,
        "身份证号": factories.make_id_number(
            birth if isinstance(birth, datetime.date) else D(1980, 1, 1), seq, male=male
        ),
        "联系电话": "13812345678",
        "学历": "初中",
        "职业": "农民",
        "户籍地址": f"李家村{seq}号",
        "所在党组织": org,
        "发展阶段": stage,
        "申请入党日期": "2008/3/1",
        "确定积极分子日期": "2008年9月1日",
        "列为发展对象日期": "2009-10-01",
        "入党日期": D(2010, 1, 10),
        "转正日期": "2011.1.15",
    }
    row.update(overrides)
    return [row[h] for h in ROSTER_HEADERS]


def test_a_valid_roster_is_imported_once(staff_user, township, branch):
    rows = [roster_row(f"党员{i}", D(1970 + i, 3, 4), i) for i in range(5)]
    upload = xlsx("党员名册", ROSTER_HEADERS, rows)
    result = roster_import(actor=staff_user, township=township, upload=upload)
    assert result.ok, result.errors
    assert (result.created, PartyMember.objects.count()) == (5, 5)
    assert AuditEvent.objects.filter(action="import").count() == 1
    # The very same file again (a workbook's bytes carry its save time, so rebuild nothing).
    upload.seek(0)
    again = roster_import(actor=staff_user, township=township, upload=SimpleUploadedFile("roster.xlsx", upload.read()))
    assert again.already_imported and PartyMember.objects.count() == 5
    # A new file with the same rows adds nothing either: those rows are already on record.
    rebuilt = roster_import(
        actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, rows, "copy.xlsx")
    )
    assert rebuilt.ok and rebuilt.created == 0 and PartyMember.objects.count() == 5


def test_a_bad_roster_reports_every_row_and_saves_nothing(staff_user, township, branch):
    good = roster_row("好人", D(1980, 1, 1), 1)
    wrong_check = roster_row("校验错", D(1981, 1, 1), 2)
    wrong_check[ROSTER_HEADERS.index("身份证号")] = wrong_check[ROSTER_HEADERS.index("身份证号")][:-1] + (
        "0" if wrong_check[ROSTER_HEADERS.index("身份证号")][-1] != "0" else "1"
    )
    as_number = roster_row("数字", D(1982, 1, 1), 3)
    as_number[ROSTER_HEADERS.index("身份证号")] = 4.10523198201010e17
    foreign = roster_row("外乡", D(1983, 1, 1), 4, org="中共青石乡某村支部")
    bad_date = roster_row("日期", D(1984, 1, 1), 5, **{"入党日期": "2010年13月1日"})
    upload = xlsx("党员名册", ROSTER_HEADERS, [good, wrong_check, as_number, foreign, bad_date])
    result = roster_import(actor=staff_user, township=township, upload=upload)
    assert not result.ok
    assert not Person.objects.exists() and not PartyMember.objects.exists()
    cells = {(e.row, e.column) for e in result.errors}
    assert {(3, "身份证号"), (4, "身份证号"), (5, "所在党组织"), (6, "入党日期")} <= cells
    assert all(e.row != 2 for e in result.errors)
    assert "第 3 行“身份证号”列" in result.errors[0].as_text()


def test_a_fixed_file_then_imports_whole(staff_user, township, branch):
    rows = [roster_row(f"党员{i}", D(1970 + i, 3, 4), i) for i in range(3)]
    broken = [*rows[:2], roster_row("错", D(1990, 1, 1), 9, **{"性别": "未知"})]
    assert not roster_import(actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, broken)).ok
    result = roster_import(actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, rows))
    assert result.ok and result.created == 3


def test_full_width_digits_spaces_and_lower_case_x_are_normalized(staff_user, township, branch):
    row = roster_row("全角", D(1980, 5, 6), 7)
    number = row[ROSTER_HEADERS.index("身份证号")]
    row[ROSTER_HEADERS.index("身份证号")] = (
        " " + number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")) + " "
    )
    result = roster_import(actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, [row]))
    assert result.ok, result.errors
    assert Person.objects.get().id_number == number


def test_rows_already_on_record_are_skipped_on_a_new_file(staff_user, township, branch):
    rows = [roster_row(f"党员{i}", D(1970 + i, 3, 4), i) for i in range(3)]
    roster_import(actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, rows[:2]))
    result = roster_import(actor=staff_user, township=township, upload=xlsx("党员名册", ROSTER_HEADERS, rows))
    assert (result.created, result.skipped) == (1, 2)
    assert PartyMember.objects.count() == 3


def test_corrupt_and_oversized_files_are_refused(staff_user, township, branch, settings):
    result = roster_import(actor=staff_user, township=township, upload=SimpleUploadedFile("x.xlsx", b"not a zip"))
    assert not result.ok and "不是有效的 Excel" in result.message
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"0" * (120 * 1024 * 1024))
    result = roster_import(actor=staff_user, township=township, upload=SimpleUploadedFile("bomb.xlsx", bomb.getvalue()))
    assert not result.ok and "解压后过大" in result.message
    assert not Person.objects.exists()


def test_a_wrong_template_is_refused(staff_user, township, branch):
    result = roster_import(
        actor=staff_user, township=township, upload=xlsx("党员名册", ["姓名", "性别"], [["a", "男"]])
    )
    assert not result.ok and "缺少列" in result.message


def test_templates_open_and_have_the_headers():
    for build, headers in ((roster_template, ROSTER_HEADERS), (meetings_template, MEETING_HEADERS)):
        buffer = io.BytesIO()
        build().save(buffer)
        workbook = load_workbook(io.BytesIO(buffer.getvalue()))
        first = workbook.worksheets[0]
        assert [c.value for c in first[1]] == headers


def test_meetings_import_checks_attendance_and_is_idempotent(staff_user, township, branch):
    for _ in range(4):
        factories.PartyMemberFactory(organization=branch)
    rows = [
        ["中共李家村支部委员会", "主题党日", "2026/3/5", "学习", 4, 4],
        ["中共李家村支部委员会", "支部委员会会议", "2026年3月6日", "研究发展党员", 4, 3],
    ]
    result = meetings_import(
        actor=staff_user, township=township, upload=xlsx("组织生活", MEETING_HEADERS, rows, "m.xlsx")
    )
    assert result.ok and Meeting.objects.count() == 2
    too_many = [["中共李家村支部委员会", "党课", "2026-03-10", "党课", 9, 9]]
    result = meetings_import(
        actor=staff_user, township=township, upload=xlsx("组织生活", MEETING_HEADERS, too_many, "m2.xlsx")
    )
    assert not result.ok and result.errors[0].column == "应到人数"
    repeat = meetings_import(
        actor=staff_user,
        township=township,
        upload=xlsx("组织生活", MEETING_HEADERS, [*rows, rows[0][:3] + ["新主题", 3, 3]], "m3.xlsx"),
    )
    assert (repeat.created, repeat.skipped) == (1, 2)


# --- Workbooks as people fill them -------------------------------------------------


def titled_xlsx(sheet, headers, rows, name="titled.xlsx"):
    """A merged title over the columns, a blank row, then the header on row 3."""
    return xlsx(sheet, headers, rows, name, title=f"城关镇{sheet}（2026年）")


def test_a_roster_with_a_merged_title_and_a_blank_row_above_the_header_imports(staff_user, township, branch):
    rows = [roster_row(f"党员{i}", D(1970 + i, 3, 4), i) for i in range(3)]
    result = roster_import(actor=staff_user, township=township, upload=titled_xlsx("党员名册", ROSTER_HEADERS, rows))
    assert result.ok, result.errors
    assert (result.created, PartyMember.objects.count()) == (3, 3)


def test_roster_errors_under_a_title_name_the_real_row(staff_user, township, branch):
    rows = [roster_row("党员甲", D(1970, 3, 4), 1), roster_row("党员乙", D(1971, 3, 4), 2, 性别="未知")]
    result = roster_import(actor=staff_user, township=township, upload=titled_xlsx("党员名册", ROSTER_HEADERS, rows))
    assert not result.ok
    # Title on row 1, blank row 2, header row 3: the second person is on row 5.
    assert [(e.row, e.column) for e in result.errors] == [(5, "性别")]
    assert not Person.objects.exists()


def test_meetings_with_a_merged_title_and_a_blank_row_above_the_header_import(staff_user, township, branch):
    for _ in range(3):
        factories.PartyMemberFactory(organization=branch)
    rows = [["中共李家村支部委员会", "主题党日", "2026/3/5", "学习", 3, 3]]
    result = meetings_import(actor=staff_user, township=township, upload=titled_xlsx("组织生活", MEETING_HEADERS, rows))
    assert result.ok, result.errors
    assert Meeting.objects.count() == 1


def test_a_roster_imported_by_another_township_is_refused_as_theirs(
    staff_user, other_staff_user, township, other_township, other_village, branch
):
    factories.branch_with_committee(other_village, "中共王庄村支部委员会", "中共青石乡委员会")
    rows = [roster_row(f"党员{i}", D(1970 + i, 3, 4), i, org="中共王庄村支部委员会") for i in range(2)]
    data = xlsx("党员名册", ROSTER_HEADERS, rows).read()
    theirs = roster_import(actor=other_staff_user, township=other_township, upload=SimpleUploadedFile("r.xlsx", data))
    assert theirs.ok, theirs.errors
    result = roster_import(actor=staff_user, township=township, upload=SimpleUploadedFile("r.xlsx", data))
    assert not result.ok and not result.already_imported
    assert "已由青石乡导入" in result.message and "不是本乡镇" in result.message
    assert not Person.objects.filter(township=township).exists()
