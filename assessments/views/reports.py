"""Monthly report pages: the month overview, the form, the review queue, workbooks."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.listing import Column, ListSpec, link, list_views, township_column
from townships.models import Township
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
from ..metrics import METRICS, REPORTED_CODES
from ..models import MonthlyReport
from ..selectors import period_is_closed


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
    reports = {r.village_id: r for r in MonthlyReport.objects.filter(village__in=villages, year=year, month=month)}
    rows = [(v, reports.get(v.pk)) for v in villages]
    done = sum(1 for _v, r in rows if r and r.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED))
    return render(
        request,
        "assessments/report_overview.html",
        {
            "rows": rows,
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
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=village_pk)
    if not can_edit_in_township(request.user, village.township_id):
        raise PermissionDenied(_("您没有填报此村月报的权限。"))
    report = MonthlyReport.objects.filter(village=village, year=year, month=month).select_related("saved_by").first()
    initial = {**(report.values if report else {}), "version": report.version if report else 0}
    form = ReportForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.pop("version")
        values = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            report = services.report_save(
                actor=request.user,
                village=village,
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
            return redirect(f"{reverse('report-overview')}?year={year}&month={month}&township={village.township_id}")
    return render(
        request,
        "assessments/report_form.html",
        {"form": form, "village": village, "year": year, "month": month, "report": report, "conflict": conflict},
    )


def _conflict_rows(report, mine):
    """(label, the value saved by the other user, the value this user typed, differs) per metric."""
    rows = []
    for code in REPORTED_CODES:
        theirs, typed = report.values.get(code), mine.get(code)
        differs = (theirs is None) != (typed is None) or (
            theirs is not None and Decimal(str(theirs)) != Decimal(str(typed))
        )
        rows.append((METRICS[code].label, theirs, typed, differs))
    return rows


def review_spec(request):
    return ListSpec(
        title=gettext_lazy("月报审核"),
        queryset=lambda r: scope_for(r.user, MonthlyReport.objects.select_related("village", "township")),
        filterset_class=ReportFilterSet,
        columns=(
            township_column(),
            Column(_("村（社区）"), lambda r: r.village.name, html=link("report-detail", lambda r: r.village.name)),
            Column(_("年月"), lambda r: f"{r.year}-{r.month:02d}", "period", ("year", "month")),
            Column(_("状态"), lambda r: r.get_status_display(), "status", ("status",)),
            Column(_("逾期"), lambda r: _("是") if r.is_late else ""),
            Column(_("与台账不符"), lambda r: len(r.mismatches) or ""),
        ),
        default_sort="township",
        export_name="report-export",
        filename="月报",
    )


report_list, report_export = list_views(review_spec)


@require_get_or_post
@login_required
def report_detail(request, pk):
    report = get_scoped_or_404(
        request.user, MonthlyReport.objects.select_related("village", "township", "reviewed_by"), pk=pk
    )
    county_admin = can_manage_registry(request.user)
    review_form = ReasonForm(request.POST if "return" in request.POST else None)
    review_form.fields["reason"].required = False
    correction_form = CorrectionForm(request.POST if "correct" in request.POST else None)
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
    values = [(METRICS[c].label, report.values.get(c, "—"), METRICS[c].unit) for c in REPORTED_CODES]
    mismatches = [(METRICS[m["metric"]].label, m["reported"], m["recorded"]) for m in report.mismatches]
    return render(
        request,
        "assessments/report_detail.html",
        {
            "report": report,
            "values": values,
            "mismatches": mismatches,
            "corrections": report.corrections.select_related("corrected_by"),
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
    year, month, township = _month_and_township(request)
    if not can_edit_in_township(request.user, township.pk) or request.user.role == "county_viewer":
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields.pop("township", None)
    return upload_page(
        request,
        form,
        lambda data: imports.reports_import(
            actor=request.user, township=township, year=year, month=month, upload=data["file"], request=request
        ),
        context={
            "title": _("%(t)s %(y)s年%(m)s月 月报导入") % {"t": township.name, "y": year, "m": month},
            "template_url": f"{reverse('report-template')}?year={year}&month={month}&township={township.pk}",
        },
    )
