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


def iter_sheet_rows(sheet, headers):
    """Yield (row number, {header: value}) under a header row that must match ``headers``.

    Empty rows are skipped. Raises WorkbookRejected when the header row is wrong.
    """
    rows = sheet.iter_rows(values_only=True)
    try:
        first = next(rows)
    except StopIteration:
        raise WorkbookRejected(_("工作表“%(sheet)s”是空的。") % {"sheet": sheet.title}) from None
    # Compare headers the way cells are normalized (NFKC turns （） into ()).
    found = [normalize_cell(c) for c in first]
    missing = [h for h in headers if normalize_cell(h) not in found]
    if missing:
        raise WorkbookRejected(
            _("工作表“%(sheet)s”缺少列：%(cols)s。请使用系统提供的模板。")
            % {"sheet": sheet.title, "cols": "、".join(missing)}
        )
    index = {h: found.index(normalize_cell(h)) for h in headers}
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise WorkbookRejected(_("行数过多（超过 %(n)s 行），请分批导入。") % {"n": MAX_ROWS})
        values = {h: normalize_cell(row[i]) if i < len(row) else None for h, i in index.items()}
        if all(v is None for v in values.values()):
            continue
        yield number, values


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


def xlsx_response(filename, sheets):
    """An HTTP download of the workbook; the Chinese filename goes in RFC 5987 form."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    ascii_name = re.sub(r"[^A-Za-z0-9_.-]", "_", filename) or "export.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    build_workbook(sheets).save(response)
    return response
