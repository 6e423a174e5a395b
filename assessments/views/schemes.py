"""Scheme pages: the list, the editor, versions, Excel export and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import (
    UploadForm,
    audited_xlsx_response,
    require_get_or_post,
    require_registry_manager,
    service_form,
    upload_page,
)

from .. import imports, scoring, services
from ..forms import IndicatorForm, metric_label
from ..metrics import METRICS
from ..models import Indicator, Scheme
from ..services import preview


@require_safe
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


@require_safe
@login_required
def scheme_detail(request, pk):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    indicators = list(scheme.indicators.order_by("position", "code"))
    roots = [i for i in indicators if i.parent_id is None]
    children = {}
    for i in indicators:
        if i.parent_id:
            children.setdefault(i.parent_id, []).append(i)
    tree = [
        (
            root,
            sum(i.max_points for i in children.get(root.pk, []) if not i.is_bonus),
            [
                (
                    i,
                    scoring.describe_method(i.method, i.max_points, i.params),
                    metric_label(METRICS[i.metric]) if i.metric in METRICS else "",
                )
                for i in children.get(root.pk, [])
            ],
        )
        for root in roots
    ]
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


@require_get_or_post
@login_required
def indicator_edit(request, pk, indicator_pk=None):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    indicator = Indicator.objects.filter(scheme=scheme, pk=indicator_pk).first() if indicator_pk else None
    if indicator_pk and indicator is None:
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, instance=indicator, scheme=scheme)

    def save(cleaned_data):
        data = {f: cleaned_data[f] for f in (*IndicatorForm.Meta.fields, "params")}
        services.indicator_save(
            actor=request.user,
            scheme=scheme,
            indicator=Indicator.objects.get(pk=indicator.pk) if indicator else None,
            request=request,
            **data,
        )

    return service_form(
        request,
        form,
        save=save,
        message=_("指标已保存；对下一次评分生效。"),
        success_url=reverse("scheme-detail", args=[scheme.pk]),
        title=_("编辑指标") if indicator else _("新增指标"),
        template="assessments/indicator_form.html",
    )


@require_safe
@login_required
def scheme_export(request, pk):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    rows = imports.scheme_rows(scheme)
    return audited_xlsx_response(
        request,
        f"{scheme.name}.xlsx",
        [(imports.SCHEME_SHEET, imports.SCHEME_HEADERS, rows)],
        detail={"rows": len(rows)},
        target=scheme,
    )


@require_get_or_post
@login_required
def scheme_import(request, pk):
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    form.fields.pop("township", None)
    return upload_page(
        request,
        form,
        lambda data: imports.scheme_import(actor=request.user, scheme=scheme, upload=data["file"], request=request),
        context={
            "title": _("用 Excel 修改方案：%(n)s") % {"n": scheme.name},
            "template_url": reverse("scheme-export", args=[scheme.pk]),
        },
        success_url=reverse("scheme-detail", args=[scheme.pk]),
    )


@require_safe
@login_required
def scheme_what_if(request, pk):
    """试算: the last scored month scored again with this scheme beside how it was scored, nothing written."""
    scheme = get_scoped_or_404(request.user, Scheme.objects.all(), pk=pk)
    require_registry_manager(request.user)
    try:
        result = preview.scheme_what_if(scheme=scheme)
    except ValidationError as error:
        return render(request, "assessments/scheme_what_if.html", {"scheme": scheme, "errors": error.messages})
    rows = result["rows"]
    movers = [r for r in rows if r["move"] or r["change"]]
    return render(
        request,
        "assessments/scheme_what_if.html",
        {
            "scheme": scheme,
            "result": result,
            "rows": rows,
            "moved": len(movers),
            "top": movers[:10],
            "errors": [],
        },
    )
