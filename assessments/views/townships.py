"""The townships' ranking (乡镇考核排名): a month, a quarter or the year, with the trend of the
year's monthly township scores; printable and in Excel. ``scope_for`` decides the rows: the county
reads every township, a township its own (with its rank among all)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cadres.views.common import year_param
from townships.scoping import scope_for
from townships.web import audited_xlsx_response

from ..choices import PeriodKind, Target
from ..models import Score
from ..selectors.townships import township_ranking, township_trend

KINDS = {"month": gettext_lazy("月度"), "quarter": gettext_lazy("季度"), "year": gettext_lazy("年度")}


def _params(request):
    """(kind, year, period) from ?kind=&year=&period=; the latest month with township scores by default.
    Nonsense shows the default with a message, never an error."""
    year = year_param(request)
    kind = request.GET.get("kind", "month")
    if kind not in KINDS:
        messages.error(request, _("期间类型不正确，已显示月度排名。"))
        kind = "month"
    latest = (
        scope_for(request.user, Score.objects.filter(target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, year=year))
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    ) or (timezone.localdate().month if year == timezone.localdate().year else 12)
    default = {"month": latest, "quarter": (latest - 1) // 3 + 1, "year": 1}[kind]
    limit = {"month": 12, "quarter": 4, "year": 1}[kind]
    raw = request.GET.get("period")
    try:
        period = int(raw) if raw else default
        if not 1 <= period <= limit:
            raise ValueError
    except ValueError:
        messages.error(request, _("期间不正确，已显示最近一期。"))
        period = default
    return kind, year, period


def _title(kind, year, period):
    if kind == "month":
        return _("%(y)s年%(p)s月乡镇考核排名") % {"y": year, "p": period}
    if kind == "quarter":
        return _("%(y)s年第%(p)s季度乡镇考核排名") % {"y": year, "p": period}
    return _("%(y)s年度乡镇考核排名") % {"y": year}


@require_safe
@login_required
def township_ranking_page(request):
    kind, year, period = _params(request)
    ranking = township_ranking(user=request.user, kind=kind, year=year, period=period)
    return render(
        request,
        "assessments/township_ranking.html",
        {
            "title": _title(kind, year, period),
            "kind": kind,
            "kinds": KINDS,
            "year": year,
            "period": period,
            "periods": range(1, {"month": 13, "quarter": 5, "year": 2}[kind]),
            "rows": ranking["rows"],
            "left_out": ranking["left_out"],
            "trend": township_trend(user=request.user, year=year),
        },
    )


@require_safe
@login_required
def township_ranking_export(request):
    kind, year, period = _params(request)
    ranking = township_ranking(user=request.user, kind=kind, year=year, period=period)
    headers = [_("名次"), _("乡镇"), _("党委书记"), _("得分"), _("较上期"), _("一票否决")]
    rows = [
        [
            r["rank"],
            r["township"],
            r.get("secretary", ""),
            float(r["total"]),
            float(r["change"]) if r["change"] is not None else "",
            r["veto_reason"] or (_("是") if r["veto"] else ""),
        ]
        for r in ranking["rows"]
    ]
    rows += [["", r["township"], "", "", "", _("未排名：%(w)s") % {"w": r["why"]}] for r in ranking["left_out"]]
    title = _title(kind, year, period)
    return audited_xlsx_response(
        request,
        f"{title}.xlsx",
        [(_("乡镇排名"), headers, rows)],
        detail={"rows": len(rows), "kind": kind, "year": year, "period": period},
        target_repr=title,
    )
