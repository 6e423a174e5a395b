"""Web plumbing every app's pages share: the month parameter, the small service-backed form page,
the upload form and the import page, workbook downloads (audited when they carry data), the
registry-manager guard.

Public names only: the apps above import these, never each other's private helpers.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .choices import AuditAction
from .forms import bootstrapify
from .models import Township
from .scoping import can_manage_registry, scope_for
from .services import audit_record
from .xlsx import xlsx_response

# Every page states the methods it answers; anything else is a 405. A page that shows
# something is ``django.views.decorators.http.require_safe`` (GET and HEAD); a page
# with a form is this; an action button's target is ``require_POST``.
require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])

FORM_TEMPLATE = "inc/form_page.html"
# Every workbook import page (roster, meetings, reports, schemes) shares the one the roster import began with.
UPLOAD_TEMPLATE = "cadres/import.html"


def month_param(request):
    """?year=&month= with last month as the default; nonsense falls back with a message."""
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    try:
        year, month = int(request.GET.get("year", last.year)), int(request.GET.get("month", last.month))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        messages.error(request, _("年月不正确，已显示上月。"))
        return last.year, last.month
    return year, month


def int_param(raw):
    """A posted id as a database-safe positive integer, or 0 (which matches nothing)."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**31 else 0


def user_county(request):
    """The signed-in user's county; a user without one may not use county pages."""
    if request.user.county_id is None:
        raise PermissionDenied(_("您的账户没有所属县。"))
    return request.user.county


def require_registry_manager(user):
    if not can_manage_registry(user):
        raise PermissionDenied(_("只有县委组织部管理员可以执行此操作。"))


def apply_form_errors(form, error):
    """Attach a service's ValidationError to the form so the page shows it in place."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def service_form(request, form, *, save, success_url, title=None, template=FORM_TEMPLATE, context=None, message=None):
    """The shape of every small record form: validate, call the service, show its refusal in place.

    ``success_url`` and ``message`` (flashed on success) may be functions of what the service returned.
    A page with its own template passes its variables as ``context``, with or without a ``title``.
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            if message is not None:
                messages.success(request, message(result) if callable(message) else message)
            return redirect(success_url(result) if callable(success_url) else success_url)
    title_context = {} if title is None else {"title": title}
    return render(request, template, {"form": form, **title_context, **(context or {})})


def upload_page(request, form, run, *, context, success_url=None):
    """The shape of every import page: run the import on a valid upload and flash a clean result (then
    leave for ``success_url`` when given); a refused workbook shows its problems beside the form."""
    result = None
    if request.method == "POST" and form.is_valid():
        result = run(form.cleaned_data)
        if result.ok:
            messages.success(request, result.message)
            if success_url is not None:
                return redirect(success_url)
    return render(request, UPLOAD_TEMPLATE, {"form": form, "result": result, "back_url": success_url, **context})


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class UploadForm(BootstrapForm):
    """An Excel upload; county users also choose the township it is for."""

    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_township_staff:
            self.fields["township"] = forms.ModelChoiceField(
                label=gettext_lazy("导入到乡镇"), queryset=scope_for(user, Township.objects.filter(is_active=True))
            )
            bootstrapify(self)


def audited_xlsx_response(request, filename, sheets, *, detail, target=None, target_repr=""):
    """Every export of records: the audit record first, then the workbook."""
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        target=target,
        detail=detail,
        request=request,
        target_repr=target_repr,
    )
    return xlsx_response(filename, sheets)
