"""Workbooks of the assessment: the township's monthly report (one row per village) and the scheme."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.imports import ImportResult, another_townships_file, file_digest, previous_batch
from townships.models import ImportBatch
from townships.services import audit_record
from townships.xlsx import (
    CellError,
    WorkbookRejected,
    iter_sheet_rows,
    normalize_cell,
    open_workbook,
    parse_period,
)
from villages.models import Village

from .choices import ReportStatus
from .metrics import METRICS, REPORTED_CODES, parse_reported
from .models import MonthlyReport
from .services import period_is_closed, report_save, report_submit

SHEET = "月度报表"


def headers():
    return ["村（社区）", *[f"{METRICS[c].label}" for c in REPORTED_CODES]]


INFO_SHEET = "说明"
FILED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
# The label our template writes first; the others are how people retitle it.
PERIOD_LABELS = ("年月", "月份", "报表月份", "填报月份")


def template(*, township, year, month):
    """The month's workbook: one row per village still to file. Villages whose report is
    already submitted or approved are left out (and named on the instructions sheet)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(headers())
    filed = MonthlyReport.objects.filter(township=township, year=year, month=month, status__in=FILED).values(
        "village_id"
    )
    villages = Village.objects.filter(township=township, is_active=True).order_by("sort_key", "name")
    for name in villages.exclude(pk__in=filed).values_list("name", flat=True):
        sheet.append([name])
    info = workbook.create_sheet(INFO_SHEET)
    info.append(["乡镇", township.name])
    info.append(["年月", f"{year}-{month:02d}"])
    info.append(["说明", "每个村（社区）一行；数字不能为负，百分比不超过 100；整份文件校验通过才会导入并报送。"])
    done = list(villages.filter(pk__in=filed).values_list("name", flat=True))
    if done:
        info.append(["已报送（不在本表）", "、".join(done)])
    for row in info.iter_rows():
        for cell in row:
            cell.data_type = "s"
    return workbook


def _workbook_info(workbook):
    """The instructions sheet as {label: value}; empty when the sheet is missing."""
    if INFO_SHEET not in workbook.sheetnames:
        return {}
    info = {}
    for row in workbook[INFO_SHEET].iter_rows(values_only=True):
        if len(row) >= 2 and normalize_cell(row[0]) is not None:
            info.setdefault(normalize_cell(str(row[0])), normalize_cell(row[1]))
    return info


def _check_workbook_is_for(info, *, township, year, month):
    """Refuse another township's or another month's workbook, saying whose it is."""
    named = info.get("乡镇")
    if named and named != normalize_cell(township.name):
        raise WorkbookRejected(_("该文件属于%(t)s，不是本乡镇（%(own)s）的报表。") % {"t": named, "own": township.name})
    written = next((info[k] for k in PERIOD_LABELS if info.get(k) is not None), None)
    if written is not None:
        try:
            period = parse_period(written)
        except ValueError as exc:
            raise WorkbookRejected(_("“说明”工作表：%(e)s") % {"e": exc}) from None
        if period != (year, month):
            raise WorkbookRejected(
                _("这是 %(py)s年%(pm)s月 的报表，不是 %(y)s年%(m)s月的。")
                % {"py": period[0], "pm": period[1], "y": year, "m": month}
            )


def reports_import(*, actor, township, year, month, upload, request=None):
    sha = file_digest(upload)
    try:
        workbook = open_workbook(upload)
        try:
            if SHEET not in workbook.sheetnames:
                raise WorkbookRejected(_("找不到工作表“%(s)s”，请使用系统提供的模板。") % {"s": SHEET})
            # Whose file it is comes before "already imported": another township's file,
            # imported by that township, must be refused as theirs, not as a duplicate.
            _check_workbook_is_for(_workbook_info(workbook), township=township, year=year, month=month)
            rows = list(iter_sheet_rows(workbook[SHEET], headers()))
        finally:
            workbook.close()
    except WorkbookRejected as exc:
        return ImportResult(ok=False, message=str(exc))
    previous = previous_batch(township.county_id, f"reports-{year}-{month}", sha)
    if refusal := another_townships_file(previous, township):
        return refusal
    if previous is not None:
        return ImportResult(ok=True, already_imported=True, message=_("此文件已导入过，本次未重复添加任何记录。"))
    if period_is_closed(township.county_id, year, month):
        return ImportResult(ok=False, message=_("%(y)s年%(m)s月已关账，不能再填报。") % {"y": year, "m": month})
    villages = {
        normalize_cell(v.name): v
        for v in Village.objects.filter(township=township, is_active=True).select_related("township")
    }
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
        elif existing.get(village.pk) in FILED:
            errors.append(
                CellError(
                    SHEET,
                    number,
                    "村（社区）",
                    _("%(v)s %(y)s年%(m)s月的月报%(s)s，不能再导入；如需修改，请由县委组织部退回后重报。")
                    % {"v": village.name, "y": year, "m": month, "s": ReportStatus(existing[village.pk]).label},
                )
            )
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


# --- Schemes as workbooks -----------------------------------------------------

SCHEME_SHEET = "考核指标"
SCHEME_HEADERS = ["编号", "名称", "类别", "分值", "计分方法", "数据指标", "参数", "评分部门", "需佐证", "加分项"]


def scheme_rows(scheme):
    return [
        [
            i.code,
            i.name,
            i.get_category_display(),
            str(i.max_points.normalize()),
            i.get_method_display() if i.method else "",
            i.metric,
            json.dumps(i.params, ensure_ascii=False) if i.params else "",
            i.department,
            "是" if i.evidence_required else "否",
            "是" if i.is_bonus else "否",
        ]
        for i in scheme.indicators.exclude(method="").order_by("position", "code")
    ]


def scheme_import(*, actor, scheme, upload, request=None):
    """Replace a draft scheme's scored indicators with a workbook's, all or nothing."""
    from decimal import Decimal, InvalidOperation

    from . import scoring
    from .choices import Category, Method, SchemeStatus
    from .models import Indicator
    from .services import scheme_problems

    if scheme.status != SchemeStatus.DRAFT:
        return ImportResult(ok=False, message=_("只能导入到草稿方案；启用或锁定的方案请先复制或生成新版本。"))
    try:
        workbook = open_workbook(upload)
        if SCHEME_SHEET not in workbook.sheetnames:
            raise WorkbookRejected(_("找不到工作表“%(s)s”，请先导出方案再修改。") % {"s": SCHEME_SHEET})
        rows = list(iter_sheet_rows(workbook[SCHEME_SHEET], SCHEME_HEADERS))
        workbook.close()
    except WorkbookRejected as exc:
        return ImportResult(ok=False, message=str(exc))
    # Keys normalized like the cells (NFKC turns （） into ()).
    categories = {normalize_cell(str(label)): value for value, label in Category.choices}
    methods = {normalize_cell(str(label)): value for value, label in Method.choices}
    errors, parsed, codes = [], [], set()
    for number, values in rows:
        before = len(errors)

        def err(column, message, number=number):
            errors.append(CellError(SCHEME_SHEET, number, column, message))

        code = str(values["编号"] or "")
        if not code:
            err("编号", _("编号不能为空。"))
        elif code in codes:
            err("编号", _("编号重复。"))
        codes.add(code)
        category = categories.get(values["类别"] or "")
        if category is None:
            err("类别", _("类别应为：%(c)s。") % {"c": "、".join(categories)})
        method = methods.get(values["计分方法"] or "")
        if method is None:
            err("计分方法", _("计分方法应为：%(c)s。") % {"c": "、".join(methods)})
        try:
            points = Decimal(str(values["分值"]))
        except (InvalidOperation, TypeError):
            err("分值", _("请填写数字。"))
            points = None
        try:
            params = json.loads(values["参数"]) if values["参数"] else {}
            if not isinstance(params, dict):
                raise ValueError
        except ValueError:
            err("参数", _('参数须为 JSON 对象，如 {"per_event": 10}。'))
            params = None
        metric = values["数据指标"] or ""
        if method and method != Method.MANUAL and metric not in METRICS:
            err("数据指标", _("数据指标“%(m)s”不存在。") % {"m": metric})
        if len(errors) == before:
            try:
                scoring.validate_parameters(method, points, params)
            except scoring.ParameterError as exc:
                err("参数", str(exc))
        if len(errors) == before:
            parsed.append(
                Indicator(
                    scheme=scheme,
                    code=code,
                    name=values["名称"] or code,
                    category=category,
                    max_points=points,
                    method=method,
                    metric=metric,
                    params=params,
                    department=values["评分部门"] or "",
                    evidence_required=values["需佐证"] == "是",
                    is_bonus=values["加分项"] == "是",
                    position=len(parsed),
                )
            )
    if not errors:
        problems = scheme_problems(scheme, parsed)
        errors = [CellError(SCHEME_SHEET, 0, "—", p) for p in problems]
    if errors:
        return ImportResult(
            ok=False,
            errors=errors,
            rows=len(rows),
            message=_("方案有 %(n)s 处问题，未作任何修改。") % {"n": len(errors)},
        )
    with transaction.atomic():
        roots = {}
        for position, (value, label) in enumerate(Category.choices):
            roots[value], _created = Indicator.objects.get_or_create(
                scheme=scheme, code="ABCD"[position], defaults={"name": label, "category": value, "position": position}
            )
        scheme.indicators.exclude(method="").delete()
        for indicator in parsed:
            indicator.parent = roots[indicator.category]
        Indicator.objects.bulk_create(parsed)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=scheme,
            detail={"kind": "scheme", "indicators": len(parsed)},
            request=request,
        )
    return ImportResult(
        ok=True, rows=len(rows), created=len(parsed), message=_("已导入 %(n)s 个指标。") % {"n": len(parsed)}
    )
