"""Runs and scores: starting and closing, the ranking, the explained scorecard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.listing import Column, ListSpec, cell, link, list_views, township_column
from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import (
    audited_xlsx_response,
    int_param,
    require_get_or_post,
    require_registry_manager,
    service_form,
    user_county,
)

from .. import services
from ..choices import Category, PeriodKind, RunKind, Target
from ..filtersets import ScoreFilterSet
from ..forms import OverrideForm, RunForm
from ..metrics import METRICS
from ..models import AnnualRating, MonthlyReport, Score, ScoringRun
from ..selectors import runs_in_scope
from ..selectors.surveys import metric_sources


@require_get_or_post
@login_required
def run_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in RunKind.values else ""
    year = int_param(request.GET.get("year"))
    listed = scope_for(request.user, ScoringRun.objects.select_related("requested_by"))
    if kind:
        listed = listed.filter(kind=kind)
    if year:
        listed = listed.filter(year=year)
    runs = runs_in_scope(user=request.user, runs=listed.order_by("-created_at")[:50])
    form = RunForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        require_registry_manager(request.user)
        if "close" in request.POST:
            try:
                services.period_close(
                    actor=request.user,
                    county=user_county(request),
                    year=int(request.POST["year"]),
                    month=int(request.POST["period"]),
                    request=request,
                )
                messages.success(request, _("已关账。"))
            except (ValidationError, ValueError, KeyError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [_("年月不正确。")])))
            return redirect("run-list")
    return service_form(
        request,
        form,
        save=lambda data: services.scoring_run_start(
            actor=request.user, county_id=user_county(request).pk, request=request, **data
        ),
        message=_("已提交评分任务，完成后自动更新。"),
        success_url=reverse("run-list"),
        template="assessments/run_list.html",
        context={
            "runs": runs,
            "can_run": can_manage_registry(request.user),
            "kinds": RunKind.choices,
            "kind": kind,
            "year": year or "",
        },
    )


def _score_state(manual_pending):
    return _("暂定（%(n)s 项人工评分待录入）") % {"n": manual_pending} if manual_pending else _("已定")


def ranking_spec(request):
    return ListSpec(
        title=gettext_lazy("得分排名"),
        queryset=lambda r: scope_for(
            r.user, Score.objects.with_clean().select_related("village", "township", "person", "scheme")
        ),
        filterset_class=ScoreFilterSet,
        columns=(
            Column(_("全县名次"), lambda s: s.rank_in_county, "rank", ("rank_in_county",), numeric=True),
            Column(_("乡镇内名次"), lambda s: s.rank_in_township, numeric=True),
            township_column(),
            Column(
                _("村（社区）"),
                lambda s: s.village.name if s.village_id else _("（乡镇）"),
                html=link("score-detail", lambda s: s.village.name if s.village_id else _("（乡镇）")),
            ),
            Column(_("书记"), lambda s: s.person.name if s.person else ""),
            Column(_("考核对象"), lambda s: s.get_target_display()),
            Column(_("期间"), lambda s: f"{s.year}-{s.period:02d}", "period", ("year", "period")),
            # Sorting by total keeps every vetoed score below every clean one (DOMAIN §6).
            Column(_("总分"), lambda s: float(s.total), "total", ("clean", "total"), numeric=True),
            Column(_("状态"), lambda s: _score_state(s.manual_pending)),
            Column(_("一票否决"), lambda s: s.veto_reason or (_("是") if s.veto else "")),
            Column(_("方案版本"), lambda s: _("第 %(v)s 版") % {"v": s.scheme.version}),
        ),
        default_sort="rank",
        export_name="score-export",
        filename="得分排名",
        # The export (a county's year can be tens of thousands of rows) reads plain values; the
        # translated texts are made once per distinct value.
        export_columns=(
            (_("全县名次"), cell("rank_in_county")),
            (_("乡镇内名次"), cell("rank_in_township")),
            (_("乡镇"), cell("township__name")),
            (_("村（社区）"), cell("village__name", value=lambda name: name or _("（乡镇）"))),
            (_("书记"), cell("person__name", value=lambda name: name or "")),
            (_("考核对象"), cell("target", value=lambda t: str(Target(t).label), per_value=True)),
            (_("期间"), cell("year", "period", value=lambda year, period: f"{year}-{period:02d}", per_value=True)),
            (_("总分"), cell("total", value=float)),
            (_("状态"), cell("manual_pending", value=_score_state, per_value=True)),
            (
                _("一票否决"),
                cell(
                    "veto",
                    "veto_reason",
                    value=lambda veto, reason: reason or (_("是") if veto else ""),
                    per_value=True,
                ),
            ),
            (_("方案版本"), cell("scheme__version", value=lambda v: _("第 %(v)s 版") % {"v": v}, per_value=True)),
        ),
        links=lambda r: [(_("年度评定"), reverse("rating-list")), (_("调整退出预警"), reverse("removal-list"))],
    )


score_list, score_export = list_views(ranking_spec)


@require_get_or_post
@login_required
def score_detail(request, pk):
    score = get_scoped_or_404(
        request.user, Score.objects.select_related("village", "township", "person", "scheme", "run"), pk=pk
    )
    items = list(
        score.items.select_related("indicator", "overridden_by").order_by("indicator__position", "indicator__code")
    )
    # The month's report the score read: its village's, or for a township's score the township's own.
    report = (
        MonthlyReport.objects.filter(
            village_id=score.village_id, township_id=score.township_id, year=score.year, month=score.period
        ).first()
        if score.period_kind == PeriodKind.MONTH
        else None
    )
    override_form = OverrideForm(request.POST or None)
    if request.method == "POST":
        require_registry_manager(request.user)
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        if item is None or not override_form.is_valid():
            messages.error(request, _("请填写调整后得分和理由。"))
        else:
            try:
                services.score_override(actor=request.user, item=item, request=request, **override_form.cleaned_data)
                messages.success(request, _("已调整并记入审计日志。"))
                return redirect("score-detail", pk=score.pk)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
    # The secretary's own latest rating (ratings are per person); a village's own scorecard shows its secretary's.
    ratings = AnnualRating.objects.filter(person=score.person) if score.person_id else AnnualRating.objects.none()
    rating = ratings.order_by("-year").first() or (
        AnnualRating.objects.filter(village=score.village).order_by("-year").first() if score.village_id else None
    )
    # Where a derived value came from, for the items that read one (the survey behind a satisfaction rate).
    sources = metric_sources(score=score, codes={i.indicator.metric for i in items})
    for item in items:
        item.source = sources.get(item.indicator.metric)
        metric = METRICS.get(item.indicator.metric)
        item.metric_label = f"{metric.label}（{metric.origin or _('月报')}）" if metric else ""
    trend = list(
        Score.objects.filter(**score.unit_lookup, target=score.target, period_kind=score.period_kind, year=score.year)
        .order_by("period")
        .values_list("period", "total")
    )
    return render(
        request,
        "assessments/score_detail.html",
        {
            "categories": [(Category(k).label if k in Category.values else k, v) for k, v in score.by_category.items()],
            "rating": rating,
            "score": score,
            "items": items,
            "report": report,
            "trend": trend,
            "override_form": override_form,
            "can_override": can_manage_registry(request.user),
            "metrics": METRICS,
        },
    )


@require_safe
@login_required
def score_export_one(request, pk):
    score = get_scoped_or_404(request.user, Score.objects.select_related("village", "township"), pk=pk)
    items = score.items.select_related("indicator").order_by("indicator__position")
    rows = [
        [
            i.indicator.code,
            i.indicator.name,
            str(i.metric_value),
            float(i.indicator.max_points),
            float(i.effective_points),
            i.explanation,
            i.override_reason,
        ]
        for i in items
    ]
    rows.append(["", _("总分"), "", "", float(score.total), "", ""])
    headers = [_("编号"), _("指标"), _("取值"), _("满分"), _("得分"), _("计分说明"), _("调整理由")]
    return audited_xlsx_response(
        request,
        f"{score.unit_name}-{score.year}年{score.period}月记分卡.xlsx",
        [(_("记分卡"), headers, rows)],
        detail={"rows": len(rows)},
        target=score,
    )
