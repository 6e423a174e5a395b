"""离任生活补贴 pages: the monthly roster for finance (filter, sort, page, export), the county's band
tables, and one person's allowance with its working, disqualifications and stops. Every view of an
amount and every export is audited."""

import datetime
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from townships.choices import AuditAction
from townships.listing import PAGE_SIZE
from townships.scoping import can_edit_in_township, can_manage_registry, get_scoped_or_404
from townships.services import audit_record
from townships.web import apply_form_errors, require_get_or_post, user_county
from townships.xlsx import xlsx_response

from .. import allowance as rule
from ..allowance_forms import SORTS, DisqualifyForm, RosterFilterForm, StopForm, TableCloseForm, TableForm
from ..models import AllowanceTable, Person
from ..selectors import allowance as selectors
from ..services import allowance as services


def _require_reader(user):
    if not selectors.can_see_allowance(user):
        raise PermissionDenied(_("您没有查看离任村干部生活补贴的权限。"))


def _month(request, value):
    """``YYYY-MM``: this month when absent; nonsense shows this month with a message."""
    today = timezone.localdate()
    if not value:
        return (today.year, today.month)
    try:
        year, month = (int(part) for part in value.split("-"))
        datetime.date(year, month, 1)
        if not 2000 <= year <= today.year + 1:
            raise ValueError
    except ValueError:
        messages.error(request, _("月份不正确，已显示本月。"))
        return (today.year, today.month)
    return (year, month)


SEEN_KEY = "allowance_roster_seen_at"


def _seen_at(value):
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _month_value(month):
    return f"{month[0]:04d}-{month[1]:02d}"


def _sort_key(name):
    return {
        "township": lambda r: (r.person.township.sort_key, r.person.township.name, r.person.name),
        "name": lambda r: (r.person.name, r.person.pk),
        "years": lambda r: (r.result.service, r.person.name),
        "amount": lambda r: (r.result.amount, r.person.name),
        "first_month": lambda r: (r.result.first_month, r.person.name),
    }[name]


def _roster_state(request):
    """(form, month, sort, the filtered and sorted rows)."""
    form = RosterFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    month = _month(request, data.get("month") or "")
    rows = selectors.roster(user=request.user, month=month)
    if data.get("township"):
        rows = [r for r in rows if r.person.township_id == data["township"].pk]
    if data.get("q"):
        rows = [r for r in rows if data["q"] in r.person.name]
    if data.get("last_class"):
        rows = [r for r in rows if r.result.last_class == data["last_class"]]
    sort = request.GET.get("sort", "township")
    if sort.lstrip("-") not in SORTS or (sort.lstrip("-") == "amount" and not selectors.can_see_amounts(request.user)):
        sort = "township"
    rows.sort(key=_sort_key(sort.lstrip("-")), reverse=sort.startswith("-"))
    return form, month, sort, rows


@require_safe
@login_required
def allowance_roster(request):
    """The month's recipients of the user's scope with a total; what changed since the last visit."""
    _require_reader(request.user)
    form, month, sort, rows = _roster_state(request)
    amounts = selectors.can_see_amounts(request.user)
    paginator = Paginator(rows, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    # When this sign-in last opened the roster is kept in the session, not a table: a page read
    # writes no record.
    seen = _seen_at(request.session.get(SEEN_KEY))
    changes = selectors.changes_since(user=request.user, since=seen)
    request.session[SEEN_KEY] = timezone.now().isoformat()
    stops, barred = selectors.history(user=request.user)
    if amounts:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_AMOUNT,
            detail={"allowance_roster": _month_value(month), "rows": len(rows)},
            request=request,
            target_repr=_("离任村干部生活补贴发放名册"),
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cadres/allowance_roster.html",
        {
            "filterset": SimpleNamespace(form=form),
            "month": month,
            "month_label": rule.month_label(month),
            "page": page,
            "sort": sort,
            "querystring": params.urlencode(),
            "export_url": reverse("allowance-export"),
            "amounts": amounts,
            "total": selectors.total_of(rows) if amounts else None,
            "count": len(rows),
            "changes": changes,
            "changes_since": seen,
            "stops": stops,
            "barred": barred,
            "manage": can_manage_registry(request.user),
            "class_labels": rule.CLASS_LABELS,
        },
    )


@require_safe
@login_required
def allowance_export(request):
    """The roster as finance receives it: one row per person and a 合计 row (amounts only for those
    who may see them), audited."""
    _require_reader(request.user)
    _form, month, _sort, rows = _roster_state(request)
    amounts = selectors.can_see_amounts(request.user)
    headers = ["序号", "乡镇", "村（社区）", "姓名", "离任职务", "职务类别", "任职年限", "档次", "起发月份"]
    if amounts:
        headers.append("月补贴（元）")
    body = []
    for number, row in enumerate(rows, start=1):
        result = row.result
        line = [
            number,
            row.person.township.name,
            row.villages,
            row.person.name,
            row.last_post_label,
            str(rule.CLASS_LABELS[result.last_class]),
            str(result.service),
            result.band_label,
            rule.month_label(result.first_month) if result.first_month else "",
        ]
        if amounts:
            line.append(result.amount)
        body.append(line)
    if amounts:
        body.append(["合计", "", "", f"{len(rows)} 人", "", "", "", "", "", selectors.total_of(rows)])
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"list": "allowance-roster", "month": _month_value(month), "rows": len(rows), "amounts": amounts},
        request=request,
        target_repr=_("离任村干部生活补贴发放名册"),
    )
    title = f"离任村干部生活补贴{rule.month_label(month)}"
    return xlsx_response(f"{title}.xlsx", [(title, headers, body)])


@require_get_or_post
@login_required
def allowance_tables(request):
    """The county's band tables; the county administrator adds one (from a date) or ends one."""
    _require_reader(request.user)
    manage = can_manage_registry(request.user)
    form = TableForm(request.POST if "create" in request.POST else None)
    close = TableCloseForm(request.POST if "close" in request.POST else None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("只有县委组织部管理员可以设定生活补贴标准。"))
        county = user_county(request)
        if "close" in request.POST:
            if close.is_valid():
                table = get_scoped_or_404(request.user, AllowanceTable.objects.all(), pk=close.cleaned_data["table"])
                try:
                    services.allowance_table_close(
                        actor=request.user,
                        table=table,
                        effective_to=close.cleaned_data["effective_to"],
                        request=request,
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, _("已设定截止日期。"))
            else:
                messages.error(request, _("请填写截止日期。"))
            return redirect("allowance-tables")
        if form.is_valid():
            data = form.cleaned_data
            try:
                bands = services.parse_bands(data["bands"])
                services.allowance_table_save(
                    actor=request.user,
                    county=county,
                    name=data["name"],
                    effective_from=data["effective_from"],
                    effective_to=data["effective_to"],
                    bands=bands,
                    request=request,
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, _("生活补贴标准已保存。"))
                return redirect("allowance-tables")
    tables = selectors.tables_for(request.user.county_id) if request.user.county_id else []
    amounts = selectors.can_see_amounts(request.user)
    return render(
        request,
        "cadres/allowance_tables.html",
        {"tables": tables, "form": form, "manage": manage, "amounts": amounts},
    )


@require_get_or_post
@login_required
def allowance_person(request, pk):
    """One person's allowance for a month: eligibility, the reasons, the working, the band and the
    amount; their disqualifications and stops, and — for their township's writers — forms to record
    them."""
    _require_reader(request.user)
    person = get_scoped_or_404(request.user, Person.objects.select_related("township"), pk=pk)
    may_write = can_edit_in_township(request.user, person.township_id)
    disqualify = DisqualifyForm(request.POST if "disqualify" in request.POST else None)
    stop = StopForm(request.POST if "stop" in request.POST else None)
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(_("您没有修改这些记录的权限。"))
        form, action = (disqualify, "disqualify") if "disqualify" in request.POST else (stop, "stop")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "disqualify":
                    services.allowance_disqualify(actor=request.user, person=person, request=request, **data)
                    messages.success(request, _("已记录。"))
                else:
                    services.allowance_stop(actor=request.user, person=person, request=request, **data)
                    messages.success(request, _("已停发，自次月起不再列入发放名册。"))
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                return redirect("allowance-person", pk=person.pk)
    month = _month(request, request.GET.get("month", ""))
    row = selectors.person_allowance(person=person, month=month)
    amounts = selectors.can_see_amounts(request.user)
    if row is not None and amounts and row.result.band is not None:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_AMOUNT,
            target=person,
            detail={"allowance": _month_value(month)},
            request=request,
        )
    return render(
        request,
        "cadres/allowance_person.html",
        {
            "person": person,
            "row": row,
            "month": month,
            "month_label": rule.month_label(month),
            "month_value": _month_value(month),
            "amounts": amounts,
            "may_write": may_write,
            "disqualify": disqualify,
            "stop": stop,
            "class_labels": rule.CLASS_LABELS,
        },
    )


def person_allowance_section(request, person):
    """The person page's allowance status (cadres.person_page): this month's result, for those who
    may read the roster; an amount shown is audited."""
    if not selectors.can_see_allowance(request.user):
        return None
    today = timezone.localdate()
    month = (today.year, today.month)
    row = selectors.person_allowance(person=person, month=month)
    if row is None:
        return None
    amounts = selectors.can_see_amounts(request.user)
    if amounts and row.result.eligible:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_AMOUNT,
            target=person,
            detail={"allowance": _month_value(month)},
            request=request,
        )
    return {
        "template": "cadres/inc_person_allowance.html",
        "row": row,
        "month": rule.month_label(month),
        "amounts": amounts,
    }
