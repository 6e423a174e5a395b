"""Check 6 of issue 10: hostile workbooks are refused with a readable message, nothing written.

About 25 workbooks are built here in code (openpyxl and zipfile; sizes kept small so the
check stays fast) and each is posted through the real upload pages — the member roster
import and the monthly report import — as the township's staff. Every one must come back
as a page (never a server error) with its Chinese reason, with no row, no import batch
and no import audit record written.

The figure records how many were refused, the slowest refusal (time.perf_counter around
the upload) and the peak memory of the import (tracemalloc, in a second run of the same
file straight through the import). Time is recorded, not asserted.
"""

import datetime
import io
import re
import struct
import time
import tracemalloc
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from assessments import imports as report_imports
from assessments.demo import create_scheme
from assessments.metrics import REPORTED_CODES
from assessments.models import MonthlyReport
from cadres.imports import ROSTER_HEADERS, roster_import
from cadres.models import Meeting, MembershipEvent, PartyMember, Person
from tests import factories
from townships.models import AuditEvent, ImportBatch
from townships.xlsx import MAX_ROWS

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2026, 4
BRANCH = "中共李家村支部委员会"
RESULTS = {}  # view -> [(case, refused, seconds, peak bytes)]


# --- Building the files --------------------------------------------------------------


def roster_row(seq=1, **overrides):
    birth = datetime.date(1980, 1, 1)
    row = dict(
        zip(
            ROSTER_HEADERS,
            [
                f"党员{seq}",
                "男",
                "汉族",
                "1980-01-01",
                factories.make_id_number(birth, seq),
                "13812345678",
                "初中",
                "农民",
                f"李家村{seq}号",
                BRANCH,
                "正式党员",
                "",
                "",
                "",
                "2010-01-10",
                "2011-01-15",
            ],
            strict=True,
        )
    )
    row.update(overrides)
    return [row[h] for h in ROSTER_HEADERS]


def save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_bytes(rows=None, merge=None):
    """A roster that imports cleanly as it is, so a hostile variant accepted as a workbook
    would write rows and fail the check."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员名册"
    sheet.append(ROSTER_HEADERS)
    for row in rows if rows is not None else [roster_row()]:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    return save(workbook)


def report_bytes(township):
    workbook = report_imports.template(township=township, year=YEAR, month=MONTH)
    sheet = workbook[report_imports.SHEET]
    values = dict.fromkeys(REPORTED_CODES, 0) | {"satisfaction": 90}
    for row in range(2, sheet.max_row + 1):
        for column, code in enumerate(REPORTED_CODES, start=2):
            sheet.cell(row=row, column=column, value=values[code])
    return save(workbook)


def rezip(data, replace=None, add=(), drop=(), level=6):
    """The workbook's zip with parts replaced, added (name, bytes) or dropped."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(info.filename, replace.get(info.filename, source.read(info)), compresslevel=level)
        for name, content in add:
            target.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


def part(data, name):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def without_declaration(xml):
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def with_sheet_xml(base, body, dimension=b""):
    return rezip(base, replace={SHEET: SHEET_HEAD + dimension + b"<sheetData>" + body + b"</sheetData></worksheet>"})


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row():
    from openpyxl.utils import get_column_letter

    return (
        b'<row r="1">'
        + b"".join(inline(f"{get_column_letter(i)}1", h) for i, h in enumerate(ROSTER_HEADERS, 1))
        + b"</row>"
    )


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs(base):
    xml = without_declaration(part(base, SHEET))
    return rezip(base, replace={SHEET: LAUGHS + xml.replace(b"<sheetData>", b"<sheetData>&lol9;", 1)})


def billion_laughs_utf16(base):
    """The same attack in UTF-16, which a search for the bytes "<!DOCTYPE" does not see:
    defusedxml must refuse it while openpyxl parses, and the message must still be readable."""
    sheet = without_declaration(part(base, SHEET)).replace(b"<sheetData>", b"<sheetData>&lol9;", 1)
    xml = LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>') + sheet
    return rezip(base, replace={SHEET: xml.decode("utf-8").encode("utf-16")})


def external_entity(base):
    xml = without_declaration(part(base, SHEET))
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return rezip(base, replace={SHEET: doctype + xml.replace(b"<t>\xe5\x85\x9a\xe5\x91\x981</t>", b"<t>&xxe;</t>", 1)})


def external_entity_in_shared_strings(base):
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/x">]>'
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
    return rezip(base, add=[("xl/sharedStrings.xml", doctype + shared)])


def zip_bomb(base):
    return rezip(base, add=[("xl/media/image1.png", b"\0" * (20 * 1024 * 1024))], level=9)


def many_entries(base):
    return rezip(base, add=[(f"xl/media/{i}.bin", b"") for i in range(2000)])


def lying_dimension(base):
    return with_sheet_xml(
        base, header_row() + b'<row r="2">' + inline("A2", "张三") + b"</row>", b'<dimension ref="A1:XFD1048576"/>'
    )


def all_columns(base):
    from openpyxl.utils import get_column_letter

    cells = b"".join(f'<c r="{get_column_letter(i)}2"><v>{i}</v></c>'.encode() for i in range(1, 16385))
    return with_sheet_xml(base, header_row() + b'<row r="2">' + cells + b"</row>")


def million_rows(base):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(2, 1_000_002))
    return with_sheet_xml(base, header_row() + rows)


def many_rows_just_over(base):
    """The row limit plus one, as real rows of the template."""
    rows = b"".join(b'<row r="%d">' % n + inline(f"A{n}", f"党员{n}") + b"</row>" for n in range(2, MAX_ROWS + 30))
    return with_sheet_xml(base, header_row() + rows)


VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504  # where Excel keeps the macros (an OLE2 file)
MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def xlsm(base):
    """What Excel saves as .xlsm: the macro-enabled content type and a vbaProject.bin part."""
    types = (
        part(base, "[Content_Types].xml")
        .replace(SHEET_TYPE, MACRO_TYPE)
        .replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        )
    )
    return rezip(base, replace={"[Content_Types].xml": types}, add=[("xl/vbaProject.bin", VBA)])


def macro_part_only(base):
    return rezip(base, add=[("xl/vbaProject.bin", VBA)])


def macro_content_type_only(base):
    return rezip(
        base, replace={"[Content_Types].xml": part(base, "[Content_Types].xml").replace(SHEET_TYPE, MACRO_TYPE)}
    )


def excel4_macro_sheet(base):
    sheet = b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
    return rezip(base, add=[("xl/macrosheets/sheet1.xml", sheet)])


def traversal(name):
    def build(base):
        return rezip(base, add=[(name, b"#!/bin/sh\necho owned\n")])

    build.__name__ = f"entry {name}"
    return build


def duplicate_entry(base):
    with pytest.warns(UserWarning, match="Duplicate name"):
        return rezip(base, add=[(SHEET, SHEET_HEAD + b"<sheetData/></worksheet>")])


def truncated(base):
    return base[: len(base) // 2]


def damaged_entry(base):
    """A byte flipped inside the compressed sheet: the CRC (or inflate) fails."""
    at = base.find(b"xl/worksheets/sheet1.xml") + 60
    return base[:at] + bytes([base[at] ^ 0xFF]) + base[at + 1 :]


def compound_file(*streams):
    """A minimal but well-formed OLE2 compound file holding empty streams of these names:
    what Excel 97-2003 saves (a "Workbook" stream) and what a password-protected .xlsx
    is (an "EncryptionInfo" and an "EncryptedPackage" stream)."""
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = struct.pack("<II", fat_sector, end) + struct.pack("<I", free) * 126

    def entry(name, kind, right=no_stream, child=no_stream):
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", end, 0)
        )

    entries = [entry("Root Entry", 5, child=1)]
    for index, name in enumerate(streams, start=1):
        entries.append(entry(name, 2, right=index + 1 if index < len(streams) else no_stream))
    directory = b"".join(entries).ljust(512, b"\0")
    return header + fat + directory


def old_xls(base):
    return compound_file("Workbook", "\x05SummaryInformation")


def encrypted(base):
    return compound_file("EncryptionInfo", "EncryptedPackage")


def renamed_csv(base):
    return ",".join(ROSTER_HEADERS).encode("utf-8-sig") + b"\n" + ",".join(map(str, roster_row())).encode("utf-8")


def renamed_csv_gbk(base):
    return ",".join(ROSTER_HEADERS).encode("gbk") + b"\r\n" + ",".join(map(str, roster_row())).encode("gbk")


def empty_file(base):
    return b""


def prefixed_sheet(base):
    xml = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    return rezip(base, replace={SHEET: xml})


def uncalculated_formula(base):
    """The whole row's cells as formulas a program wrote without values (no <v>)."""
    cells = part(base, SHEET)
    cells = re.sub(rb'(<c r="([A-P])2"[^>]*?)(?: t="[a-zA-Z]+")?>.*?</c>', rb'\1><f>"x"&amp;"y"</f></c>', cells)
    return rezip(base, replace={SHEET: cells})


# Built on the roster only: they are about what the roster's rows hold.
def id_numbers_as_numbers(base):
    return roster_bytes([roster_row(1, 身份证号=int(factories.make_id_number(datetime.date(1980, 1, 1), 1)[:17]))])


def id_number_as_float(base):
    return roster_bytes([roster_row(2, 身份证号=4.10523198001010e17)])


def formula_in_optional_column(base):
    """A formula with no cached value in 职业 (optional): read with data_only it is an empty
    cell, so without the refusal the row would be written with an empty occupation."""
    data = roster_bytes([roster_row(3)])
    cells = re.sub(rb'<c r="H2"[^>]*>.*?</c>', '<c r="H2"><f>CONCAT("农","民")</f></c>'.encode(), part(data, SHEET))
    return rezip(data, replace={SHEET: cells})


def formula_in_id_number(base):
    data = roster_bytes([roster_row(4)])
    cells = re.sub(rb'<c r="E2"[^>]*>.*?</c>', rb'<c r="E2"><f>"41052319800101"&amp;"0023"</f></c>', part(data, SHEET))
    return rezip(data, replace={SHEET: cells})


def merged_header(base):
    """性别 merged over its neighbour 民族, as people do to make a title look tidy: the header
    row then lacks 民族 and the file is refused, saying which column is missing."""
    return roster_bytes(merge="B1:C1")


STRUCTURAL = [
    ("zip bomb (20 MB of zeros)", zip_bomb, "解压后过大"),
    ("2,000 zip entries", many_entries, "内容项过多"),
    ("billion laughs", billion_laughs, "不安全的 XML"),
    ("billion laughs in UTF-16", billion_laughs_utf16, "不安全的 XML"),
    ("external entity in a sheet", external_entity, "不安全的 XML"),
    ("external entity in shared strings", external_entity_in_shared_strings, "不安全的 XML"),
    ("lying dimension A1:XFD1048576", lying_dimension, "超过上限"),
    ("16,384 columns", all_columns, "列数过多"),
    ("a million rows", million_rows, "行数过多"),
    ("row limit plus 30", many_rows_just_over, "行数过多"),
    (".xlsm with macros", xlsm, "含有宏"),
    ("vbaProject.bin only", macro_part_only, "含有宏"),
    ("macro-enabled content type only", macro_content_type_only, "含有宏"),
    ("Excel 4.0 macro sheet", excel4_macro_sheet, "含有宏"),
    ("renamed CSV (UTF-8)", renamed_csv, "CSV 或文本文件"),
    ("renamed CSV (GBK)", renamed_csv_gbk, "CSV 或文本文件"),
    ("renamed .xls", old_xls, "旧版 Excel 97-2003（.xls）"),
    ("encrypted workbook", encrypted, "打开密码"),
    ("truncated zip", truncated, "文件不完整"),
    ("damaged entry", damaged_entry, "文件可能已损坏"),
    ("empty file", empty_file, "提交的是空文件"),  # refused by the upload form itself
    ("entry ../../", traversal("../../etc/cron.d/evil"), "异常的路径"),
    ("entry /absolute", traversal("/etc/cron.d/evil"), "异常的路径"),
    ("entry C:\\", traversal("C:\\Windows\\evil.bat"), "异常的路径"),
    ("entry ..\\ backslashes", traversal("xl\\..\\..\\evil.bat"), "异常的路径"),
    ("duplicate entry names", duplicate_entry, "重名"),
    ("namespace-prefixed sheet", prefixed_sheet, "结构异常"),
    ("formulas without values", uncalculated_formula, "没有计算结果的公式"),
]
ROSTER_CONTENT = [
    ("ID number as an integer", id_numbers_as_numbers, "存成了数字"),
    ("ID number as a float", id_number_as_float, "存成了数字"),
    ("formula without value in an optional column", formula_in_optional_column, "没有计算结果的公式"),
    ("formula without value in the ID number", formula_in_id_number, "没有计算结果的公式"),
    ("merged header cells", merged_header, "缺少列：民族"),
]


# --- The check --------------------------------------------------------------------------


@pytest.fixture
def branch(township, village):
    return factories.branch_with_committee(village, BRANCH, "中共城关镇委员会")


def counts():
    return {
        "people": Person.objects.count(),
        "members": PartyMember.objects.count(),
        "events": MembershipEvent.objects.count(),
        "meetings": Meeting.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "batches": ImportBatch.objects.count(),
        "import audits": AuditEvent.objects.filter(action="import").count(),
    }


def alert_text(page):
    found = re.search(r'<div class="alert alert-danger"><strong>(.*?)</strong>', page, re.S)
    return unescape(found.group(1)) if found else ""


def check_cases(client, url, base, cases, direct):
    """Post each case; return the failures and record (refused, seconds, peak bytes) per case."""
    failures, results = [], []
    for name, build, expected in cases:
        data = build(base)
        filename = "宏.xlsm" if "xlsm" in name else "名册.xlsx"
        before = counts()
        started = time.perf_counter()
        response = client.post(url, {"file": SimpleUploadedFile(filename, data)})
        seconds = time.perf_counter() - started
        tracemalloc.start()
        try:
            direct(SimpleUploadedFile(filename, data))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        page = response.content.decode()
        message = alert_text(page)
        written = {k: v - before[k] for k, v in counts().items() if v != before[k]}
        refused = response.status_code == 200 and expected in page and bool(message or "invalid-feedback" in page)
        refused = refused and not written
        results.append((name, refused, seconds, peak))
        if not refused:
            failures.append(f"{name}: status {response.status_code}, message {message!r}, written {written}")
    return failures, results


def record(figure, view, results):
    RESULTS[view] = results
    refused = sum(1 for r in results if r[1])
    slowest = max(results, key=lambda r: r[2])
    hungriest = max(results, key=lambda r: r[3])
    figure(
        f"hostile workbooks ({view})",
        f"{refused} of {len(results)} refused, 0 rows written, slowest {slowest[2]:.2f} s ({slowest[0]}), "
        f"peak {hungriest[3] / 2**20:.0f} MB ({hungriest[0]})",
    )


def test_hostile_rosters_are_refused_with_a_message_and_nothing_written(client, staff_user, township, branch, figure):
    base = roster_bytes()  # sound on its own: see the last test of this module
    client.force_login(staff_user)

    def direct(upload):
        return roster_import(actor=staff_user, township=township, upload=upload)

    failures, results = check_cases(client, reverse("member-import"), base, STRUCTURAL + ROSTER_CONTENT, direct)
    record(figure, "roster import", results)
    assert not failures, "\n".join(failures)
    assert not any(counts().values())


def test_hostile_monthly_reports_are_refused_with_a_message_and_nothing_written(
    client, staff_user, county, township, figure
):
    create_scheme(county=county, year=YEAR)
    for i in range(2):
        factories.VillageFactory(township=township, name=f"导入{i}村")
    base = report_bytes(township)
    client.force_login(staff_user)
    url = f"{reverse('report-import')}?year={YEAR}&month={MONTH}"

    def direct(upload):
        return report_imports.reports_import(actor=staff_user, township=township, year=YEAR, month=MONTH, upload=upload)

    failures, results = check_cases(client, url, base, STRUCTURAL, direct)
    record(figure, "monthly report import", results)
    assert not failures, "\n".join(failures)
    assert not any(counts().values())


def test_the_base_files_import_so_the_refusals_are_the_hostile_parts_doing(
    client, staff_user, county, township, branch
):
    """Without this, a base file that failed on its own would make every case "refused"."""
    client.force_login(staff_user)
    client.post(reverse("member-import"), {"file": SimpleUploadedFile("名册.xlsx", roster_bytes())})
    assert PartyMember.objects.count() == 1
    create_scheme(county=county, year=YEAR)
    factories.VillageFactory(township=township, name="导入0村")
    url = f"{reverse('report-import')}?year={YEAR}&month={MONTH}"
    client.post(url, {"file": SimpleUploadedFile("月报.xlsx", report_bytes(township))})
    assert MonthlyReport.objects.count() == township.villages.count() >= 1
