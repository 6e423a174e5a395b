"""The township's monthly workbook: one row per village, every reported metric a column."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.imports import ImportResult, _digest
from townships.choices import AuditAction
from townships.models import ImportBatch
from townships.services import audit_record
from townships.xlsx import CellError, WorkbookRejected, iter_sheet_rows, open_workbook
from villages.models import Village

from .choices import ReportStatus
from .metrics import METRICS, REPORTED_CODES, parse_reported
from .models import MonthlyReport
from .services import period_is_closed, report_save, report_submit

SHEET = "月度报表"


def headers():
    return ["村（社区）", *[f"{METRICS[c].label}" for c in REPORTED_CODES]]


def template(*, township, year, month):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(headers())
    for name in (
        Village.objects.filter(township=township, is_active=True)
        .order_by("sort_key", "name")
        .values_list("name", flat=True)
    ):
        sheet.append([name])
    info = workbook.create_sheet("说明")
    info.append(["乡镇", township.name])
    info.append(["年月", f"{year}-{month:02d}"])
    info.append(["说明", "每个村（社区）一行；数字不能为负，百分比不超过 100；整份文件校验通过才会导入并报送。"])
    for row in info.iter_rows():
        for cell in row:
            cell.data_type = "s"
    return workbook


def reports_import(*, actor, township, year, month, upload, request=None):
    sha = _digest(upload)
    if ImportBatch.objects.filter(county_id=township.county_id, kind=f"reports-{year}-{month}", sha256=sha).exists():
        return ImportResult(ok=True, already_imported=True, message=_("此文件已导入过，本次未重复添加任何记录。"))
    if period_is_closed(township.county_id, year, month):
        return ImportResult(ok=False, message=_("%(y)s年%(m)s月已关账，不能再填报。") % {"y": year, "m": month})
    try:
        workbook = open_workbook(upload)
        if SHEET not in workbook.sheetnames:
            raise WorkbookRejected(_("找不到工作表“%(s)s”，请使用系统提供的模板。") % {"s": SHEET})
        if "说明" in workbook.sheetnames:
            info = {row[0]: row[1] for row in workbook["说明"].iter_rows(values_only=True) if row and row[0]}
            if info.get("乡镇") and info["乡镇"] != township.name:
                raise WorkbookRejected(_("这是“%(t)s”的报表，不是本乡镇的。") % {"t": info["乡镇"]})
            if info.get("年月") and info["年月"] != f"{year}-{month:02d}":
                raise WorkbookRejected(
                    _("这是 %(p)s 的报表，不是 %(y)s年%(m)s月的。") % {"p": info["年月"], "y": year, "m": month}
                )
        rows = list(iter_sheet_rows(workbook[SHEET], headers()))
        workbook.close()
    except WorkbookRejected as exc:
        return ImportResult(ok=False, message=str(exc))
    villages = {v.name: v for v in Village.objects.filter(township=township, is_active=True).select_related("township")}
    existing = dict(
        MonthlyReport.objects.filter(township=township, year=year, month=month).values_list("village_id", "status")
    )
    errors, parsed, seen = [], [], set()
    for number, values in rows:
        before = len(errors)
        village = villages.get(values["村（社区）"] or "")
        if village is None:
            errors.append(
                CellError(
                    SHEET,
                    number,
                    "村（社区）",
                    _("本乡镇没有名为“%(n)s”的村（社区）。") % {"n": values["村（社区）"] or ""},
                )
            )
        elif village.pk in seen:
            errors.append(CellError(SHEET, number, "村（社区）", _("该村在文件中出现了两次。")))
        elif existing.get(village.pk) in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
            errors.append(CellError(SHEET, number, "村（社区）", _("该村本月报表已报送或已审核。")))
        cleaned = {}
        for code in REPORTED_CODES:
            label = str(METRICS[code].label)
            try:
                value = parse_reported(code, values[label])
            except ValueError as exc:
                errors.append(CellError(SHEET, number, label, str(exc)))
                continue
            if value is None:
                errors.append(CellError(SHEET, number, label, _("不能为空。")))
            else:
                cleaned[code] = value
        if len(errors) == before:
            seen.add(village.pk)
            parsed.append((village, cleaned))
    if errors:
        return ImportResult(
            ok=False,
            errors=errors,
            rows=len(rows),
            message=_("共 %(n)s 处错误，所有记录均未导入。请修改后重新上传。") % {"n": len(errors)},
        )
    try:
        with transaction.atomic():
            for village, cleaned in parsed:
                report = report_save(
                    actor=actor, village=village, year=year, month=month, values=cleaned, request=request
                )
                report_submit(actor=actor, report=report, request=request)
            ImportBatch.objects.create(
                county_id=township.county_id,
                township=township,
                kind=f"reports-{year}-{month}",
                sha256=sha,
                filename=(getattr(upload, "name", "") or "")[:200],
                rows=len(rows),
                created=len(parsed),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=township,
                detail={"kind": "reports", "year": year, "month": month, "rows": len(parsed)},
                request=request,
            )
    except ValidationError as exc:
        return ImportResult(ok=False, message=" ".join(exc.messages))
    return ImportResult(
        ok=True,
        rows=len(rows),
        created=len(parsed),
        message=_("已导入并报送 %(n)s 个村（社区）的月报。") % {"n": len(parsed)},
    )
