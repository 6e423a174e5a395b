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

from defusedxml import DefusedXmlException
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A township's roster of a few thousand rows is well under 2 MB; 10 MB leaves
# room for big counties while refusing anything absurd before it is parsed.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Uncompressed content and compression ratio limits stop zip bombs.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 50_000
# A workbook has a few dozen parts; our widest template has a few dozen columns.
MAX_ENTRIES = 1_000
MAX_COLUMNS = 256
# Cells in one sheet: 50,000 rows of a 20-column roster. Counted before parsing, so a
# sheet that would take openpyxl minutes (or gigabytes) is refused in a fraction of a second.
MAX_CELLS = 1_000_000

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"
_SCAN_CHUNK = 1024 * 1024
# A formula with no cached value (written by a program, never calculated): read with
# data_only it would be an empty cell, so the import must refuse it rather than read "".
_UNCALCULATED_FORMULA = re.compile(
    rb'<c\b[^<>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^<>]*>\s*(?:<f\b[^<>]*/>|<f\b[^<>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
# Sheet elements under a namespace prefix would slip past the counts below; Excel never writes them.
_PREFIXED_SHEET_ELEMENT = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c|sheetData)[\s/>]")


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


def _damaged():
    return WorkbookRejected(_("无法读取该工作簿，文件可能已损坏。请在 Excel 中重新保存为 .xlsx 后再上传。"))


def _not_a_zip(head):
    """The refusal of a file that is not a zip container, saying what it looks like."""
    if head.startswith(_OLE2_SIGNATURE):
        # Office 97-2003 files and password-protected .xlsx are both OLE2 compound files;
        # an encrypted workbook holds an "EncryptionInfo" stream (names are UTF-16).
        if "EncryptionInfo".encode("utf-16-le") in head or "EncryptedPackage".encode("utf-16-le") in head:
            return WorkbookRejected(
                _("该工作簿设置了打开密码（已加密），系统无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。")
            )
        return WorkbookRejected(
            _("这是旧版 Excel 97-2003（.xls）格式的文件。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。")
        )
    sample = head[:4096]
    if sample and b"\x00" not in sample:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            return WorkbookRejected(
                _(
                    "这是 CSV 或文本文件（只改了扩展名），不是有效的 Excel（.xlsx）工作簿。请在 Excel 中打开后另存为 .xlsx 再上传。"
                )
            )
    return WorkbookRejected(_("文件不是有效的 Excel（.xlsx）工作簿。请使用系统提供的模板。"))


def _entry_count(upload, size):
    """The number of entries the zip's end record declares (None when there is no end record).

    Read before zipfile builds its list of entries, so a central directory of a million
    tiny entries is refused without being loaded."""
    tail_size = min(size, 22 + 65535)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def _unsafe_name(name):
    """Whether a zip entry's name is absolute or climbs out of the archive."""
    if "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def _check_entries(infos):
    names = set()
    for info in infos:
        if _unsafe_name(info.filename):
            raise WorkbookRejected(
                _("文件中含有异常的路径（%(name)s），可能是恶意构造的文件，拒绝处理。") % {"name": info.filename[:80]}
            )
        if info.filename in names:
            raise WorkbookRejected(_("文件中有重名的内容（%(name)s），拒绝处理。") % {"name": info.filename[:80]})
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise WorkbookRejected(_("文件内容已加密，系统无法读取。请取消密码后再上传。"))
    total = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise WorkbookRejected(_("文件解压后过大（疑似“压缩炸弹”），拒绝处理。"))
    lowered = {name.lower() for name in names}
    if "xl/workbook.xml" not in lowered:
        raise WorkbookRejected(_("文件不是有效的 Excel（.xlsx）工作簿。请使用系统提供的模板。"))
    if any(name.endswith("vbaproject.bin") or name.startswith("xl/macrosheets/") for name in lowered):
        raise _macros()


def _macros():
    return WorkbookRejected(
        _("工作簿含有宏（VBA 或宏表），为安全起见拒绝处理。请另存为不含宏的“Excel 工作簿（.xlsx）”后再上传。")
    )


def _scan_part(archive, info):
    """Stream one XML part and refuse what must not reach the parser: DTDs and entities,
    macro content types, formulas without a value, and sheets too big to parse in time."""
    rows = cells = 0
    row_cells = 0  # cells of the row being read, which may continue into the next chunk
    carry = b""
    sheet = None  # whether the part is a worksheet, told by its root element
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            data = carry + chunk
            if chunk:
                # Cut before the last cell so that no cell (nor any tag) straddles two pieces.
                cut = data.rfind(b"<c")
                if cut <= 0 or len(data) - cut > 4 * _SCAN_CHUNK:
                    cut = data.rfind(b"<")
                if cut <= 0:
                    cut = len(data)
                piece, carry = data[:cut], data[cut:]
            else:
                piece, carry = data, b""
            if b"<!DOCTYPE" in piece or b"<!ENTITY" in piece:
                raise WorkbookRejected(_("文件含有不安全的 XML 内容（DTD、实体或外部引用），拒绝处理。"))
            if info.filename == "[Content_Types].xml" and (b"macroEnabled" in piece or b"vbaProject" in piece):
                raise _macros()
            if sheet is None:
                sheet = b"<worksheet" in piece[:4096] or b":worksheet" in piece[:4096]
            if not sheet:
                if not chunk:
                    return
                continue
            if _PREFIXED_SHEET_ELEMENT.search(piece):
                raise WorkbookRejected(_("工作表的 XML 结构异常，文件不是由 Excel 正常保存的，拒绝处理。"))
            formula = _UNCALCULATED_FORMULA.search(piece)
            if formula:
                raise WorkbookRejected(
                    _(
                        "单元格 %(cell)s 是没有计算结果的公式，系统无法读取其值。请在 Excel 中打开并保存，"
                        "或把公式改成数值后再上传。"
                    )
                    % {"cell": formula.group(1).decode("ascii")}
                )
            segments = piece.split(b"<row")
            for index, segment in enumerate(segments):
                if index:
                    rows += 1
                    row_cells = 0
                found = segment.count(b"<c ") + segment.count(b"<c>") + segment.count(b"<c/>")
                row_cells += found
                cells += found
                if row_cells > MAX_COLUMNS:
                    raise WorkbookRejected(
                        _("工作表的列数过多（一行超过 %(n)s 个单元格），请只保留模板中的列。") % {"n": MAX_COLUMNS}
                    )
            if rows > MAX_ROWS + HEADER_SCAN_ROWS:
                raise WorkbookRejected(_("行数过多（超过 %(n)s 行），请分批导入。") % {"n": MAX_ROWS})
            if cells > MAX_CELLS:
                raise WorkbookRejected(_("工作表的单元格过多（超过 %(n)s 个），请分批导入。") % {"n": MAX_CELLS})
            if not chunk:
                return


def _check_dimensions(workbook):
    """Refuse a sheet whose declared range is beyond the limits: openpyxl's read-only mode
    pads every row to the declared width and the sheet to the declared height."""
    for sheet in workbook.worksheets:
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
        if rows > MAX_ROWS + HEADER_SCAN_ROWS or columns > MAX_COLUMNS:
            raise WorkbookRejected(
                _(
                    "工作表“%(sheet)s”声明的数据范围（%(rows)s 行 × %(columns)s 列）超过上限"
                    "（%(max_rows)s 行 × %(max_columns)s 列），文件可能不是由 Excel 正常保存的。"
                    "请把数据复制到新的工作簿后再上传。"
                )
                % {
                    "sheet": sheet.title,
                    "rows": rows,
                    "columns": columns,
                    "max_rows": MAX_ROWS,
                    "max_columns": MAX_COLUMNS,
                }
            )


def open_workbook(upload):
    """Check an uploaded file and open it read-only; raise WorkbookRejected with a Chinese reason.

    Everything that can be judged without parsing is judged first, from the bytes and
    the zip's directory (size, signature, entries, names, ratios, macros), then every
    XML part is streamed once (DTDs, formulas without values, row, column and cell
    counts), and only then does openpyxl parse, with defusedxml guarding it."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise WorkbookRejected(_("文件过大（超过 %(mb)s MB）。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(64 * 1024)
    if not head:
        raise WorkbookRejected(_("上传的文件是空的。"))
    if not head.startswith(_ZIP_SIGNATURE):
        if head.startswith(_OLE2_SIGNATURE):
            upload.seek(0)
            head = upload.read(MAX_UPLOAD_BYTES)  # the stream names may be anywhere in the file
        raise _not_a_zip(head)
    upload.seek(0, 2)
    size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise WorkbookRejected(_("文件过大（超过 %(mb)s MB）。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    entries = _entry_count(upload, size)
    if entries is None:
        raise WorkbookRejected(_("文件不完整（可能上传或保存时中断），请在 Excel 中重新保存后再上传。"))
    if entries > MAX_ENTRIES:
        raise WorkbookRejected(_("文件中的内容项过多（%(n)s 项），拒绝处理。") % {"n": entries})
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise WorkbookRejected(_("文件中的内容项过多（%(n)s 项），拒绝处理。") % {"n": len(infos)})
            _check_entries(infos)
            for info in infos:
                if not info.is_dir():
                    _scan_part(archive, info)
    except WorkbookRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise _damaged() from None
    except Exception:  # zlib.error and friends from a damaged stream
        raise _damaged() from None
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _unreadable(exc) from None
    try:
        _check_dimensions(workbook)
    except BaseException:
        workbook.close()
        raise
    return workbook


def _unreadable(exc):
    """The refusal of a file openpyxl failed on: unsafe XML when defusedxml refused it
    (openpyxl wraps that in a ValueError of its own), damaged otherwise."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return WorkbookRejected(_("文件含有不安全的 XML 内容（DTD、实体或外部引用），拒绝处理。"))
        exc = exc.__cause__ or exc.__context__
    return _damaged()


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


def _parsed_rows(sheet):
    """The sheet's rows as values; a failure of the parser (read-only mode parses as it
    goes) becomes a WorkbookRejected, never an error page."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl raises many kinds for a damaged sheet
            raise _unreadable(exc) from None
        yield row


def iter_sheet_rows(sheet, headers):
    """Yield (row number, {header: value}) under the header row, which is the first of the
    sheet's first ``HEADER_SCAN_ROWS`` rows holding every one of ``headers``.

    Title rows, merged cells and blank rows above the header are passed over; empty
    rows below it are skipped. Raises WorkbookRejected when no such row is found.
    """
    rows = _parsed_rows(sheet)
    # Compare headers the way cells are normalized (NFKC turns （） into ()). A header may be a
    # tuple of spellings (the current one first, then older ones a kept template still has).
    wanted = [
        (h[0], [normalize_cell(x) for x in h]) if isinstance(h, tuple) else (h, [normalize_cell(h)]) for h in headers
    ]
    header_number, found, closest, seen_any = None, None, None, False
    for number, row in enumerate(rows, start=1):
        cells = [normalize_cell(c) for c in row]
        seen_any = seen_any or any(c is not None for c in cells)
        missing = [h for h, keys in wanted if not any(key in cells for key in keys)]
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
    index = {h: found.index(next(key for key in keys if key in found)) for h, keys in wanted}
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


def _plain(sheet, value):
    """A data cell: the value itself where openpyxl would store it as it is, a forced-text cell
    where it would read a string as a formula ("=…") or an error code ("#N/A") — so an export
    builds a cell object only for the rare value that needs one."""
    if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
        return _cell(sheet, value)
    return value


def build_workbook(sheets):
    """``sheets``: list of (title, headers, rows). Returns a write-only Workbook."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_cell(sheet, h, bold=True) for h in headers])
        for row in rows:
            sheet.append([_plain(sheet, v) for v in row])
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
