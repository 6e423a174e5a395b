"""Quarterly bulletins (季度通报): the page and its Excel export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from townships.models import Township
from townships.scoping import scope_for
from townships.web import audited_xlsx_response

from ..choices import Grade, RunKind, Target
from ..models import Bulletin


def _bulletin_or_404(request, year, quarter):
    bulletin = scope_for(request.user, Bulletin.objects.all()).filter(year=year, quarter=quarter).first()
    if bulletin is None:
        raise Http404
    return bulletin


def _visible_townships(request):
    """The rows a user may read: those of the townships ``scope_for`` gives them (by id)."""
    return set(scope_for(request.user, Township.objects.all()).values_list("pk", flat=True))


@require_safe
@login_required
def bulletin_export(request, year, quarter):
    bulletin = _bulletin_or_404(request, year, quarter)
    visible = _visible_townships(request)
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
                r["rank_in_township"],
                r["township"],
                r["village"],
                *r["months"],
                r["average"],
                r["change"],
                r["veto_reason"],
            ]
            for r in section["rows"]
            if r.get("township_id") in visible
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
            if v.get("township_id") in visible
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


@require_safe
@login_required
def bulletin_detail(request, year, quarter):
    bulletin = _bulletin_or_404(request, year, quarter)
    visible = _visible_townships(request)
    sections = [
        {
            **section,
            "rows": [r for r in section["rows"] if r.get("township_id") in visible],
            "left_out": [v for v in section["left_out"] if v.get("township_id") in visible],
        }
        for section in bulletin.data.get("targets", [])
    ]
    return render(
        request,
        "assessments/bulletin.html",
        {
            "bulletin": bulletin,
            "sections": sections,
            "months": bulletin.data.get("months", []),
            "Target": Target,
            "Grade": Grade,
            "RunKind": RunKind,
        },
    )
