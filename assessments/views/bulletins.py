"""Quarterly bulletins (季度通报): the list, the page (publishing it) and its Excel export.

A bulletin is a circular the county issues to all its townships (Bulletin's docstring): the
county reads it from the moment it is computed, a township once it is published, and then whole,
every township's villages, on the page, in print and in Excel alike. ``scope_for`` decides both.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.listing import Column, ListSpec, cell, list_views
from townships.scoping import can_manage_registry, scope_for
from townships.web import audited_xlsx_response, require_get_or_post, require_registry_manager

from .. import services
from ..choices import Grade, RunKind, Target
from ..filtersets import BulletinFilterSet
from ..models import Bulletin


def _bulletin_or_404(request, year, quarter):
    bulletin = scope_for(request.user, Bulletin.objects.all()).filter(year=year, quarter=quarter).first()
    if bulletin is None:
        raise Http404
    return bulletin


def _title(year, quarter):
    return _("%(y)s年第%(q)s季度通报") % {"y": year, "q": quarter}


def _computed(created_at):
    return timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")


def _state(published_at):
    if published_at is None:
        return _("未发布")
    return _("%(d)s 发布") % {"d": timezone.localtime(published_at).strftime("%Y-%m-%d")}


def bulletins_spec(request):
    return ListSpec(
        title=gettext_lazy("季度通报"),
        queryset=lambda r: scope_for(r.user, Bulletin.objects.all()),
        filterset_class=BulletinFilterSet,
        columns=(
            Column(
                _("通报"),
                lambda b: _title(b.year, b.quarter),
                "period",
                ("year", "quarter"),
                html=lambda b: format_html(
                    '<a href="{}">{}</a>',
                    reverse("bulletin-detail", args=[b.year, b.quarter]),
                    _title(b.year, b.quarter),
                ),
                export=cell("year", "quarter", value=_title),
            ),
            Column(
                _("计算时间"),
                lambda b: _computed(b.created_at),
                "computed",
                ("created_at",),
                export=cell("created_at", value=_computed),
            ),
            Column(
                _("状态"),
                lambda b: _state(b.published_at),
                "published",
                ("published_at",),
                export=cell("published_at", value=_state),
            ),
        ),
        default_sort="-period",
        export_name="bulletin-list-export",
        filename="季度通报",
    )


bulletin_list, bulletin_list_export = list_views(bulletins_spec)


@require_safe
@login_required
def bulletin_export(request, year, quarter):
    bulletin = _bulletin_or_404(request, year, quarter)
    sheets = []
    headers = [
        _("全县名次"),
        _("乡镇内名次"),
        _("乡镇"),
        _("村（社区）"),
        _("第一月"),
        _("第二月"),
        _("第三月"),
        _("季度平均分"),
        _("变化"),
        _("一票否决"),
    ]
    rows = []
    for section in bulletin.data.get("targets", []):
        table = [
            [
                r["rank_in_county"],
                r.get("rank_in_township", ""),
                r["township"],
                r["village"],
                *r["months"],
                r["average"],
                r["change"],
                r["veto_reason"],
            ]
            for r in section["rows"]
        ]
        left = [
            [
                "",
                "",
                v["township"],
                v["village"],
                "",
                "",
                "",
                _("未排名：%(m)s") % {"m": "、".join(v["missing"])},
                "",
                "",
            ]
            for v in section["left_out"]
        ]
        rows += table
        sheets.append((section["label"][:28], headers, table + left))
    return audited_xlsx_response(
        request,
        f"{year}年第{quarter}季度通报.xlsx",
        sheets or [(_("季度通报"), headers, [])],
        detail={"bulletin": f"{year}-Q{quarter}", "rows": len(rows)},
        target_repr=_("季度通报"),
    )


@require_get_or_post
@login_required
def bulletin_detail(request, year, quarter):
    bulletin = _bulletin_or_404(request, year, quarter)
    if request.method == "POST":
        require_registry_manager(request.user)
        try:
            services.bulletin_publish(actor=request.user, bulletin=bulletin, request=request)
            messages.success(request, _("已发布，各乡镇可以查看本季度通报。"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("bulletin-detail", year=year, quarter=quarter)
    return render(
        request,
        "assessments/bulletin.html",
        {
            "bulletin": bulletin,
            "sections": bulletin.data.get("targets", []),
            "months": bulletin.data.get("months", []),
            "can_publish": can_manage_registry(request.user) and bulletin.published_at is None,
            "Target": Target,
            "Grade": Grade,
            "RunKind": RunKind,
        },
    )
