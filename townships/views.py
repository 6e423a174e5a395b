from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.choices import Grade
from villages.models import PartyOrganization, Village

from .choices import AuditAction
from .filtersets import TownshipFilterSet
from .forms import LoginForm, TownshipForm, bootstrapify
from .listing import list_state, paginate
from .models import Township
from .scoping import can_manage_registry, get_scoped_or_404, scope_for
from .selectors import county_glance, township_list
from .services import audit_record, township_create, township_set_active, township_update
from .xlsx import xlsx_response

TOWNSHIP_SORTS = {
    "name": ["sort_key", "name"],
    "kind": "kind",
    "village_count": "village_count",
    "population": "population",
    "households": "households",
}


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def apply_form_errors(form, error):
    """Attach a service's ValidationError to the form so the page shows it in place."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def service_form(request, form, *, save, success_url, title, template="cadres/form.html", extra=None):
    """The shape of every small record form: validate, call the service, show its refusal in place."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect(success_url(result) if callable(success_url) else success_url)
    return render(request, template, {"form": form, "title": title, **(extra or {})})


def require_registry_manager(user):
    if not can_manage_registry(user):
        raise PermissionDenied(_("只有县委组织部管理员可以执行此操作。"))


@login_required
def home(request):
    user = request.user
    if user.is_township_staff:
        return redirect("township-detail", pk=user.township_id)
    from cadres.selectors import AlertCode, alerts_for

    alerts = alerts_for(townships=scope_for(user, Township.objects.filter(is_active=True)), today=timezone.localdate())
    counts = {}
    for alert in alerts:
        counts[alert.code] = counts.get(alert.code, 0) + 1
    alert_counts = [(code, _(label), counts.get(code, 0)) for code, label in AlertCode.LABELS.items()]
    from assessments.selectors import county_dashboard
    from assessments.views import _month_param

    year, month = _month_param(request)
    dashboard = county_dashboard(user=user, year=year, month=month)
    charts = {
        "trend": dashboard["trend"],
        "heatmap": dashboard["heatmap"],
        "townships": dashboard["heatmap_townships"],
        "categories": dashboard["heatmap_categories"],
        "grades": [[str(dict(Grade.choices)[g]), dashboard["grades"].get(g, 0), g] for g in Grade.values],
        "ranking": [[r["name"], r["average"], r["township_id"]] for r in dashboard["township_ranking"]],
    }
    return render(
        request,
        "townships/home.html",
        {
            "glance": county_glance(user=user),
            "alert_counts": alert_counts,
            "dash": dashboard,
            "charts": charts,
            "year": year,
            "month": month,
        },
    )


def _township_state(request):
    state = list_state(
        request,
        township_list(user=request.user),
        filterset_class=TownshipFilterSet,
        sorts=TOWNSHIP_SORTS,
        default_sort="name",
    )
    state.filterset.form.compact = True
    bootstrapify(state.filterset.form)
    return state


@login_required
def township_list_view(request):
    state = paginate(request, _township_state(request))
    return render(
        request,
        "townships/township_list.html",
        {
            "state": state,
            "filterset": state.filterset,
            "page": state.page,
            "sort": state.sort,
            "querystring": state.querystring,
            "export_url": reverse("township-export"),
            "can_manage": can_manage_registry(request.user),
        },
    )


@login_required
def township_export(request):
    state = _township_state(request)
    rows = [
        [
            t.name,
            t.get_kind_display(),
            t.division_code,
            t.village_count,
            t.population,
            t.households,
            "是" if t.is_active else "否",
        ]
        for t in state.rows
    ]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"list": "townships", "rows": len(rows), "filters": state.querystring},
        request=request,
        target_repr=_("乡镇列表"),
    )
    headers = [_("名称"), _("类型"), _("行政区划代码"), _("村（社区）数"), _("人口"), _("户数"), _("启用")]
    return xlsx_response(f"乡镇列表-{timezone.localdate():%Y%m%d}.xlsx", [(_("乡镇"), headers, rows)])


@login_required
def township_detail(request, pk):
    township = get_scoped_or_404(request.user, Township.objects.select_related("county"), pk=pk)
    villages = Village.objects.filter(township=township).order_by("sort_key", "name")
    organizations = (
        PartyOrganization.objects.filter(township=township, parent__isnull=True)
        .select_related("village")
        .order_by("name")
    )
    from assessments.selectors import township_dashboard
    from assessments.views import _month_param
    from cadres.selectors import AlertCode, alerts_for

    year, month = _month_param(request)
    alerts = alerts_for(townships=Township.objects.filter(pk=township.pk), today=timezone.localdate())
    todo = township_dashboard(township=township, year=year, month=month)
    todo["meetings"] = [a for a in alerts if a.code == AlertCode.MEETINGS_MISSING]
    todo["pipeline"] = [a for a in alerts if a.code == AlertCode.PIPELINE_OVERDUE]
    return render(
        request,
        "townships/township_detail.html",
        {
            "todo": todo,
            "alerts": alerts,
            "township": township,
            "villages": villages,
            "organizations": organizations,
            "can_manage": can_manage_registry(request.user),
        },
    )


@login_required
def township_create_view(request):
    require_registry_manager(request.user)
    form = TownshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            township = township_create(
                actor=request.user, county=request.user.county, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已新建乡镇“%(name)s”。") % {"name": township.name})
            return redirect("township-detail", pk=township.pk)
    return render(request, "townships/township_form.html", {"form": form, "township": None})


@login_required
def township_update_view(request, pk):
    township = get_scoped_or_404(request.user, Township.objects.all(), pk=pk)
    require_registry_manager(request.user)
    form = TownshipForm(request.POST or None, instance=Township.objects.get(pk=township.pk))
    if request.method == "POST" and form.is_valid():
        try:
            township_update(actor=request.user, township=township, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("township-detail", pk=township.pk)
    return render(request, "townships/township_form.html", {"form": form, "township": township})


@require_POST
@login_required
def township_set_active_view(request, pk):
    township = get_scoped_or_404(request.user, Township.objects.all(), pk=pk)
    require_registry_manager(request.user)
    active = request.POST.get("active") == "1"
    try:
        township_set_active(actor=request.user, township=township, active=active, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复启用。") if active else _("已停用。"))
    return redirect("township-detail", pk=township.pk)


@login_required
def county_settings_view(request):
    from .county_settings import DEFINITIONS, settings_for
    from .services import county_settings_update

    county = request.user.county
    if county is None:
        raise PermissionDenied(_("您的账户没有所属县。"))
    editable = can_manage_registry(request.user)
    errors = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("只有县委组织部管理员可以修改县级参数。"))
        values = {d.key: request.POST[d.key] for d in DEFINITIONS if d.key in request.POST}
        try:
            changes = county_settings_update(actor=request.user, county=county, values=values, request=request)
        except ValidationError as error:
            errors = error.message_dict
            messages.error(request, _("有参数不正确，均未保存。"))
        else:
            messages.success(request, _("已保存 %(n)s 项修改。") % {"n": len(changes)})
            return redirect("county-settings")
    current = settings_for(county.pk)
    groups = {}
    for definition in DEFINITIONS:
        groups.setdefault(str(definition.group), []).append(
            {
                "def": definition,
                "value": request.POST.get(definition.key, current[definition.key])
                if errors
                else current[definition.key],
                "is_default": current.is_default(definition.key),
                "errors": errors.get(definition.key, []),
            }
        )
    return render(request, "townships/county_settings.html", {"groups": groups, "editable": editable, "county": county})
