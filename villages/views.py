import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from townships.listing import (
    Column,
    ListSpec,
    active_column,
    cell,
    count_column,
    display,
    link,
    list_views,
    township_column,
)
from townships.scoping import can_edit_in_township, can_manage_registry, can_write_records, get_scoped_or_404, scope_for
from townships.web import FORM_TEMPLATE, require_get_or_post, require_registry_manager, service_form

from .choices import MatterStep
from .filtersets import MatterFilterSet, PartyOrganizationFilterSet, VillageFilterSet
from .forms import (
    MatterForm,
    MatterStepForm,
    OrganizationElectionForm,
    OrganizationForm,
    VillageForm,
    VillageLoginForm,
    VillageStatisticsForm,
)
from .models import Matter, PartyOrganization, Village, WeakDesignation
from .organization_page import organization_sections
from .selectors import organization_list, organization_tree, terms_due_list, village_list, village_logins
from .services import (
    matter_create,
    matter_record_step,
    organization_create,
    organization_elect,
    organization_set_active,
    organization_update,
    village_create,
    village_login_create,
    village_set_active,
    village_update,
    weak_accept,
    weak_add_step,
)
from .terms import TERM_DUE_MONTHS, TermsDueFilterSet, TermState


def _yes_no(flag):
    return "是" if flag else "否"


def _iso_or(empty):
    """A date as ISO text, ``empty`` when there is none."""
    return lambda value: value.isoformat() if value else empty


def _or(empty):
    return lambda value: value or empty


# --- Villages ---------------------------------------------------------------


def villages_spec(request):
    return ListSpec(
        title=_("村（社区）"),
        queryset=lambda r: village_list(user=r.user),
        filterset_class=VillageFilterSet,
        columns=(
            township_column("sort_key", "name"),
            Column(
                _("名称"), lambda v: v.name, "name", ("sort_key", "name"), html=link("village-detail", lambda v: v.name)
            ),
            Column(_("类型"), lambda v: v.get_kind_display(), "kind", ("kind",)),
            Column(_("村民小组"), lambda v: v.villager_groups, "villager_groups", ("villager_groups",), numeric=True),
            count_column(_("户数"), "households"),
            count_column(_("人口"), "population"),
            Column(
                _("示范村类型"),
                lambda v: v.get_showcase_type_display(),
                html=lambda v: (
                    format_html('<span class="badge text-bg-warning">{}</span>', v.get_showcase_type_display())
                    if v.showcase_type
                    else ""
                ),
            ),
            active_column(),
        ),
        default_sort="township",
        export_name="village-export",
        filename="村社区列表",
        create_url=lambda r: reverse("village-create") if can_manage_registry(r.user) else None,
        create_label=_("新建村（社区）"),
        export_columns=(
            (_("乡镇"), cell("township__name")),
            (_("名称"), cell("name")),
            (_("类型"), display("kind", Village)),
            (_("行政区划代码"), cell("division_code")),
            (_("自然村数"), cell("natural_villages")),
            (_("村民小组数"), cell("villager_groups")),
            (_("户数"), cell("households")),
            (_("人口"), cell("population")),
            (_("示范村类型"), display("showcase_type", Village)),
            (_("启用"), cell("is_active", value=_yes_no)),
        ),
        export_sheet=_("村（社区）"),
        audit_list="villages",
        audit_label=_("村（社区）列表"),
    )


village_list_view, village_export = list_views(villages_spec)


@require_safe
@login_required
def village_detail(request, pk):
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=pk)
    organizations = PartyOrganization.objects.filter(village=village).select_related("parent").order_by("kind", "name")
    joint = village.joint_organizations.select_related("village")
    return render(
        request,
        "villages/village_detail.html",
        {
            "village": village,
            "organizations": organizations,
            "joint_organizations": joint,
            "can_edit": can_edit_in_township(request.user, village.township_id),
            "can_manage": can_manage_registry(request.user),
        },
    )


@require_get_or_post
@login_required
def village_create_view(request):
    require_registry_manager(request.user)
    return service_form(
        request,
        VillageForm(request.POST or None, user=request.user),
        save=lambda data: village_create(actor=request.user, request=request, **data),
        message=lambda village: _("已新建“%(name)s”。") % {"name": village.name},
        success_url=lambda village: reverse("village-detail", args=[village.pk]),
        template="villages/village_form.html",
        context={"village": None},
    )


@require_get_or_post
@login_required
def village_update_view(request, pk):
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=pk)
    if not can_edit_in_township(request.user, village.township_id):
        raise PermissionDenied(_("您没有修改此村（社区）的权限。"))
    form_class = VillageForm if can_manage_registry(request.user) else VillageStatisticsForm
    return service_form(
        request,
        form_class(request.POST or None, instance=Village.objects.get(pk=village.pk), user=request.user),
        save=lambda data: village_update(
            actor=request.user, village=village, request=request, **{f: data[f] for f in form_class.Meta.fields}
        ),
        message=_("已保存。"),
        success_url=reverse("village-detail", args=[village.pk]),
        template="villages/village_form.html",
        context={"village": village, "statistics_only": form_class is VillageStatisticsForm},
    )


@require_POST
@login_required
def village_set_active_view(request, pk):
    village = get_scoped_or_404(request.user, Village.objects.all(), pk=pk)
    require_registry_manager(request.user)
    active = request.POST.get("active") == "1"
    village_set_active(actor=request.user, village=village, active=active, request=request)
    messages.success(request, _("已恢复启用。") if active else _("已停用；历史记录和考核结果保留。"))
    return redirect("village-detail", pk=village.pk)


# --- Organizations ----------------------------------------------------------


_organization_link = link("organization-detail", lambda o: o.name)


def _organization_name(o):
    if o.n_joint:
        return format_html('{} <span class="badge text-bg-info">{}</span>', _organization_link(o), _("联合"))
    return _organization_link(o)


def organizations_spec(request):
    return ListSpec(
        title=_("党组织"),
        queryset=lambda r: organization_list(user=r.user),
        filterset_class=PartyOrganizationFilterSet,
        columns=(
            township_column("name"),
            Column(_("名称"), lambda o: o.name, "name", ("name",), html=_organization_name),
            Column(
                _("类型"),
                lambda o: o.get_kind_display(),
                "kind",
                ("kind",),
                html=lambda o: format_html('<span class="badge text-bg-light border">{}</span>', o.get_kind_display()),
            ),
            Column(_("上级组织"), lambda o: o.parent.name if o.parent else None),
            Column(_("所属村（社区）"), lambda o: o.village.name if o.village else None),
            Column(_("任期届满"), lambda o: o.term_end.isoformat() if o.term_end else None, "term_end", ("term_end",)),
            active_column(),
        ),
        default_sort="township",
        export_name="organization-export",
        filename="党组织列表",
        create_url=lambda r: (
            reverse("organization-create") if can_manage_registry(r.user) or r.user.is_township_staff else None
        ),
        create_label=_("新建党组织"),
        links=lambda r: [(_("换届提醒"), reverse("terms-due"))],
        export_columns=(
            (_("乡镇"), cell("township__name")),
            (_("名称"), cell("name")),
            (_("类型"), display("kind", PartyOrganization)),
            (_("上级组织"), cell("parent__name", value=_or(""))),
            (_("所属村（社区）"), cell("village__name", value=_or(""))),
            (_("联合党支部"), cell("n_joint", value=_yes_no)),
            (_("任期开始"), cell("term_start", value=_iso_or(""))),
            (_("任期届满"), cell("term_end", value=_iso_or(""))),
            (_("启用"), cell("is_active", value=_yes_no)),
        ),
        export_sheet=_("党组织"),
        audit_list="organizations",
        audit_label=_("党组织列表"),
    )


organization_list_view, organization_export = list_views(organizations_spec)


@require_safe
@login_required
def organization_detail(request, pk):
    organization = get_scoped_or_404(
        request.user, PartyOrganization.objects.select_related("township", "village", "parent"), pk=pk
    )
    ancestors, children = organization_tree(organization=organization)
    can_edit = can_edit_in_township(request.user, organization.township_id)
    return render(
        request,
        "villages/organization_detail.html",
        {
            "organization": organization,
            "ancestors": ancestors,
            "children": children,
            "joint_villages": organization.joint_villages.all(),
            "can_edit": can_edit,
            "election_form": OrganizationElectionForm() if can_edit and organization.is_active else None,
            "sections": organization_sections(request, organization),
        },
    )


@require_get_or_post
@login_required
def organization_elect_view(request, pk):
    """换届选举: record the election that starts the organization's new term."""
    organization = get_scoped_or_404(request.user, PartyOrganization.objects.select_related("township"), pk=pk)
    if not can_edit_in_township(request.user, organization.township_id):
        raise PermissionDenied(_("您没有修改此党组织的权限。"))
    return service_form(
        request,
        OrganizationElectionForm(request.POST or None),
        save=lambda data: organization_elect(
            actor=request.user,
            organization=organization,
            elected_on=data["elected_on"],
            years=data["years"],
            note=data["note"],
            request=request,
        ),
        message=lambda org: (
            _("已记录换届选举：本届任期 %(start)s 至 %(end)s。")
            % {"start": org.term_start.isoformat(), "end": org.term_end.isoformat()}
        ),
        success_url=reverse("organization-detail", args=[organization.pk]),
        template="villages/organization_elect.html",
        context={"organization": organization},
    )


# --- 换届提醒 -----------------------------------------------------------------


def _term_state_badge(o):
    css = "danger" if o.term_state == TermState.OVERDUE else "warning"
    return format_html('<span class="badge text-bg-{}">{}</span>', css, TermState(o.term_state).label)


def _days_to_term_end(today):
    until = _days_until(today)
    return lambda o: until(o.term_end)


def _days_until(today):
    def days(term_end):
        delta = (term_end - today).days
        if delta < 0:
            return _("已过 %(n)s 天") % {"n": -delta}
        if delta == 0:
            return _("今天届满")
        return _("还有 %(n)s 天") % {"n": delta}

    return days


def terms_spec(request):
    today = timezone.localdate()
    return ListSpec(
        title=_("换届提醒"),
        queryset=lambda r: terms_due_list(user=r.user, today=today, months=TERM_DUE_MONTHS),
        filterset_class=TermsDueFilterSet,
        columns=(
            township_column("name"),
            Column(_("名称"), lambda o: o.name, "name", ("name",), html=_organization_link, export=cell("name")),
            Column(
                _("类型"),
                lambda o: o.get_kind_display(),
                "kind",
                ("kind",),
                export=display("kind", PartyOrganization),
            ),
            Column(
                _("所属村（社区）"),
                lambda o: o.village.name if o.village else None,
                export=cell("village__name", value=_or(None)),
            ),
            Column(
                _("本届任期开始"),
                lambda o: o.term_start.isoformat() if o.term_start else None,
                export=cell("term_start", value=_iso_or(None)),
            ),
            Column(
                _("届满日期"),
                lambda o: o.term_end.isoformat(),
                "term_end",
                ("term_end", "name"),
                export=cell("term_end", value=lambda end: end.isoformat()),
            ),
            Column(
                _("状态"),
                lambda o: str(TermState(o.term_state).label),
                html=_term_state_badge,
                export=cell("term_state", value=lambda state: str(TermState(state).label), per_value=True),
            ),
            Column(
                _("距届满"),
                _days_to_term_end(today),
                export=cell("term_end", value=_days_until(today), per_value=True),
            ),
        ),
        default_sort="term_end",
        export_name="terms-due-export",
        links=lambda r: [(_("全部党组织"), reverse("organization-list"))],
        filename="换届提醒",
        export_sheet=_("换届提醒"),
        audit_list="terms-due",
        audit_label=_("换届提醒列表"),
    )


terms_due_view, terms_due_export = list_views(terms_spec)


def _organization_data(cleaned_data):
    data = dict(cleaned_data)
    joint = list(data.pop("joint_villages", []))
    return data, joint


@require_get_or_post
@login_required
def organization_create_view(request):
    if not (can_manage_registry(request.user) or request.user.is_township_staff):
        raise PermissionDenied(_("您没有新建党组织的权限。"))

    def save(cleaned_data):
        data, joint = _organization_data(cleaned_data)
        if not can_edit_in_township(request.user, data["township"].pk):
            raise PermissionDenied
        return organization_create(actor=request.user, joint_villages=joint, request=request, **data)

    return service_form(
        request,
        OrganizationForm(request.POST or None, user=request.user, initial={"parent": request.GET.get("parent")}),
        save=save,
        message=lambda organization: _("已新建“%(name)s”。") % {"name": organization.name},
        success_url=lambda organization: reverse("organization-detail", args=[organization.pk]),
        template="villages/organization_form.html",
        context={"organization": None},
    )


@require_get_or_post
@login_required
def organization_update_view(request, pk):
    organization = get_scoped_or_404(request.user, PartyOrganization.objects.all(), pk=pk)
    if not can_edit_in_township(request.user, organization.township_id):
        raise PermissionDenied(_("您没有修改此党组织的权限。"))

    def save(cleaned_data):
        data, joint = _organization_data(cleaned_data)
        organization_update(
            actor=request.user, organization=organization, joint_villages=joint, request=request, **data
        )

    return service_form(
        request,
        OrganizationForm(request.POST or None, instance=PartyOrganization.objects.get(pk=pk), user=request.user),
        save=save,
        message=_("已保存。"),
        success_url=reverse("organization-detail", args=[organization.pk]),
        template="villages/organization_form.html",
        context={"organization": organization},
    )


@require_POST
@login_required
def organization_set_active_view(request, pk):
    organization = get_scoped_or_404(request.user, PartyOrganization.objects.all(), pk=pk)
    if not can_edit_in_township(request.user, organization.township_id):
        raise PermissionDenied(_("您没有修改此党组织的权限。"))
    active = request.POST.get("active") == "1"
    try:
        organization_set_active(actor=request.user, organization=organization, active=active, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复启用。") if active else _("已停用。"))
    return redirect("organization-detail", pk=organization.pk)


# --- 四议两公开 --------------------------------------------------------------


def matters_spec(request):

    return ListSpec(
        title=_("“四议两公开”事项"),
        queryset=lambda r: scope_for(r.user, Matter.objects.select_related("village", "township")).annotate(
            n_steps=Count("steps")
        ),
        filterset_class=MatterFilterSet,
        columns=(
            township_column(),
            Column(_("村（社区）"), lambda m: m.village.name, export=cell("village__name")),
            Column(_("事项"), lambda m: m.title, html=link("matter-detail", lambda m: m.title), export=cell("title")),
            Column(
                _("已完成步骤"),
                lambda m: f"{m.n_steps}/6",
                "steps",
                ("n_steps",),
                export=cell("n_steps", value=lambda n: f"{n}/6"),
            ),
            Column(
                _("登记时间"),
                lambda m: timezone.localtime(m.created_at).strftime("%Y-%m-%d"),
                "created",
                ("created_at",),
                export=cell("created_at", value=lambda at: timezone.localtime(at).strftime("%Y-%m-%d")),
            ),
        ),
        default_sort="-created",
        export_name="matter-export",
        filename="四议两公开",
        create_url=lambda r: reverse("matter-create") if can_write_records(r.user) else None,
        create_label=_("登记事项"),
    )


matter_list, matter_export = list_views(matters_spec)


@require_get_or_post
@login_required
def matter_create_view(request):

    if not can_write_records(request.user):
        raise PermissionDenied(_("您没有登记事项的权限。"))
    form = MatterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not can_edit_in_township(request.user, form.cleaned_data["village"].township_id):
            raise PermissionDenied
        matter = matter_create(actor=request.user, request=request, **form.cleaned_data)
        return redirect("matter-detail", pk=matter.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "title": _("登记“四议两公开”事项")})


@require_get_or_post
@login_required
def matter_detail(request, pk):

    matter = get_scoped_or_404(request.user, Matter.objects.select_related("village", "township"), pk=pk)
    can_edit = (
        can_edit_in_township(request.user, matter.township_id)
        and not request.user.is_county_level
        or (request.user.is_county_admin)
    )
    recorded = {s.step: s for s in matter.steps.all()}
    next_step = next((s for s in MatterStep if s not in recorded), None)
    if request.method == "POST" and (not can_edit or next_step is None):
        raise PermissionDenied
    return service_form(
        request,
        MatterStepForm(request.POST or None, request.FILES or None),
        save=lambda data: matter_record_step(
            actor=request.user,
            matter=matter,
            step=next_step,
            done_on=data["done_on"],
            evidence=data["evidence"],
            note=data["note"],
            request=request,
        ),
        message=lambda step: _("已记录：%(s)s。") % {"s": next_step.label},
        success_url=reverse("matter-detail", args=[matter.pk]),
        template="villages/matter_detail.html",
        context={
            "matter": matter,
            "steps": [(s, recorded.get(s)) for s in MatterStep],
            "next_step": next_step,
            "can_edit": can_edit,
        },
    )


# --- 软弱涣散 -----------------------------------------------------------------


@require_get_or_post
@login_required
def weak_detail(request, pk):
    designation = get_scoped_or_404(
        request.user,
        WeakDesignation.objects.select_related("village", "township", "designated_by", "accepted_by"),
        pk=pk,
    )
    if request.method == "POST":
        try:
            if "accept" in request.POST:
                require_registry_manager(request.user)
                weak_accept(
                    actor=request.user, designation=designation, note=request.POST.get("note", ""), request=request
                )
                messages.success(request, _("已销号。"))
            else:
                if not can_edit_in_township(request.user, designation.township_id):
                    raise PermissionDenied
                done_on = datetime.date.fromisoformat(request.POST.get("done_on", ""))
                weak_add_step(
                    actor=request.user,
                    designation=designation,
                    done_on=done_on,
                    description=request.POST.get("description", ""),
                    request=request,
                )
                messages.success(request, _("已记录整顿措施。"))
        except ValueError:
            messages.error(request, _("日期格式不正确。"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("weak-detail", pk=designation.pk)
    return render(
        request,
        "villages/weak_detail.html",
        {
            "d": designation,
            "steps": designation.steps.select_related("recorded_by"),
            "can_step": can_edit_in_township(request.user, designation.township_id),
            "can_accept": can_manage_registry(request.user),
        },
    )


# --- Village logins (村级账号) ------------------------------------------------------


@require_get_or_post
@login_required
def village_login_list(request):
    """The county administrator's page for village logins: who has one, and a form to open one."""
    require_registry_manager(request.user)
    form = VillageLoginForm(request.POST or None, user=request.user)
    return service_form(
        request,
        form,
        save=lambda data: village_login_create(actor=request.user, request=request, **data),
        message=lambda user: _("已开设村级账号“%(u)s”，请将初始密码当面告知使用人。") % {"u": user.username},
        success_url=reverse("village-login-list"),
        template="villages/village_logins.html",
        context={"logins": list(village_logins(user=request.user))},
    )
