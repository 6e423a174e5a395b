"""Monthly report pages: the month overview, the form, the review queue, workbooks."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from townships.listing import Column, ListSpec, cell, display, link, list_views, render_list, township_column
from townships.models import Township, validate_period
from townships.scoping import can_edit_in_township, can_manage_registry, get_scoped_or_404, scope_for
from townships.web import (
    UploadForm,
    apply_form_errors,
    month_param,
    require_get_or_post,
    upload_page,
)
from townships.xlsx import workbook_response
from villages.models import Village

from .. import imports, services
from ..choices import ReportStatus
from ..filtersets import ReportFilterSet
from ..forms import CorrectionForm, ReasonForm, ReportForm
from ..metrics import METRICS
from ..models import MonthlyReport
from ..selectors import period_is_closed, township_report_expected
from ..services.reports import (
    bulk_approval_problems,
    month_has_ended,
    report_flagged_mismatches,
    reports_approve_bulk,
)


@require_safe
@login_required
def report_overview(request):
    """A township's month: every village, its report's state, and what to do."""
    year, month = month_param(request)
    townships = scope_for(request.user, Township.objects.filter(is_active=True))
    township_id = request.GET.get("township") or (request.user.township_id if request.user.is_township_staff else None)
    township = townships.filter(pk=township_id).first() if township_id and str(township_id).isdigit() else None
    if township is None:
        township = townships.order_by("sort_key", "name").first()
    villages = (
        list(Village.objects.filter(township=township, is_active=True).order_by("sort_key", "name")) if township else []
    )
    reports = {
        r.village_id: r
        for r in MonthlyReport.objects.filter(township=township, year=year, month=month).select_related("township")
    }
    rows = [(v.name, reports.get(v.pk), reverse("report-form", args=[v.pk, year, month])) for v in villages]
    done = sum(1 for _v, r, _url in rows if r and r.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED))
    # The township's own report (乡镇本级) heads the list; it is not one of the villages counted.
    own = None
    if township:
        own = (
            _("%(t)s（乡镇本级）") % {"t": township.name},
            reports.get(None),
            reverse("township-report-form", args=[township.pk, year, month]),
        )
    return render(
        request,
        "assessments/report_overview.html",
        {
            "rows": rows,
            "own": own,
            "own_expected": township and township_report_expected(township.county_id, year),
            "year": year,
            "month": month,
            "township": township,
            "townships": townships,
            "done": done,
            "total": len(rows),
            "closed": township and period_is_closed(township.county_id, year, month),
            "can_edit": township
            and can_edit_in_township(request.user, township.pk)
            and request.user.role != "county_viewer",
        },
    )


@require_get_or_post
@login_required
def report_form(request, village_pk, year, month):
    """A village's month: its report's form, or its values once submitted."""
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=village_pk)
    return _report_page(request, village=village, township=village.township, year=year, month=month)


@require_get_or_post
@login_required
def township_report_form(request, township_pk, year, month):
    """The township's own month (乡镇本级月报), read by the township schemes: the same form and rules."""
    township = get_scoped_or_404(request.user, Township.objects.all(), pk=township_pk)
    return _report_page(request, village=None, township=township, year=year, month=month)


def _report_page(request, *, village, township, year, month):
    try:
        validate_period(year, month)  # the URL's period is checked as the API checks the body's
    except ValidationError as error:
        return render(request, "400.html", {"message": " ".join(error.messages)}, status=400)
    if not can_edit_in_township(request.user, township.pk):
        raise PermissionDenied(_("您没有填报此月报的权限。"))
    report = (
        MonthlyReport.objects.filter(village=village, township=township, year=year, month=month)
        .select_related("saved_by", "reviewed_by", "village", "township")
        .first()
    )
    level = "village" if village is not None else "township"
    initial = {**(report.values if report else {}), "version": report.version if report else 0}
    form = ReportForm(request.POST or None, initial=initial, level=level)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.pop("version")
        values = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            report = services.report_save(
                actor=request.user,
                village=village,
                township=township,
                year=year,
                month=month,
                values=values,
                version=version,
                request=request,
            )
            if "submit" in request.POST:
                services.report_submit(actor=request.user, report=report, request=request)
                messages.success(request, _("已报送。"))
            else:
                messages.success(request, _("已保存草稿。"))
        except services.ReportConflict as error:
            # Keep what this user typed in the form; show the other's saved values beside it.
            # Saving again now is a deliberate overwrite of the version they have seen.
            conflict = _conflict_rows(error.report, values)
            report = error.report
            form.data = form.data.copy()
            form.data["version"] = report.version
            form.add_error(None, error)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect(f"{reverse('report-overview')}?year={year}&month={month}&township={township.pk}")
    # A submitted or approved report is locked (report_save refuses it): the page shows its values only.
    locked = report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    return render(
        request,
        "assessments/report_form.html",
        {
            "form": form,
            "unit_name": village.name if village else _("%(t)s（乡镇本级）") % {"t": township.name},
            "year": year,
            "month": month,
            "report": report,
            "conflict": conflict,
            "locked": locked,
            "values": _report_values(report) if locked else [],
        },
    )


def _report_values(report):
    """(label, value, unit) per reported metric, for showing a report without inputs."""
    return [(METRICS[c].label, report.values.get(c, "—"), METRICS[c].unit) for c in report.codes]


def _conflict_rows(report, mine):
    """(label, the value saved by the other user, the value this user typed, differs) per metric."""
    rows = []
    for code in report.codes:
        theirs, typed = report.values.get(code), mine.get(code)
        differs = (theirs is None) != (typed is None) or (
            theirs is not None and Decimal(str(theirs)) != Decimal(str(typed))
        )
        rows.append((METRICS[code].label, theirs, typed, differs))
    return rows


def _select_box(report):
    """The bulk-approval checkbox of a submitted report (the list's form is outside the table)."""
    if report.status != ReportStatus.SUBMITTED:
        return ""
    return format_html(
        '<input class="form-check-input" type="checkbox" name="report" value="{}" form="bulk-approve" aria-label="{}">',
        report.pk,
        _("选择 %(v)s") % {"v": report.unit_name},
    )


def _unit_cell(village, township):
    """The report's unit as the export writes it (a ``cell`` of plain values): the township's own is
    "<乡镇>（乡镇本级）"."""
    return village if village is not None else _("%(t)s（乡镇本级）") % {"t": township}


def _late(is_late):
    return _("是") if is_late else ""


def _flagged_count(year, month, mismatches):
    """``len(report_flagged_mismatches(report)) or ""`` from plain values."""
    return (len(mismatches) if month_has_ended(year, month) else 0) or ""


def review_spec(request):
    columns = (
        township_column(),
        Column(
            _("村（社区）"),
            lambda r: r.unit_name,
            html=link("report-detail", lambda r: r.unit_name),
            export=cell("village__name", "township__name", value=_unit_cell, per_value=True),
        ),
        Column(
            _("年月"),
            lambda r: f"{r.year}-{r.month:02d}",
            "period",
            ("year", "month"),
            export=cell("year", "month", value=lambda year, month: f"{year}-{month:02d}", per_value=True),
        ),
        Column(
            _("状态"), lambda r: r.get_status_display(), "status", ("status",), export=display("status", MonthlyReport)
        ),
        Column(_("逾期"), lambda r: _("是") if r.is_late else "", export=cell("is_late", value=_late, per_value=True)),
        Column(
            _("与台账不符"),
            lambda r: len(report_flagged_mismatches(r)) or "",
            export=cell("year", "month", "mismatches", value=_flagged_count),
        ),
    )
    return ListSpec(
        title=gettext_lazy("月报审核"),
        queryset=lambda r: scope_for(r.user, MonthlyReport.objects.select_related("village", "township")),
        filterset_class=ReportFilterSet,
        # The select column is the reviewer's page's only; the export keeps the data columns.
        columns=(Column(_("选择"), lambda r: "", html=_select_box), *columns)
        if can_manage_registry(request.user)
        else columns,
        export_columns=tuple((c.label, c.export) for c in columns),
        export_sheet=str(gettext_lazy("月报审核")),
        default_sort="township",
        export_name="report-export",
        filename="月报",
    )


report_export = list_views(review_spec)[1]


@require_safe
@login_required
def report_list(request):
    """The review queue; a county administrator selects submitted reports to approve together."""
    return render_list(
        request,
        review_spec(request),
        template="assessments/report_list.html",
        extra={"can_review": can_manage_registry(request.user)},
    )


def _report_ids(values):
    """The report ids of a request's list parameter; anything but whole numbers is a bad request (404)."""
    try:
        return sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise Http404 from None


def _scoped_reports(user, ids):
    """The selected reports, every one of them within the user's scope (else 404, as for one report)."""
    reports = scope_for(user, MonthlyReport.objects.filter(pk__in=ids))
    if reports.count() != len(ids):
        raise Http404
    return reports


def _without(url_ids, pk):
    """The confirmation page's address without one report (after that report was returned)."""
    rest = [i for i in url_ids if i != pk]
    if not rest:
        return reverse("report-list")
    return f"{reverse('report-bulk-approve')}?{urlencode([('report', i) for i in rest])}"


@require_get_or_post
@login_required
def report_bulk_approve(request):
    """Approve several submitted reports at once: GET is the confirmation (the N reports, the
    mismatched ones flagged with their 已核对差异 boxes, a return per report); POST approves
    them all or none (reports_approve_bulk)."""
    if not can_manage_registry(request.user):
        raise PermissionDenied(_("只有县委组织部管理员可以审核月报。"))
    data = request.POST if request.method == "POST" else request.GET
    chosen = data.getlist("page") if data.get("all") else data.getlist("report")
    ids = _report_ids(chosen)
    if not ids:
        messages.error(request, _("请先勾选要审核通过的报表。"))
        return redirect("report-list")
    reports = _scoped_reports(request.user, ids)
    acknowledged = _report_ids(request.POST.getlist("acknowledge")) if request.method == "POST" else []
    if request.method == "POST":
        try:
            approved = reports_approve_bulk(
                actor=request.user, reports=reports, acknowledged=acknowledged, request=request
            )
        except ValidationError as error:
            messages.error(request, _("没有审核任何报表：") + " ".join(error.messages))
        else:
            messages.success(request, _("已审核通过 %(n)s 份月报。") % {"n": len(approved)})
            return redirect("report-list")
    rows = list(
        reports.select_related("village", "township").order_by(
            "township__sort_key", "township__name", F("village__name").asc(nulls_first=True), "pk"
        )
    )
    problems = dict(bulk_approval_problems(rows, acknowledged=[r.pk for r in rows]))
    return render(
        request,
        "assessments/report_bulk_confirm.html",
        {
            "rows": [
                {
                    "report": report,
                    "mismatches": [
                        (METRICS[m["metric"]].label, m["reported"], m["recorded"])
                        for m in report_flagged_mismatches(report)
                    ],
                    "acknowledged": report.pk in acknowledged,
                    "problem": problems.get(report),
                    "return_next": _without(ids, report.pk),
                }
                for report in rows
            ],
            "ids": ids,
            "back": f"{reverse('report-bulk-approve')}?{urlencode([('report', i) for i in ids])}",
        },
    )


@require_POST
@login_required
def report_return(request, pk):
    """Return one submitted report with its (required) reason, from the review queue."""
    if not can_manage_registry(request.user):
        raise PermissionDenied(_("只有县委组织部管理员可以审核和更正月报。"))
    report = get_scoped_or_404(request.user, MonthlyReport.objects.select_related("village", "township"), pk=pk)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("report-list")
    try:
        services.report_review(
            actor=request.user, report=report, approve=False, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, _("%(v)s 未退回：") % {"v": report.unit_name} + " ".join(error.messages))
        # Stay on the confirmation with the same reports, so nothing else changes.
        next_url = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("report-list")
    else:
        messages.success(request, _("已退回 %(v)s 的月报。") % {"v": report.unit_name})
    return redirect(next_url)


@require_get_or_post
@login_required
def report_detail(request, pk):
    report = get_scoped_or_404(
        request.user, MonthlyReport.objects.select_related("village", "township", "reviewed_by"), pk=pk
    )
    county_admin = can_manage_registry(request.user)
    review_form = ReasonForm(request.POST if "return" in request.POST else None)
    review_form.fields["reason"].required = False
    correction_form = CorrectionForm(request.POST if "correct" in request.POST else None, level=report.level)
    if request.method == "POST":
        if not county_admin:
            raise PermissionDenied(_("只有县委组织部管理员可以审核和更正月报。"))
        try:
            if "approve" in request.POST:
                services.report_review(actor=request.user, report=report, approve=True, request=request)
                messages.success(request, _("已审核通过。"))
            elif "return" in request.POST and review_form.is_valid():
                services.report_review(
                    actor=request.user,
                    report=report,
                    approve=False,
                    reason=review_form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("已退回。"))
            elif "correct" in request.POST and correction_form.is_valid():
                services.report_correct(
                    actor=request.user, report=report, request=request, **correction_form.cleaned_data
                )
                messages.success(request, _("已更正并记录。"))
            else:
                raise ValidationError(_("请检查填写的内容。"))
            return redirect("report-detail", pk=report.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    values = _report_values(report)
    mismatches = [(METRICS[m["metric"]].label, m["reported"], m["recorded"]) for m in report_flagged_mismatches(report)]
    return render(
        request,
        "assessments/report_detail.html",
        {
            "report": report,
            "values": values,
            "mismatches": mismatches,
            "corrections": [
                (c, METRICS[c.metric].label if c.metric in METRICS else c.metric)
                for c in report.corrections.select_related("corrected_by")
            ],
            "county_admin": county_admin,
            "review_form": review_form,
            "correction_form": correction_form,
        },
    )


def _month_and_township(request):
    """The month (?year=&month=) and the township (?township=, or the user's own) of a month's workbook."""
    year, month = month_param(request)
    township = get_scoped_or_404(
        request.user, Township.objects.all(), pk=request.GET.get("township") or request.user.township_id or 0
    )
    return year, month, township


@require_safe
@login_required
def report_template(request):
    year, month, township = _month_and_township(request)
    return workbook_response(
        imports.template(township=township, year=year, month=month), f"{township.name}{year}年{month}月月报.xlsx"
    )


@require_get_or_post
@login_required
def report_import(request):
    return _month_import(request, imports.reports_import, _("%(t)s %(y)s年%(m)s月 月报导入"), "report-template")


def _month_import(request, run, title, template_name):
    """The upload page of a township's month workbook (the villages' or its own), imported by ``run``."""
    year, month, township = _month_and_township(request)
    if not can_edit_in_township(request.user, township.pk) or request.user.role == "county_viewer":
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields.pop("township", None)
    return upload_page(
        request,
        form,
        lambda data: run(
            actor=request.user, township=township, year=year, month=month, upload=data["file"], request=request
        ),
        context={
            "title": title % {"t": township.name, "y": year, "m": month},
            "template_url": f"{reverse(template_name)}?year={year}&month={month}&township={township.pk}",
        },
        success_url=f"{reverse('report-overview')}?year={year}&month={month}&township={township.pk}",
    )


@require_safe
@login_required
def township_report_template(request):
    year, month, township = _month_and_township(request)
    return workbook_response(
        imports.township_template(township=township, year=year, month=month),
        f"{township.name}{year}年{month}月乡镇本级月报.xlsx",
    )


@require_get_or_post
@login_required
def township_report_import(request):
    return _month_import(
        request, imports.township_report_import, _("%(t)s %(y)s年%(m)s月 乡镇本级月报导入"), "township-report-template"
    )
