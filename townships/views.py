from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .choices import AuditAction
from .county_settings import DEFINITIONS, settings_for
from .filtersets import TownshipFilterSet
from .forms import LoginForm, TownshipForm, bootstrapify
from .listing import list_state, paginate
from .models import Township
from .scoping import can_manage_registry, get_scoped_or_404
from .selectors import township_list
from .services import audit_record, county_settings_update, township_create, township_set_active, township_update
from .web import apply_form_errors, require_registry_manager
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
