"""Excel in and out, safely.

Reading: size and zip checks before parsing (zip bombs), openpyxl in read-only
mode (defusedxml installed, so openpyxl parses XML safely), cells normalized
(full-width characters, stray spaces, dates written three ways). Writing:
write-only mode, and every text cell forced to a string so nothing a user
typed becomes a formula.
"""

import datetime
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A township's roster of a few thousand rows is well under 2 MB; 10 MB leaves
# room for big counties while refusing anything absurd before it is parsed.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Uncompressed content and compression ratio limits stop zip bombs.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 50_000


class WorkbookRejected(Exception):
    """The file as a whole can't be read; the message is for the user."""


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    message: str

    def as_text(self):
        return _("工作表“%(sheet)s”第 %(row)s 行“%(column)s”列：%(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def open_workbook(upload):
    """Check an uploaded file and open it read-only; raise WorkbookRejected with a Chinese reason."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise WorkbookRejected(_("文件过大（超过 %(mb)s MB）。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookRejected(_("文件不是有效的 Excel（.xlsx）工作簿，可能已损坏或是旧版 .xls 格式。")) from None
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise WorkbookRejected(_("文件解压后过大，拒绝处理。"))
    if "xl/workbook.xml" not in names:
        raise WorkbookRejected(_("文件不是有效的 Excel（.xlsx）工作簿。"))
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise WorkbookRejected(_("无法读取该工作簿，文件可能已损坏。")) from None


def normalize_cell(value):
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        value = re.sub(r"\s+", " ", value)
        return value or None
    return value


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(value):
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日 and real Excel dates; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalize_cell(str(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
    raise ValueError(_("日期格式不正确，请写成 2026-03-05、2026/3/5 或 2026年3月5日。"))


# People put a title (often merged across the columns), a unit or a date line and
# blank rows above the header; ten rows is more than any such preamble we have seen.
HEADER_SCAN_ROWS = 10


def iter_sheet_rows(sheet, headers):
    """Yield (row number, {header: value}) under the header row, which is the first of the
    sheet's first ``HEADER_SCAN_ROWS`` rows holding every one of ``headers``.

    Title rows, merged cells and blank rows above the header are passed over; empty
    rows below it are skipped. Raises WorkbookRejected when no such row is found.
    """
    rows = sheet.iter_rows(values_only=True)
    # Compare headers the way cells are normalized (NFKC turns （） into ()).
    wanted = [(h, normalize_cell(h)) for h in headers]
    header_number, found, closest, seen_any = None, None, None, False
    for number, row in enumerate(rows, start=1):
        cells = [normalize_cell(c) for c in row]
        seen_any = seen_any or any(c is not None for c in cells)
        missing = [h for h, key in wanted if key not in cells]
        if not missing:
            header_number, found = number, cells
            break
        if closest is None or len(missing) < len(closest):
            closest = missing
        if number >= HEADER_SCAN_ROWS:
            break
    if header_number is None:
        if not seen_any:
            raise WorkbookRejected(_("工作表“%(sheet)s”是空的。") % {"sheet": sheet.title})
        raise WorkbookRejected(
            _("工作表“%(sheet)s”前 %(n)s 行中找不到表头，缺少列：%(cols)s。请使用系统提供的模板。")
            % {"sheet": sheet.title, "n": HEADER_SCAN_ROWS, "cols": "、".join(closest)}
        )
    index = {h: found.index(key) for h, key in wanted}
    for number, row in enumerate(rows, start=header_number + 1):
        if number > MAX_ROWS + header_number:
            raise WorkbookRejected(_("行数过多（超过 %(n)s 行），请分批导入。") % {"n": MAX_ROWS})
        values = {h: normalize_cell(row[i]) if i < len(row) else None for h, i in index.items()}
        if all(v is None for v in values.values()):
            continue
        yield number, values


_PERIOD_PATTERNS = (
    re.compile(r"^(\d{4}) ?年 ?(\d{1,2}) ?月份?$"),
    re.compile(r"^(\d{4}) ?[-/.] ?(\d{1,2})$"),
)


def parse_period(value):
    """The (year, month) of a report period written 2026年4月, 2026-4, 2026/04, 2026.4, as a
    date (2026-04-01, 2026年4月1日) or as an Excel date cell; ValueError with a Chinese message otherwise."""
    problem = _("年月“%(v)s”无法识别，请写成 2026年4月、2026-4、2026/04 或 2026.4。") % {
        "v": "" if value is None else value
    }
    if isinstance(value, datetime.date):  # datetime.datetime is a date too
        return value.year, value.month
    if isinstance(value, bool) or value is None:
        raise ValueError(problem)
    if isinstance(value, float):
        # 2026.4 typed into a number cell arrives as a float; 2026.10 would arrive as
        # 2026.1, so a single-digit "1" after the point can't tell January from October.
        text = repr(value)
        if text.endswith(".1"):
            raise ValueError(
                _("年月“%(v)s”被 Excel 存成了数字，分不清是 1 月还是 10 月，请写成“%(y)s年1月”或“%(y)s年10月”。")
                % {"v": text, "y": int(value)}
            )
    else:
        text = normalize_cell(str(value)) or ""
    for pattern in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = (int(g) for g in match.groups())
            break
    else:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            raise ValueError(problem)
        year, month = day.year, day.month
    if not 1 <= month <= 12:
        raise ValueError(problem)
    return year, month


# --- Writing ----------------------------------------------------------------


def _cell(sheet, value, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Force text: a value such as "=HYPERLINK(...)" stays a string, never a formula.
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def build_workbook(sheets):
    """``sheets``: list of (title, headers, rows). Returns a write-only Workbook."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_cell(sheet, h, bold=True) for h in headers])
        for row in rows:
            sheet.append([_cell(sheet, v) for v in row])
    return workbook


def workbook_response(workbook, filename):
    """An HTTP download of an openpyxl workbook; the Chinese filename goes in RFC 5987 form."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    ascii_name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename) or "export.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    workbook.save(response)
    return response


def xlsx_response(filename, sheets):
    """An HTTP download of the rows as a workbook (``build_workbook``)."""
    return workbook_response(build_workbook(sheets), filename)
