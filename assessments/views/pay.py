"""村干部报酬 pages: the standards, the periods, each period's 测算表 with its working, approval and
reopening, deductions, and the finance bureau's workbook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from townships.choices import AuditAction
from townships.listing import Column, ListSpec, audited_filters, cell, display, link, list_views, township_column
from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.services import audit_record
from townships.web import apply_form_errors, require_get_or_post, user_county
from townships.xlsx import workbook_response

from ..choices import Grade
from ..filtersets import PayLineFilterSet
from ..models import PayLine, PayPeriod, PayStandard
from ..pay_forms import PayApproveForm, PayComputeForm, PayDeductionForm, PayReopenForm, PayStandardForm
from ..selectors.pay import FINANCE_HEADERS, can_see_pay, finance_rows, period_totals
from ..services import pay as pay_services


def _require_pay_reader(user):
    if not can_see_pay(user):
        raise PermissionDenied(_("您没有查看村干部报酬金额的权限。"))


def _period(user, year, half):
    """The user's county's period (404 for another county's, or none)."""
    if half not in (0, 1, 2) or user.county_id is None:
        raise Http404
    return get_scoped_or_404(
        user, PayPeriod.objects.select_related("approved_by", "county"), county_id=user.county_id, year=year, half=half
    )


@require_safe
@login_required
def pay_home(request):
    """The county's standards and periods; the county administrator computes a period from here."""
    periods = list(scope_for(request.user, PayPeriod.objects.select_related("approved_by")).order_by("-year", "-half"))
    standards = list(scope_for(request.user, PayStandard.objects.all()).order_by("-effective_from"))
    today = timezone.localdate()
    form = PayComputeForm(initial={"year": today.year, "half": 1 if today.month <= 6 else 2})
    return render(
        request,
        "assessments/pay_home.html",
        {
            "periods": periods,
            "standards": standards,
            "form": form,
            "can_manage": can_manage_registry(request.user),
            "can_see": can_see_pay(request.user),
        },
    )


@require_POST
@login_required
def pay_compute(request):
    if not can_manage_registry(request.user):
        raise PermissionDenied(_("只有县委组织部管理员可以测算村干部报酬。"))
    form = PayComputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要测算的年度和期间。"))
        return redirect("pay-home")
    try:
        period = pay_services.pay_period_compute(
            actor=request.user, county=user_county(request), request=request, **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, _("未测算：") + " ".join(error.messages))
        return redirect("pay-home")
    messages.success(request, _("已测算%(p)s的村干部报酬，请核对后审定。") % {"p": period.label})
    return redirect("pay-period", year=period.year, half=period.half)


@require_get_or_post
@login_required
def pay_standard_edit(request, pk=None):
    """A pay standard, new or changed (a standard a settled period read only gets an end date)."""
    if not can_manage_registry(request.user):
        raise PermissionDenied(_("只有县委组织部管理员可以设定报酬标准。"))
    standard = get_scoped_or_404(request.user, PayStandard.objects.all(), pk=pk) if pk else None
    initial = PayStandardForm.initial_from(standard) if standard else _standard_defaults()
    form = PayStandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pay_services.pay_standard_save(
                actor=request.user,
                county=user_county(request),
                values=form.values(),
                standard=standard,
                request=request,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("报酬标准已保存。"))
            return redirect("pay-home")
    return render(request, "assessments/pay_standard_form.html", {"form": form, "standard": standard})


def _standard_defaults():
    """A new standard starts from the seed's figures and the issue's coefficients."""
    model = PayStandard()
    initial = PayStandardForm.initial_from(model)
    initial.pop("effective_from")
    initial["name"] = ""
    return initial


@require_get_or_post
@login_required
def pay_period(request, year, half):
    """A period: its state, its totals by township, and — for the county administrator — compute
    again, deductions, approval (opinion and confirmation) and reopening (reason and confirmation)."""
    _require_pay_reader(request.user)
    period = _period(request.user, year, half)
    manage = can_manage_registry(request.user)
    lines = list(
        PayLine.objects.filter(period=period).select_related("person", "township").order_by("township__sort_key")
    )
    forms_ = {
        "approve": PayApproveForm(request.POST if "approve" in request.POST else None),
        "reopen": PayReopenForm(request.POST if "reopen" in request.POST else None),
        "deduct": PayDeductionForm(request.POST if "deduct" in request.POST else None, lines=lines if manage else ()),
    }
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("只有县委组织部管理员可以办理村干部报酬。"))
        response = _period_action(request, period, forms_, lines)
        if response is not None:
            return response
    rows, total = period_totals(user=request.user, period=period)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW_AMOUNT,
        target=period,
        detail={"pay_viewed": period.label, "rows": len(rows)},
        request=request,
    )
    return render(
        request,
        "assessments/pay_period.html",
        {
            "period": period,
            "rows": rows,
            "total": total,
            "manage": manage,
            "changes": [c for c in period.changed_since.splitlines() if c],
            **forms_,
        },
    )


def _recompute(request, period, data, lines):
    pay_services.pay_period_compute(
        actor=request.user, county=period.county, year=period.year, half=period.half, request=request
    )
    return _("已重新测算。")


def _approve(request, period, data, lines):
    pay_services.pay_period_approve(actor=request.user, period=period, opinion=data["opinion"], request=request)
    return _("%(p)s的村干部报酬已审定。") % {"p": period.label}


def _reopen(request, period, data, lines):
    pay_services.pay_period_reopen(actor=request.user, period=period, reason=data["reason"], request=request)
    return _("已重新打开%(p)s，请重新测算并审定。") % {"p": period.label}


def _deduct(request, period, data, lines):
    line = next((x for x in lines if str(x.pk) == data["line"]), None)
    if line is None:
        raise ValidationError({"line": _("请选择人员。")})
    pay_services.pay_deduction_add(
        actor=request.user, period=period, person=line.person, township=line.township, amount=data["amount"],
        reason=data["reason"], request=request,
    )  # fmt: skip
    return _("已记录扣减并重新测算。")


# The period page's actions, by the name of the button posted; each but recompute has its form.
PERIOD_ACTIONS = {"recompute": _recompute, "approve": _approve, "reopen": _reopen, "deduct": _deduct}


def _period_action(request, period, forms_, lines):
    """Run the POSTed action; a redirect when it is done, None to show the page with its errors."""
    back = redirect("pay-period", year=period.year, half=period.half)
    name = next((n for n in PERIOD_ACTIONS if n in request.POST), None)
    if name is None:
        messages.error(request, _("请选择要办理的事项。"))
        return back
    form = forms_.get(name)
    if form is not None and not form.is_valid():
        return None
    try:
        done = PERIOD_ACTIONS[name](request, period, form.cleaned_data if form is not None else {}, lines)
    except ValidationError as error:
        if form is not None:
            apply_form_errors(form, error)
            return None
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(request, done)
    return back


def _money(value):
    return f"{value:,.2f}"


def lines_spec(request):
    return ListSpec(
        title=gettext_lazy("村干部报酬测算表"),
        queryset=lambda r: scope_for(
            r.user, PayLine.objects.select_related("person", "township", "period").filter(period__isnull=False)
        ),
        filterset_class=PayLineFilterSet,
        columns=(
            Column(
                _("期间"),
                lambda x: x.period.label,
                "period",
                ("-period__year", "-period__half"),
                export=cell(
                    "period__year", "period__half", value=lambda y, h: PayPeriod(year=y, half=h).label, per_value=True
                ),
            ),
            township_column("person__name"),
            Column(_("任职村"), lambda x: "、".join(x.villages), export=cell("villages", value=_names)),
            Column(
                _("姓名"),
                lambda x: x.person.name,
                "person",
                ("person__name",),
                html=link("pay-line", lambda x: x.person.name),
                export=cell("person__name"),
            ),
            Column(_("职务"), lambda x: "、".join(x.posts), export=cell("posts", value=_names)),
            Column(_("天数"), lambda x: x.days, "days", ("days",), numeric=True, export=cell("days")),
            Column(_("基础报酬"), lambda x: _money(x.base), "base", ("base",), numeric=True, export=cell("base")),
            Column(_("系数"), lambda x: x.coefficient, numeric=True, export=cell("coefficient")),
            Column(_("绩效报酬"), lambda x: _money(x.performance), numeric=True, export=cell("performance")),
            Column(_("扣减"), lambda x: _money(x.deductions), numeric=True, export=cell("deductions")),
            Column(_("应发合计"), lambda x: _money(x.total), "total", ("total",), numeric=True, export=cell("total")),
            Column(_("适用等次"), lambda x: x.get_grade_display(), export=display("grade", PayLine)),
        ),
        default_sort="township",
        export_name="pay-line-export",
        filename="村干部报酬测算",
        links=lambda r: [(_("报酬标准与测算期"), reverse("pay-home"))],
    )


def _names(values):
    return "、".join(values or [])


_line_list, _line_export = list_views(lines_spec)


@require_safe
@login_required
def pay_line_list(request):
    _require_pay_reader(request.user)
    response = _line_list(request)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW_AMOUNT,
        detail={"list": "pay-lines", "filters": audited_filters(request.GET, PayLineFilterSet)},
        request=request,
    )
    return response


@require_safe
@login_required
def pay_line_export(request):
    _require_pay_reader(request.user)
    return _line_export(request)


@require_safe
@login_required
def pay_line(request, pk):
    """One person's pay for a period with every step of its working."""
    _require_pay_reader(request.user)
    line = get_scoped_or_404(request.user, PayLine.objects.select_related("person", "township", "period"), pk=pk)
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW_AMOUNT,
        target=line,
        detail={"pay_line": line.period.label},
        request=request,
    )
    return render(request, "assessments/pay_line.html", {"line": line, "grades": dict(Grade.choices)})


@require_safe
@login_required
def pay_finance_export(request, year, half):
    """The 测算表 in the layout a finance bureau expects: a title, one row per person by township and
    village, 小计 per township and 合计; marked final only once the period is approved."""
    _require_pay_reader(request.user)
    period = _period(request.user, year, half)
    rows, people = finance_rows(user=request.user, period=period)
    county = period.county.name
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = period.label
    title = f"{county}{period.label}村干部报酬测算表"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(FINANCE_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    if period.is_approved:
        status = f"已审定：{period.approved_by.display_name if period.approved_by else ''} {timezone.localtime(period.approved_at):%Y-%m-%d}"
    else:
        status = "未审定（仅供核对，不作为发放依据）"
    sheet.append([f"单位：元　　{status}"])
    sheet.append(list(FINANCE_HEADERS))
    for cell_ in sheet[3]:
        cell_.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell_ in sheet[sheet.max_row]:
            if isinstance(cell_.value, str):
                cell_.data_type = "s"  # a name such as "=1+1" stays text, never a formula
            if row[0] in ("小计", "合计"):
                cell_.font = Font(bold=True)
    sheet.append([])
    sheet.append(["制表：县委组织部", "", "", "审核：", "", "", "", "财政局：", "", "", "日期："])
    for column, width in zip("ABCDEFGHIJKLM", (6, 10, 16, 10, 24, 9, 13, 13, 9, 13, 10, 13, 16), strict=True):
        sheet.column_dimensions[column].width = width
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        target=period,
        detail={"pay_finance": period.label, "people": people, "approved": period.is_approved},
        request=request,
    )
    return workbook_response(workbook, f"{title}.xlsx")
