"""The shared Excel plumbing: finding the header under title rows, and reading a report period."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from townships.xlsx import HEADER_SCAN_ROWS, WorkbookRejected, iter_sheet_rows, open_workbook, parse_period

HEADERS = ["姓名", "所在党组织（支部）"]


def read_only_sheet(rows, merge=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer, read_only=True, data_only=True)["名册"]


@pytest.mark.parametrize(
    "value",
    [
        "2026年4月",
        "2026年04月",
        "2026年4月份",
        "2026-4",
        "2026-04",
        "2026/04",
        "2026/4",
        "2026.4",
        "２０２６年４月",  # full-width, as some input methods type it
        datetime.datetime(2026, 4, 1),  # noqa: DTZ001 - an Excel date cell has no time zone
        datetime.date(2026, 4, 30),
        "2026-04-01",
        "2026年4月1日",
        2026.4,  # typed into a number cell
    ],
)
def test_every_spelling_of_april_2026_parses(value):
    assert parse_period(value) == (2026, 4)


def test_october_and_december_as_text_and_numbers():
    assert parse_period("2026.10") == (2026, 10)
    assert parse_period(2026.12) == (2026, 12)
    assert parse_period("2026/12") == (2026, 12)


@pytest.mark.parametrize("value", ["四月", "2026", "26-4", "2026-13", "2026-0", "2026-4-31", "", None, 202604, True])
def test_an_unreadable_period_says_how_to_write_it(value):
    with pytest.raises(ValueError, match="无法识别，请写成 2026年4月、2026-4、2026/04 或 2026.4"):
        parse_period(value)


def test_a_number_that_may_be_january_or_october_is_refused():
    with pytest.raises(ValueError, match="分不清是 1 月还是 10 月"):
        parse_period(2026.1)


def test_the_header_is_found_under_a_merged_title_and_blank_rows():
    sheet = read_only_sheet(
        [
            ["城关镇党员名册"],
            [],
            ["填报单位：城关镇党委", None, "2026年4月"],
            HEADERS,
            ["张明", "中共李家村支部委员会"],
        ],
        merge="A1:B1",
    )
    assert list(iter_sheet_rows(sheet, HEADERS)) == [
        (5, {"姓名": "张明", "所在党组织（支部）": "中共李家村支部委员会"})
    ]


def test_the_header_row_may_spell_headers_in_full_width_and_in_another_order():
    sheet = read_only_sheet(
        [["所在党组织(支部)", " 姓名 "], ["中共李家村支部委员会", "李四"], [], ["第二支部", "王五"]]
    )
    assert [(n, v["姓名"]) for n, v in iter_sheet_rows(sheet, HEADERS)] == [(2, "李四"), (4, "王五")]


def test_a_header_below_the_scanned_rows_is_not_found():
    sheet = read_only_sheet([["说明"]] * HEADER_SCAN_ROWS + [HEADERS, ["张明", "支部"]])
    with pytest.raises(WorkbookRejected, match=f"前 {HEADER_SCAN_ROWS} 行中找不到表头，缺少列：姓名、所在党组织"):
        list(iter_sheet_rows(sheet, HEADERS))


def test_the_closest_row_names_the_missing_column():
    sheet = read_only_sheet([["党员名册"], ["姓名", "支部"], ["张明", "支部"]])
    with pytest.raises(WorkbookRejected, match="缺少列：所在党组织（支部）。"):
        list(iter_sheet_rows(sheet, HEADERS))


def test_an_empty_sheet_is_refused():
    with pytest.raises(WorkbookRejected, match="是空的"):
        list(iter_sheet_rows(read_only_sheet([]), HEADERS))


# --- Hostile files, refused before parsing (issue 10; the full set is tests/security) ---


def _zipped(*entries):
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["姓名"])
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for name, content in entries:
            target.writestr(zipfile.ZipInfo(name), content)
    return SimpleUploadedFile("x.xlsx", out.getvalue())


def test_a_workbook_with_a_macro_part_is_refused():
    with pytest.raises(WorkbookRejected, match="含有宏"):
        open_workbook(_zipped(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")))


@pytest.mark.parametrize("name", ["../../evil.sh", "/etc/evil", "C:\\evil.bat", "xl\\..\\evil", "xl/../../evil"])
def test_an_entry_outside_the_archive_is_refused(name):
    with pytest.raises(WorkbookRejected, match="异常的路径"):
        open_workbook(_zipped((name, b"x")))


def test_a_sound_workbook_still_opens():
    workbook = open_workbook(_zipped())
    assert workbook.sheetnames == ["Sheet"]
    workbook.close()
