"""Quarterly bulletins (季度通报): the page and its Excel export."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from townships.scoping import scope_for

from ..choices import Grade, RunKind, Target
from ..models import Bulletin


@login_required
def bulletin_export(request, year, quarter):
    from townships.choices import AuditAction
    from townships.services import audit_record
    from townships.xlsx import xlsx_response

    bulletin = scope_for(request.user, Bulletin.objects.all()).filter(year=year, quarter=quarter).first()
    if bulletin is None:
        from django.http import Http404

        raise Http404
    own = request.user.township.name if request.user.is_township_staff else None
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
            if own is None or r["township"] == own
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
            if own is None or v["township"] == own
        ]
        rows += table
        sheets.append((section["label"][:28], headers, table + left))
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"bulletin": f"{year}-Q{quarter}", "rows": len(rows)},
        request=request,
        target_repr=_("季度通报"),
    )
    return xlsx_response(f"{year}年第{quarter}季度通报.xlsx", sheets or [(_("季度通报"), headers, [])])


@login_required
def bulletin_detail(request, year, quarter):
    bulletin = scope_for(request.user, Bulletin.objects.all()).filter(year=year, quarter=quarter).first()
    if bulletin is None:
        from django.http import Http404

        raise Http404
    own = request.user.township.name if request.user.is_township_staff else None
    sections = [
        {
            **section,
            "rows": [r for r in section["rows"] if own is None or r["township"] == own],
            "left_out": [v for v in section["left_out"] if own is None or v["township"] == own],
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
