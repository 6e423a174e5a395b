import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cadres.views import _template_response
from townships.listing import Column, ListSpec, link, list_views, render_list
from townships.models import Township
from townships.scoping import can_edit_in_township, can_manage_registry, get_scoped_or_404, scope_for
from townships.views import apply_form_errors, require_registry_manager
from villages.models import Village

from . import imports, services
from .choices import Category, Grade, RemovalDecision, RemovalState, ReportStatus, RunKind, Target
from .filtersets import AnnualRatingFilterSet, ReportFilterSet, ScoreFilterSet
from .forms import CorrectionForm, IndicatorForm, OverrideForm, ReasonForm, ReportForm, RunForm
from .metrics import METRICS, REPORTED_CODES
from .models import AnnualRating, Bulletin, Indicator, MonthlyReport, RemovalFlag, Scheme, Score, ScoringRun


def _month_param(request):
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


def _county(request):
    if request.user.county_id is None:
        raise PermissionDenied(_("您的账户没有所属县。"))
    return request.user.county


# --- Schemes ----------------------------------------------------------------


@login_required
def scheme_list(request):
    schemes = scope_for(request.user, Scheme.objects.all()).annotate(
        n=Count("indicators", filter=~Q(indicators__method=""))
    )
    return render(
        request,
        "assessments/scheme_list.html",
        {"schemes": schemes.order_by("-year", "target", "-version"), "can_edit": can_manage_registry(request.user)},
    )


@login_required
def scheme_detail(request, pk):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    indicators = list(scheme.indicators.order_by("position", "code"))
    roots = [i for i in indicators if i.parent_id is None]
    children = {}
    for i in indicators:
        if i.parent_id:
            children.setdefault(i.parent_id, []).append(i)
    tree = [(root, children.get(root.pk, [])) for root in roots]
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "tree": tree,
            "problems": services.scheme_problems(scheme, indicators),
            "can_edit": can_manage_registry(request.user),
            "metrics": METRICS,
        },
    )


@require_POST
@login_required
def scheme_action(request, pk, action):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    try:
        if action == "activate":
            services.scheme_activate(actor=request.user, scheme=scheme, request=request)
            messages.success(request, _("方案已启用，下次评分起生效。"))
        elif action == "copy":
            copy = services.scheme_copy(actor=request.user, scheme=scheme, year=scheme.year + 1, request=request)
            messages.success(request, _("已复制为 %(y)s 年度方案草稿。") % {"y": copy.year})
            return redirect("scheme-detail", pk=copy.pk)
        elif action == "version":
            copy = services.scheme_copy(actor=request.user, scheme=scheme, request=request)
            messages.success(request, _("已生成第 %(v)s 版草稿。") % {"v": copy.version})
            return redirect("scheme-detail", pk=copy.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("scheme-detail", pk=scheme.pk)


@login_required
def indicator_edit(request, pk, indicator_pk=None):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    indicator = Indicator.objects.filter(scheme=scheme, pk=indicator_pk).first() if indicator_pk else None
    if indicator_pk and indicator is None:
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, instance=indicator, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in IndicatorForm.Meta.fields}
        data["params"] = data["params"] or {}
        try:
            services.indicator_save(
                actor=request.user,
                scheme=scheme,
                indicator=Indicator.objects.get(pk=indicator.pk) if indicator else None,
                request=request,
                **data,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("指标已保存；对下一次评分生效。"))
            return redirect("scheme-detail", pk=scheme.pk)
    return render(request, "cadres/form.html", {"form": form, "title": _("编辑指标") if indicator else _("新增指标")})


@login_required
def scheme_export(request, pk):
    from townships.choices import AuditAction
    from townships.services import audit_record
    from townships.xlsx import xlsx_response

    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    rows = imports.scheme_rows(scheme)
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, target=scheme, detail={"rows": len(rows)}, request=request
    )
    return xlsx_response(f"{scheme.name}.xlsx", [(imports.SCHEME_SHEET, imports.SCHEME_HEADERS, rows)])


@login_required
def scheme_import(request, pk):
    from cadres.forms import UploadForm

    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields.pop("township", None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.scheme_import(
            actor=request.user, scheme=scheme, upload=form.cleaned_data["file"], request=request
        )
        if result.ok:
            messages.success(request, result.message)
            return redirect("scheme-detail", pk=scheme.pk)
    return render(
        request,
        "cadres/import.html",
        {
            "form": form,
            "result": result,
            "title": _("用 Excel 修改方案：%(n)s") % {"n": scheme.name},
            "template_url": reverse("scheme-export", args=[scheme.pk]),
        },
    )


# --- Monthly reports --------------------------------------------------------


@login_required
def report_overview(request):
    """A township's month: every village, its report's state, and what to do."""
    year, month = _month_param(request)
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
            "closed": township and services.period_is_closed(township.county_id, year, month),
            "can_edit": township
            and can_edit_in_township(request.user, township.pk)
            and request.user.role != "county_viewer",
        },
    )


@login_required
def report_form(request, village_pk, year, month):
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=village_pk)
    if not can_edit_in_township(request.user, village.township_id):
        raise PermissionDenied(_("您没有填报此村月报的权限。"))
    report = MonthlyReport.objects.filter(village=village, year=year, month=month).first()
    form = ReportForm(request.POST or None, initial=report.values if report else None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            report = services.report_save(
                actor=request.user, village=village, year=year, month=month, values=values, request=request
            )
            if "submit" in request.POST:
                services.report_submit(actor=request.user, report=report, request=request)
                messages.success(request, _("已报送。"))
            else:
                messages.success(request, _("已保存草稿。"))
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect(f"{reverse('report-overview')}?year={year}&month={month}&township={village.township_id}")
    return render(
        request,
        "assessments/report_form.html",
        {"form": form, "village": village, "year": year, "month": month, "report": report},
    )


def review_spec(request):
    return ListSpec(
        title=gettext_lazy("月报审核"),
        queryset=lambda r: scope_for(r.user, MonthlyReport.objects.select_related("village", "township")),
        filterset_class=ReportFilterSet,
        columns=(
            Column(_("乡镇"), lambda r: r.township.name, "township", ("township__sort_key", "township__name")),
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


@login_required
def report_template(request):
    year, month = _month_param(request)
    township = get_scoped_or_404(
        request.user, Township.objects.all(), pk=request.GET.get("township") or request.user.township_id or 0
    )
    return _template_response(
        imports.template(township=township, year=year, month=month), f"{township.name}{year}年{month}月月报.xlsx"
    )


@login_required
def report_import(request):
    from cadres.forms import UploadForm

    year, month = _month_param(request)
    township = get_scoped_or_404(
        request.user, Township.objects.all(), pk=request.GET.get("township") or request.user.township_id or 0
    )
    if not can_edit_in_township(request.user, township.pk) or request.user.role == "county_viewer":
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields.pop("township", None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.reports_import(
            actor=request.user,
            township=township,
            year=year,
            month=month,
            upload=form.cleaned_data["file"],
            request=request,
        )
        if result.ok:
            messages.success(request, result.message)
    return render(
        request,
        "cadres/import.html",
        {
            "form": form,
            "result": result,
            "title": _("%(t)s %(y)s年%(m)s月 月报导入") % {"t": township.name, "y": year, "m": month},
            "template_url": f"{reverse('report-template')}?year={year}&month={month}&township={township.pk}",
        },
    )


# --- Runs -------------------------------------------------------------------


@login_required
def run_list(request):
    runs = scope_for(request.user, ScoringRun.objects.select_related("requested_by")).order_by("-created_at")[:50]
    form = RunForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        require_registry_manager(request.user)
        if "close" in request.POST:
            try:
                services.period_close(
                    actor=request.user,
                    county=_county(request),
                    year=int(request.POST["year"]),
                    month=int(request.POST["period"]),
                    request=request,
                )
                messages.success(request, _("已关账。"))
            except (ValidationError, ValueError, KeyError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [_("年月不正确。")])))
            return redirect("run-list")
        if form.is_valid():
            try:
                services.scoring_run_start(
                    actor=request.user, county_id=_county(request).pk, request=request, **form.cleaned_data
                )
                messages.success(request, _("已提交评分任务，完成后自动更新。"))
                return redirect("run-list")
            except ValidationError as error:
                apply_form_errors(form, error)
    return render(
        request, "assessments/run_list.html", {"runs": runs, "form": form, "can_run": can_manage_registry(request.user)}
    )


# --- Scores -----------------------------------------------------------------


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
            Column(_("乡镇"), lambda s: s.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("村（社区）"), lambda s: s.village.name, html=link("score-detail", lambda s: s.village.name)),
            Column(_("书记"), lambda s: s.person.name if s.person else ""),
            Column(_("期间"), lambda s: f"{s.year}-{s.period:02d}", "period", ("year", "period")),
            # Sorting by total keeps every vetoed score below every clean one (DOMAIN §6).
            Column(_("总分"), lambda s: float(s.total), "total", ("clean", "total"), numeric=True),
            Column(
                _("状态"),
                lambda s: (
                    _("暂定（%(n)s 项人工评分待录入）") % {"n": s.manual_pending} if s.manual_pending else _("已定")
                ),
            ),
            Column(_("一票否决"), lambda s: s.veto_reason or (_("是") if s.veto else "")),
            Column(_("方案版本"), lambda s: _("第 %(v)s 版") % {"v": s.scheme.version}),
        ),
        default_sort="rank",
        export_name="score-export",
        filename="得分排名",
        links=lambda r: [(_("年度评定"), reverse("rating-list")), (_("调整退出预警"), reverse("removal-list"))],
    )


score_list, score_export = list_views(ranking_spec)


@login_required
def score_detail(request, pk):
    score = get_scoped_or_404(
        request.user, Score.objects.select_related("village", "township", "person", "scheme", "run"), pk=pk
    )
    items = list(
        score.items.select_related("indicator", "overridden_by").order_by("indicator__position", "indicator__code")
    )
    report = MonthlyReport.objects.filter(village=score.village, year=score.year, month=score.period).first()
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
    rating = AnnualRating.objects.filter(village=score.village).order_by("-year").first()
    trend = list(
        Score.objects.filter(village=score.village, target=score.target, period_kind=score.period_kind, year=score.year)
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


def ratings_spec(request):
    return ListSpec(
        title=gettext_lazy("村党组织书记年度评定"),
        queryset=lambda r: scope_for(
            r.user,
            AnnualRating.objects.select_related("person", "village", "township").annotate(
                clean=ExpressionWrapper(Q(veto=False), output_field=BooleanField())
            ),
        ),
        filterset_class=AnnualRatingFilterSet,
        columns=(
            Column(_("名次"), lambda a: a.rank_in_county, "rank", ("rank_in_county",), numeric=True),
            Column(_("乡镇"), lambda a: a.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("村（社区）"), lambda a: "、".join(a.villages) if a.villages else a.village.name),
            Column(_("书记"), lambda a: a.person.name),
            Column(_("年度"), lambda a: a.year, "year", ("year",)),
            Column(_("任职月数"), lambda a: a.months, numeric=True),
            Column(_("日常"), lambda a: float(a.daily), numeric=True),
            Column(_("集中"), lambda a: float(a.concentrated) if a.concentrated is not None else None, numeric=True),
            Column(_("测评"), lambda a: float(a.vote) if a.vote is not None else None, numeric=True),
            # Sorting by total keeps every vetoed year below every clean one (DOMAIN §6).
            Column(_("综合"), lambda a: float(a.total), "total", ("clean", "total"), numeric=True),
            Column(
                _("等次"),
                lambda a: _("并列待定") if a.tie_pending else a.get_grade_display(),
                "grade",
                ("grade",),
            ),
            Column(_("理由"), lambda a: a.reason),
        ),
        default_sort="rank",
        export_name="rating-export",
        filename="年度评定",
    )


_rating_list, rating_export = list_views(ratings_spec)


@login_required
def rating_list(request):
    if request.method == "POST" and "ties" in request.POST:
        require_registry_manager(request.user)
        try:
            year = int(request.POST.get("year", ""))
            services.excellent_ties_decide(
                actor=request.user,
                county_id=_county(request).pk,
                year=year,
                chosen=[_int_or_zero(v) for v in request.POST.getlist("chosen")],
                opinion=request.POST.get("opinion", ""),
                request=request,
            )
            messages.success(request, _("已决定 %(y)s 年度优秀名额边界的并列人员。") % {"y": year})
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("年份不正确。")])))
        return redirect(request.get_full_path())
    if request.method == "POST":
        require_registry_manager(request.user)
        try:
            year = int(request.POST.get("year", ""))
            count = services.annual_ratings_sign_off(
                actor=request.user, county_id=_county(request).pk, year=year, request=request
            )
            messages.success(
                request, _("已审定 %(y)s 年度 %(n)s 名书记的评定等次（含优秀名单）。") % {"y": year, "n": count}
            )
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("年份不正确。")])))
        return redirect(request.get_full_path())
    years = list(
        scope_for(request.user, AnnualRating.objects.filter(signed_off_by__isnull=True))
        .values_list("year", flat=True)
        .distinct()
    )
    ties = list(
        scope_for(request.user, AnnualRating.objects.filter(tie_pending=True, signed_off_by__isnull=True))
        .select_related("person", "township", "village")
        .order_by("year", "-total")
    )
    return render_list(
        request,
        ratings_spec(request),
        template="assessments/rating_list.html",
        extra={"unsigned_years": years, "can_sign": can_manage_registry(request.user), "ties": ties},
    )


@login_required
def removal_list(request):
    flags = scope_for(request.user, RemovalFlag.objects.select_related("person", "township", "decided_by")).order_by(
        "-year", "-state", "township__sort_key"
    )
    if request.method == "POST":
        require_registry_manager(request.user)
        flag = get_scoped_or_404(
            request.user, RemovalFlag.objects.select_related("person"), pk=_int_or_zero(request.POST.get("flag"))
        )
        try:
            services.removal_decide(
                actor=request.user,
                flag=flag,
                decision=request.POST.get("decision", ""),
                opinion=request.POST.get("opinion", ""),
                request=request,
            )
            messages.success(request, _("已决定：%(n)s。") % {"n": flag.person.name})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("removal-list")
    return render(
        request,
        "assessments/removal_list.html",
        {
            "flags": flags,
            "can_sign": can_manage_registry(request.user),
            "FLAGGED": RemovalState.FLAGGED,
            "decisions": RemovalDecision.choices,
        },
    )


def _int_or_zero(raw):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**31 else 0


@login_required
def score_export_one(request, pk):
    from townships.choices import AuditAction
    from townships.services import audit_record
    from townships.xlsx import xlsx_response

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
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, target=score, detail={"rows": len(rows)}, request=request
    )
    headers = [_("编号"), _("指标"), _("取值"), _("满分"), _("得分"), _("计分说明"), _("调整理由")]
    return xlsx_response(
        f"{score.village.name}-{score.year}年{score.period}月记分卡.xlsx", [(_("记分卡"), headers, rows)]
    )


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


@login_required
def secretary_detail(request, person_pk):
    """A village Party secretary: this year's monthly scores, annual grades and the removal rule's view."""
    from cadres.models import Person, Tenure

    person = get_scoped_or_404(request.user, Person.objects.select_related("township", "village"), pk=person_pk)
    scores = list(
        Score.objects.filter(person=person, target=Target.VILLAGE_SECRETARY, period_kind="month")
        .select_related("village")
        .order_by("-year", "-period")[:24]
    )
    ratings = list(AnnualRating.objects.filter(person=person).select_related("village").order_by("-year"))
    flags = list(RemovalFlag.objects.filter(person=person).select_related("decided_by").order_by("-year"))
    tenures = list(Tenure.objects.filter(person=person).select_related("village").order_by("-started_on"))
    trend = [[f"{s.year}-{s.period:02d}", float(s.total)] for s in reversed(scores)]
    return render(
        request,
        "assessments/secretary_detail.html",
        {"person": person, "scores": scores, "ratings": ratings, "flags": flags, "tenures": tenures, "trend": trend},
    )
