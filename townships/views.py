from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.defaults import permission_denied as django_permission_denied

from .county_settings import DEFINITIONS, settings_for
from .filtersets import AuditFilterSet, TownshipFilterSet
from .forms import LoginForm, TownshipForm
from .listing import (
    PAGE_SIZE,
    Column,
    ListSpec,
    active_column,
    cell,
    count_column,
    display,
    export_list,
    link,
    list_views,
    render_list,
)
from .models import AuditEvent, Message, Township
from .review import entry_kind
from .scoping import can_manage_registry, can_review_village_entries, get_scoped_or_404, scope_for
from .selectors import township_list, village_entries_pending
from .services import (
    county_settings_update,
    denial_record,
    message_mark_read,
    township_create,
    township_set_active,
    township_update,
    village_entry_decide,
)
from .web import int_param, require_get_or_post, require_registry_manager, service_form


def permission_denied(request, exception):
    """handler403: every refusal is audited (等保: denials are security events), then Django's 403 page."""
    denial_record(request, reason=exception)
    return django_permission_denied(request, exception)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def townships_spec(request):
    return ListSpec(
        title=_("乡镇（街道）"),
        queryset=lambda r: township_list(user=r.user),
        filterset_class=TownshipFilterSet,
        columns=(
            Column(
                _("名称"),
                lambda t: t.name,
                "name",
                ("sort_key", "name"),
                html=link("township-detail", lambda t: t.name),
            ),
            Column(_("类型"), lambda t: t.get_kind_display(), "kind", ("kind",)),
            Column(_("行政区划代码"), lambda t: t.division_code),
            Column(_("村（社区）"), lambda t: t.village_count, "village_count", ("village_count",), numeric=True),
            count_column(_("人口"), "population"),
            count_column(_("户数"), "households"),
            active_column(),
        ),
        default_sort="name",
        export_name="township-export",
        filename="乡镇列表",
        create_url=lambda r: reverse("township-create") if can_manage_registry(r.user) else None,
        create_label=_("新建乡镇"),
        # The export keeps its own headers, sheet name and audit record.
        export_columns=(
            (_("名称"), cell("name")),
            (_("类型"), display("kind", Township)),
            (_("行政区划代码"), cell("division_code")),
            (_("村（社区）数"), cell("village_count")),
            (_("人口"), cell("population")),
            (_("户数"), cell("households")),
            (_("启用"), cell("is_active", value=lambda active: "是" if active else "否")),
        ),
        export_sheet=_("乡镇"),
        audit_list="townships",
        audit_label=_("乡镇列表"),
    )


township_list_view, township_export = list_views(townships_spec)


@require_get_or_post
@login_required
def township_create_view(request):
    require_registry_manager(request.user)
    return service_form(
        request,
        TownshipForm(request.POST or None),
        save=lambda data: township_create(actor=request.user, county=request.user.county, request=request, **data),
        message=lambda township: _("已新建乡镇“%(name)s”。") % {"name": township.name},
        success_url=lambda township: reverse("township-detail", args=[township.pk]),
        template="townships/township_form.html",
        context={"township": None},
    )


@require_get_or_post
@login_required
def township_update_view(request, pk):
    township = get_scoped_or_404(request.user, Township.objects.all(), pk=pk)
    require_registry_manager(request.user)
    return service_form(
        request,
        TownshipForm(request.POST or None, instance=Township.objects.get(pk=township.pk)),
        save=lambda data: township_update(actor=request.user, township=township, request=request, **data),
        message=_("已保存。"),
        success_url=reverse("township-detail", args=[township.pk]),
        template="townships/township_form.html",
        context={"township": township},
    )


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


@require_get_or_post
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
        for d in DEFINITIONS:  # an ordered list comes as one select per place (key__1, key__2, …)
            slots = [request.POST.get(f"{d.key}__{i}", "") for i in range(1, len(d.display_choices()) + 1)]
            if d.ordered_list and any(slots):
                values[d.key] = ",".join(slot for slot in slots if slot)
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
        value = request.POST.get(definition.key, current[definition.key]) if errors else current[definition.key]
        chosen = str(value).split(",") if definition.ordered_list else [str(value)]
        groups.setdefault(str(definition.group), []).append(
            {
                "def": definition,
                "value": value,
                # Choices are picked from their labels, never typed as codes; an ordered list is
                # one select per place, "（不用）" leaving the place out.
                "options": list(definition.display_choices().items()),
                "slots": [
                    (i, chosen[i - 1] if i <= len(chosen) else "")
                    for i in range(1, len(definition.display_choices()) + 1)
                ]
                if definition.ordered_list
                else [],
                "shown": " → ".join(str(definition.display_choices().get(c, c)) for c in chosen)
                if definition.choices
                else value,
                "default_shown": " → ".join(
                    str(definition.display_choices().get(c, c)) for c in str(definition.default).split(",")
                )
                if definition.choices
                else definition.default,
                "is_default": current.is_default(definition.key),
                "errors": errors.get(definition.key, []),
            }
        )
    return render(request, "townships/county_settings.html", {"groups": groups, "editable": editable, "county": county})


# --- Audit log ------------------------------------------------------------------------

# Readable names of the keys services write into an event's detail.
DETAIL_LABELS = {
    "list": _("列表"),
    "rows": _("行数"),
    "filters": _("筛选条件"),
    "fields": _("字段"),
    "reason": _("原因"),
    "opinion": _("意见"),
    "username": _("账号"),
    "method": _("请求方法"),
    "path": _("地址"),
    "step": _("步骤"),
    "stage": _("阶段"),
    "transition": _("变动"),
    "old": _("原值"),
    "new": _("新值"),
    "year": _("年度"),
    "kind": _("类型"),
    "late": _("逾期"),
    "source": _("来源"),
    "indicator": _("指标"),
    "signed": _("签发"),
    "approved": _("通过"),
    "accepted": _("接受"),
    "outcome": _("结果"),
    "acknowledged_mismatches": _("已核对差异"),
    "metric": _("指标"),
    "reported": _("填报值"),
    "recorded": _("记录值"),
    "note": _("备注"),
}
FIELD_LABELS = {"id_number": _("身份证号"), "phone": _("电话")}


def _detail_value(value):
    """Any JSON value a service wrote, as readable text: never raises, whatever the shape."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return "—"
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, str) for v in value) and value[0] not in FIELD_LABELS:
            return f"{value[0]} → {value[1]}"  # a change: old → new
        return "、".join(_detail_item(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{DETAIL_LABELS.get(k, k)}：{_detail_value(v)}" for k, v in value.items() if _shown(v))
    return str(value)


def _detail_item(item):
    if isinstance(item, str):
        return str(FIELD_LABELS.get(item, item))
    if isinstance(item, dict | list):
        return f"（{_detail_value(item)}）"
    return _detail_value(item)


def _shown(value):
    """Empty values (a blank reason, no fields) say nothing and are left out of the line."""
    return value not in ("", None, [], {})


def audit_detail_text(detail):
    """An event's detail as one line of text: labelled keys, changes as old → new, never JSON."""
    text = _detail_value(detail) if detail not in (None, "") else ""
    return text if len(text) <= 300 else text[:299] + "…"


def _actor_name(event):
    if event.actor is not None:
        return event.actor.display_name
    return event.actor_name or _("（未登录）")


def _actor_named(actor_id, first_name, last_name, username, actor_name):
    """``_actor_name`` from plain values (User.display_name: the name given, the full name, the login)."""
    if actor_id is not None:
        return first_name or f"{first_name} {last_name}".strip() or username
    return actor_name or _("（未登录）")


def audit_spec(request):
    return ListSpec(
        title=_("审计日志"),
        queryset=lambda r: scope_for(r.user, AuditEvent.objects.select_related("actor", "township")),
        filterset_class=AuditFilterSet,
        columns=(
            Column(
                _("时间"),
                lambda e: timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                "time",
                ("created_at",),
                export=cell("created_at", value=lambda at: timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")),
            ),
            Column(
                _("操作人"),
                _actor_name,
                "actor",
                ("actor_name",),
                export=cell(
                    "actor_id",
                    "actor__first_name",
                    "actor__last_name",
                    "actor__username",
                    "actor_name",
                    value=_actor_named,
                    per_value=True,
                ),
            ),
            Column(
                _("动作"), lambda e: e.get_action_display(), "action", ("action",), export=display("action", AuditEvent)
            ),
            Column(_("对象"), lambda e: e.target_repr, export=cell("target_repr")),
            Column(
                _("乡镇"),
                lambda e: e.township.name if e.township else "",
                export=cell("township__name", value=lambda name: name or ""),
            ),
            Column(_("详情"), lambda e: audit_detail_text(e.detail), export=cell("detail", value=audit_detail_text)),
            Column(_("IP 地址"), lambda e: e.ip_address or "", export=cell("ip_address", value=lambda ip: ip or "")),
        ),
        default_sort="-time",
        export_name="audit-export",
        filename="审计日志",
        audit_list="audit",
        audit_label=_("审计日志"),
    )


def require_audit_reader(user):
    """The audit log is the county administrator's alone; to everyone else it does not exist."""
    if not (user.is_superuser or getattr(user, "is_county_admin", False)):
        raise Http404


@require_safe
@login_required
def audit_list_view(request):
    require_audit_reader(request.user)
    spec = audit_spec(request)
    person = request.GET.get("person", "")
    extra = {"person_filter": person.isdigit()}
    return render_list(request, spec, template="townships/audit_list.html", extra=extra)


@require_safe
@login_required
def audit_export(request):
    require_audit_reader(request.user)
    return export_list(request, audit_spec(request))


# --- Messages -----------------------------------------------------------------------


@require_get_or_post
@login_required
def message_list(request):
    """The user's own messages (站内消息), newest first; unread ones can be marked read."""
    if request.method == "POST":
        ids = None if request.POST.get("all") == "1" else [int_param(v) for v in request.POST.getlist("message")]
        count = message_mark_read(user=request.user, message_ids=ids)
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count})
        return redirect(request.get_full_path())
    rows = Message.objects.filter(recipient=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "townships/message_list.html",
        {"page": page, "unread_only": unread_only, "querystring": "unread=1" if unread_only else ""},
    )


# --- Village entries: the township's review (村级填报审核) ------------------------------


def _require_reviewer_or_reader(user):
    """The queue is the township's and the county's; a login with no township scope has none."""
    if not (user.is_superuser or user.is_township_staff or user.is_county_level) or user.is_village_staff:
        raise Http404


@require_safe
@login_required
def entry_review_list(request):
    """Every kind of village entry waiting for the township (村级填报待审核), oldest first."""
    _require_reviewer_or_reader(request.user)
    groups = village_entries_pending(user=request.user)
    return render(
        request,
        "townships/entry_review_list.html",
        {"groups": groups, "total": sum(len(rows) for _kind, rows in groups)},
    )


@require_get_or_post
@login_required
def entry_review(request, kind, pk):
    """One entry with its approve and return forms (the confirmation step); POST decides it."""
    _require_reviewer_or_reader(request.user)
    entry_kind_ = entry_kind(kind)
    if entry_kind_ is None:
        raise Http404
    entry = get_scoped_or_404(
        request.user, entry_kind_.model.objects.select_related("reviewed_by", *entry_kind_.related()), pk=pk
    )
    township = entry_kind_.township_of(entry)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("approve", "return"):
            error = _("请选择通过或退回。")
        else:
            try:
                village_entry_decide(
                    actor=request.user,
                    kind=entry_kind_,
                    entry=entry,
                    approve=action == "approve",
                    reason=request.POST.get("reason", "")[:300],
                    request=request,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("已审核通过。") if action == "approve" else _("已退回，并通知填报村。"))
                return redirect("entry-review-list")
    return render(
        request,
        "townships/entry_review.html",
        {
            "kind": entry_kind_,
            "entry": entry,
            "rows": entry_kind_.describe(entry),
            "entered_by": entry_kind_.entered_by(entry),
            "entered_at": entry_kind_.entered_at(entry),
            "township": township,
            "village": entry_kind_.village_of(entry),
            "can_review": can_review_village_entries(request.user, township.pk),
            "error": error,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
        },
    )
