"""Workbooks of the assessment: the township's monthly report (one row per village), the township's
own report (乡镇本级, one row) and the scheme.

Both imports run on the skeleton in townships.imports; each states its sheet, its row
form and its write.
"""

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from townships.imports import ImportResult, LabelColumn, RawColumn, RowForm, TextColumn, WorkbookImport
from townships.xlsx import WorkbookRejected, normalize_cell, parse_period
from villages.models import Village

from .. import scoring
from ..choices import Category, Method, ReportStatus, SchemeStatus
from ..metrics import METRICS, REPORTED_CODES, parse_reported, reported_codes
from ..models import Indicator, MonthlyReport
from ..selectors import period_is_closed
from ..services import report_save, report_submit, scheme_problems

SHEET = "月度报表"
INFO_SHEET = "说明"
FILED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
# The label our template writes first; the others are how people retitle it.
PERIOD_LABELS = ("年月", "月份", "报表月份", "填报月份")


# --- Monthly reports ------------------------------------------------------------


class MetricColumn(forms.Field):
    """One reported metric: numbers ≥ 0, percentages ≤ 100, whole numbers where counted."""

    def __init__(self, code, **kwargs):
        kwargs.setdefault("error_messages", {"required": gettext_lazy("不能为空。")})
        metric = METRICS[code]
        # The header names the unit; templates made before it did still import.
        super().__init__(label=f"{metric.label}（{metric.unit}）" if metric.unit else metric.label, **kwargs)
        self.aliases = (metric.label,) if metric.unit else ()
        self.code = code

    def to_python(self, value):
        try:
            return parse_reported(self.code, value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class _VillageRowForm(RowForm):
    village = RawColumn(label="村（社区）", required=False)

    def clean_village(self):
        name = self.cleaned_data["village"]
        importer = self.importer
        village = importer.villages.get(name or "")
        if village is None:
            raise ValidationError(_("本乡镇没有名为“%(n)s”的村（社区）。") % {"n": name or ""})
        if village.pk in importer.seen:
            raise ValidationError(_("该村在文件中出现了两次。"))
        status = importer.statuses.get(village.pk)
        if status in FILED:
            raise ValidationError(
                _("%(v)s %(y)s年%(m)s月的月报%(s)s，不能再导入；如需修改，请由县委组织部退回后重报。")
                % {"v": village.name, "y": importer.year, "m": importer.month, "s": ReportStatus(status).label}
            )
        return village

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.importer.seen.add(data["village"].pk)
        return data


# One village's month (月度报表): its name, then a column per reported metric.
ReportRowForm = type(
    "ReportRowForm", (_VillageRowForm,), {"__module__": __name__} | {c: MetricColumn(c) for c in REPORTED_CODES}
)


def headers():
    return ReportRowForm.headers()


def template(*, township, year, month):
    """The month's workbook: one row per village still to file. Villages whose report is
    already submitted or approved are left out (and named on the instructions sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(headers())
    filed = MonthlyReport.objects.filter(
        township=township, year=year, month=month, status__in=FILED, village__isnull=False
    ).values("village_id")
    villages = Village.objects.filter(township=township, is_active=True).order_by("sort_key", "name")
    for name in villages.exclude(pk__in=filed).values_list("name", flat=True):
        sheet.append([name])
        # A name such as "=HYPERLINK(...)" stays text: appended to a normal workbook it would be a formula.
        sheet.cell(row=sheet.max_row, column=1).data_type = "s"
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


class ReportsImport(WorkbookImport):
    """A township's month: every village's report saved and submitted, or none."""

    sheet = SHEET
    form_class = ReportRowForm

    def __init__(self, *, year, month, **kwargs):
        super().__init__(**kwargs)
        self.year, self.month = year, month

    @property
    def kind(self):
        return f"reports-{self.year}-{self.month}"

    def check_workbook(self, workbook):
        _check_workbook_is_for(_workbook_info(workbook), township=self.township, year=self.year, month=self.month)

    def refusal(self):
        if period_is_closed(self.township.county_id, self.year, self.month):
            return _("%(y)s年%(m)s月已关账，不能再填报。") % {"y": self.year, "m": self.month}
        return None

    def prepare(self):
        villages = Village.objects.filter(township=self.township, is_active=True).select_related("township")
        self.villages = {normalize_cell(v.name): v for v in villages}
        self.statuses = dict(
            MonthlyReport.objects.filter(
                township=self.township, year=self.year, month=self.month, village__isnull=False
            ).values_list("village_id", "status")
        )
        self.seen = set()  # villages of the rows accepted so far

    def write(self, rows):
        for row in rows:
            values = {code: row.data[code] for code in REPORTED_CODES}
            report = report_save(
                actor=self.actor,
                village=row.data["village"],
                year=self.year,
                month=self.month,
                values=values,
                request=self.request,
            )
            report_submit(actor=self.actor, report=report, request=self.request)
        return len(rows)

    def audit_detail(self, *, rows, created):
        return {"kind": "reports", "year": self.year, "month": self.month, "rows": created}

    def success_message(self, created, skipped):
        return _("已导入并报送 %(n)s 个村（社区）的月报。") % {"n": created}


def reports_import(*, actor, township, year, month, upload, request=None):
    return ReportsImport(actor=actor, township=township, year=year, month=month, upload=upload, request=request).run()


# --- The township's own report (乡镇本级月报) ------------------------------------

OWN_SHEET = "乡镇本级月报"


class _TownshipRowForm(RowForm):
    township = RawColumn(label="乡镇", required=False)

    def clean_township(self):
        name, importer = self.cleaned_data["township"], self.importer
        if normalize_cell(name or "") != normalize_cell(importer.township.name):
            raise ValidationError(_("这一行应是本乡镇（%(t)s）的报表。") % {"t": importer.township.name})
        if importer.seen:
            raise ValidationError(_("乡镇本级月报只有一行，这一行重复了。"))
        importer.seen = True
        return importer.township


# The township's month: its name, then a column per township-reported metric.
TownshipReportRowForm = type(
    "TownshipReportRowForm",
    (_TownshipRowForm,),
    {"__module__": __name__} | {c: MetricColumn(c) for c in reported_codes("township")},
)


def township_template(*, township, year, month):
    """The township's own month as a workbook: one row, its name, the values to fill."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = OWN_SHEET
    sheet.append(TownshipReportRowForm.headers())
    sheet.append([township.name])
    sheet.cell(row=2, column=1).data_type = "s"
    info = workbook.create_sheet(INFO_SHEET)
    info.append(["乡镇", township.name])
    info.append(["年月", f"{year}-{month:02d}"])
    info.append(
        ["说明", "乡镇本级一行：本乡镇自身本月的工作数据；数字不能为负，百分比不超过 100；校验通过才会导入并报送。"]
    )
    for row in info.iter_rows():
        for cell in row:
            cell.data_type = "s"
    return workbook


class TownshipReportImport(WorkbookImport):
    """The township's own month: saved and submitted, or nothing written."""

    sheet = OWN_SHEET
    form_class = TownshipReportRowForm

    def __init__(self, *, year, month, **kwargs):
        super().__init__(**kwargs)
        self.year, self.month = year, month

    @property
    def kind(self):
        return f"township-report-{self.year}-{self.month}"

    def check_workbook(self, workbook):
        _check_workbook_is_for(_workbook_info(workbook), township=self.township, year=self.year, month=self.month)

    def refusal(self):
        if period_is_closed(self.township.county_id, self.year, self.month):
            return _("%(y)s年%(m)s月已关账，不能再填报。") % {"y": self.year, "m": self.month}
        status = (
            MonthlyReport.objects.filter(township=self.township, village__isnull=True, year=self.year, month=self.month)
            .values_list("status", flat=True)
            .first()
        )
        if status in FILED:
            return _("%(t)s %(y)s年%(m)s月的乡镇本级月报%(s)s，不能再导入；如需修改，请由县委组织部退回后重报。") % {
                "t": self.township.name,
                "y": self.year,
                "m": self.month,
                "s": ReportStatus(status).label,
            }
        return None

    def prepare(self):
        self.seen = False

    def check_rows(self, rows, *, complete):
        if complete and not rows:
            return [self.cell_error(2, "乡镇", _("没有填写乡镇本级的数据。"))]
        return []

    def write(self, rows):
        values = {code: rows[0].data[code] for code in reported_codes("township")}
        report = report_save(
            actor=self.actor,
            township=self.township,
            year=self.year,
            month=self.month,
            values=values,
            request=self.request,
        )
        report_submit(actor=self.actor, report=report, request=self.request)
        return 1

    def audit_detail(self, *, rows, created):
        return {"kind": "township-report", "year": self.year, "month": self.month, "rows": created}

    def success_message(self, created, skipped):
        return _("已导入并报送 %(t)s 的乡镇本级月报。") % {"t": self.township.name}


def township_report_import(*, actor, township, year, month, upload, request=None):
    return TownshipReportImport(
        actor=actor, township=township, year=year, month=month, upload=upload, request=request
    ).run()


# --- Schemes as workbooks -----------------------------------------------------

SCHEME_SHEET = "考核指标"


def _yes(value):
    return value == "是"


class SchemeRowForm(RowForm):
    """One scored indicator of an assessment scheme (考核指标)."""

    code = TextColumn(label="编号", error_messages={"required": gettext_lazy("编号不能为空。")})
    name = TextColumn(label="名称", required=False)
    category = LabelColumn(
        label="类别",
        choices={label: value for value, label in Category.choices},
        invalid=gettext_lazy("类别应为：%(choices)s。"),
    )
    max_points = RawColumn(label="分值", required=False)
    method = LabelColumn(
        label="计分方法",
        choices={label: value for value, label in Method.choices},
        invalid=gettext_lazy("计分方法应为：%(choices)s。"),
    )
    metric = TextColumn(label="数据指标", required=False)
    params = RawColumn(label="参数", required=False)
    department = TextColumn(label="评分部门", required=False)
    evidence_required = RawColumn(label="需佐证", required=False)
    is_bonus = RawColumn(label="加分项", required=False)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code in self.importer.codes:
            raise ValidationError(_("编号重复。"))
        self.importer.codes.add(code)
        return code

    def clean_max_points(self):
        try:
            return Decimal(str(self.cleaned_data["max_points"]))
        except InvalidOperation:
            raise ValidationError(_("请填写数字。")) from None

    def clean_metric(self):
        metric = self.cleaned_data["metric"]
        method = self.cleaned_data.get("method")
        if method and method != Method.MANUAL and metric not in METRICS:
            raise ValidationError(_("数据指标“%(m)s”不存在。") % {"m": metric})
        return metric

    def clean_params(self):
        value = self.cleaned_data["params"]
        try:
            params = json.loads(value) if value else {}
            if not isinstance(params, dict):
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(_('参数须为 JSON 对象，如 {"per_event": 10}。')) from None
        return params

    def clean_evidence_required(self):
        return _yes(self.cleaned_data["evidence_required"])

    def clean_is_bonus(self):
        return _yes(self.cleaned_data["is_bonus"])

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                scoring.validate_parameters(data["method"], data["max_points"], data["params"])
            except scoring.ParameterError as exc:
                self.add_error("params", str(exc))
        return data


SCHEME_HEADERS = SchemeRowForm.headers()


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


class SchemeImport(WorkbookImport):
    """A draft scheme's scored indicators replaced by a workbook's. No batch: importing the
    same workbook again replaces the draft with the same indicators."""

    sheet = SCHEME_SHEET
    form_class = SchemeRowForm
    missing_sheet_hint = gettext_lazy("请先导出方案再修改。")

    def __init__(self, *, scheme, **kwargs):
        super().__init__(**kwargs)
        self.scheme = scheme

    def prepare(self):
        self.codes = set()  # codes of the rows read so far

    def check_rows(self, rows, *, complete):
        self.indicators = [
            Indicator(
                scheme=self.scheme,
                code=d["code"],
                name=d["name"] or d["code"],
                category=d["category"],
                max_points=d["max_points"],
                method=d["method"],
                metric=d["metric"],
                params=d["params"],
                department=d["department"],
                evidence_required=d["evidence_required"],
                is_bonus=d["is_bonus"],
                position=position,
            )
            for position, d in enumerate(r.data for r in rows)
        ]
        if not complete:
            return []  # the points add up only over the whole set
        return [self.cell_error(0, "—", problem) for problem in scheme_problems(self.scheme, self.indicators)]

    def write(self, rows):
        roots = {}
        for position, (value, label) in enumerate(Category.choices):
            roots[value], _created = Indicator.objects.get_or_create(
                scheme=self.scheme,
                code="ABCD"[position],
                defaults={"name": label, "category": value, "position": position},
            )
        self.scheme.indicators.exclude(method="").delete()
        for indicator in self.indicators:
            indicator.parent = roots[indicator.category]
        Indicator.objects.bulk_create(self.indicators)
        return len(self.indicators)

    def audit_target(self):
        return self.scheme

    def audit_detail(self, *, rows, created):
        return {"kind": "scheme", "indicators": created}

    def errors_message(self, count):
        return _("方案有 %(n)s 处问题，未作任何修改。") % {"n": count}

    def success_message(self, created, skipped):
        return _("已导入 %(n)s 个指标。") % {"n": created}


def scheme_import(*, actor, scheme, upload, request=None):
    """Replace a draft scheme's scored indicators with a workbook's, all or nothing."""
    if scheme.status != SchemeStatus.DRAFT:
        return ImportResult(ok=False, message=_("只能导入到草稿方案；启用或锁定的方案请先复制或生成新版本。"))
    return SchemeImport(actor=actor, scheme=scheme, upload=upload, request=request).run()
