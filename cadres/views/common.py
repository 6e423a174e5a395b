"""Helpers shared by the cadres pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.models import Township
from townships.scoping import can_edit_in_township, can_write_records
from townships.web import UploadForm, upload_page

from .. import imports


def require_writer(user, township_id=None):
    if not can_write_records(user) or (township_id is not None and not can_edit_in_township(user, township_id)):
        raise PermissionDenied(_("您没有修改这些记录的权限。"))


def _date(value):
    return value.isoformat() if value else ""


def _yes(value):
    return _("是") if value else _("否")


def _import_page(request, *, kind):
    require_writer(request.user)
    run = imports.roster_import if kind == "roster" else imports.meetings_import
    return upload_page(
        request,
        UploadForm(request.POST or None, request.FILES or None, user=request.user),
        lambda data: run(
            actor=request.user,
            township=(
                Township.objects.get(pk=request.user.township_id)
                if request.user.is_township_staff
                else data["township"]
            ),
            upload=data["file"],
            request=request,
        ),
        context={
            "kind": kind,
            "title": _("导入党员名册") if kind == "roster" else _("导入组织生活记录"),
            "template_url": reverse("member-template" if kind == "roster" else "meeting-template"),
        },
        success_url=reverse("member-list" if kind == "roster" else "meeting-list"),
    )


def year_param(request):
    """``?year=``: this year when absent; nonsense (or a year too far off) shows this year with a message."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        if not 2000 <= year <= today.year + 1:
            raise ValueError
    except ValueError:
        messages.error(request, _("年份不正确，已显示今年。"))
        year = today.year
    return year
