"""表彰与推荐 pages: the lists (drawn from the record, nominated by townships), each decision with an
opinion and a confirmation, and the printable list of the decided."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cadres.models import Person
from townships.forms import bootstrapify
from townships.listing import Column, ListSpec, cell, display, link, list_views, render_list, township_column
from townships.models import Township
from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import BootstrapForm, apply_form_errors, require_get_or_post, user_county
from villages.models import PartyOrganization

from ..choices import NOMINATED_HONOURS, HonourKind, HonourState
from ..filtersets import HonourFilterSet
from ..models import Honour
from ..services import honours as honour_services


def _state_badge(honour):
    colour = {HonourState.APPROVED: "success", HonourState.DECLINED: "secondary"}.get(honour.state, "warning")
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, honour.get_state_display())


def honours_spec(request):
    return ListSpec(
        title=gettext_lazy("表彰与推荐"),
        queryset=lambda r: scope_for(
            r.user, Honour.objects.select_related("person", "organization", "township", "village")
        ),
        filterset_class=HonourFilterSet,
        columns=(
            Column(_("年度"), lambda h: h.year, "year", ("-year",), export=cell("year")),
            Column(_("类别"), lambda h: h.get_kind_display(), "kind", ("kind",), export=display("kind", Honour)),
            township_column(),
            Column(
                _("村（社区）"),
                lambda h: h.village.name if h.village else "",
                export=cell("village__name", value=lambda v: v or ""),
            ),
            Column(
                _("对象"),
                lambda h: h.name,
                html=link("honour-detail", lambda h: h.name),
                export=cell("person__name", "organization__name", value=lambda p, o: p or o, per_value=True),
            ),
            Column(
                _("来源"),
                lambda h: _("考核结果") if h.from_record else _("乡镇提名"),
                export=cell("from_record", value=lambda f: "考核结果" if f else "乡镇提名"),
            ),
            Column(_("理由"), lambda h: h.reason, export=cell("reason")),
            Column(
                _("状态"),
                lambda h: h.get_state_display(),
                "state",
                ("state",),
                html=_state_badge,
                export=display("state", Honour),
            ),
        ),
        default_sort="year",
        export_name="honour-export",
        filename="表彰与推荐",
        links=lambda r: [(_("打印决定名单"), reverse("honour-print", args=[timezone.localdate().year]))],
    )


honour_list_page, honour_export = list_views(honours_spec)


@require_safe
@login_required
def honour_list(request):
    form = ProposeForm(initial={"year": timezone.localdate().year})
    return render_list(
        request,
        honours_spec(request),
        template="assessments/honour_list.html",
        extra={"propose_form": form, "can_manage": can_manage_registry(request.user)},
    )


class ProposeForm(BootstrapForm):
    year = forms.IntegerField(label=_("七一表彰年度"), min_value=2000, max_value=2100)


@require_POST
@login_required
def honour_propose(request):
    if not can_manage_registry(request.user):
        raise PermissionDenied(_("只有县委组织部管理员可以生成提名名单。"))
    form = ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写年度。"))
        return redirect("honour-list")
    try:
        counts = honour_services.honours_propose(
            actor=request.user, county_id=user_county(request).pk, year=form.cleaned_data["year"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已按考核结果生成 %(y)s 年提名名单：%(c)s。")
            % {
                "y": form.cleaned_data["year"],
                "c": "，".join(f"{HonourKind(k).label} {n} 人" for k, n in counts.items()),
            },
        )
    return redirect(f"{reverse('honour-list')}?year={form.cleaned_data['year']}")


class NominateForm(BootstrapForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=_("类别"), choices=[(k.value, k.label) for k in HonourKind if k in NOMINATED_HONOURS]
    )
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none())
    person = forms.ModelChoiceField(label=_("党员（优秀共产党员）"), queryset=Person.objects.none(), required=False)
    organization = forms.ModelChoiceField(
        label=_("党组织（先进基层党组织）"), queryset=PartyOrganization.objects.none(), required=False
    )
    reason = forms.CharField(label=_("提名理由"), max_length=300)
    deeds = forms.CharField(label=_("主要事迹"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        townships = scope_for(user, Township.objects.filter(is_active=True)).order_by("sort_key", "name")
        self.fields["township"].queryset = townships
        self.fields["person"].queryset = (
            scope_for(user, Person.objects.filter(memberships__stage="full", memberships__is_active=True))
            .distinct()
            .order_by("name")
        )
        self.fields["organization"].queryset = scope_for(user, PartyOrganization.objects.all()).order_by("name")
        if user.is_township_staff:
            self.fields["township"].initial = user.township_id
        bootstrapify(self)


@require_get_or_post
@login_required
def honour_nominate(request):
    """A township's nomination of a 优秀共产党员 or a 先进基层党组织."""
    if request.user.role == "county_viewer" or not (
        request.user.is_township_staff or can_manage_registry(request.user)
    ):
        raise PermissionDenied(_("您没有提名的权限。"))
    form = NominateForm(request.POST or None, user=request.user, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            honour = honour_services.honour_nominate(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已提名，等待县委组织部决定。"))
            return redirect("honour-detail", pk=honour.pk)
    return render(request, "inc/form_page.html", {"form": form, "title": _("乡镇提名：优秀共产党员、先进基层党组织")})


class DecideForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("决定"), choices=[("approve", _("同意")), ("decline", _("不同意"))])
    opinion = forms.CharField(label=_("决定意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    confirm = forms.BooleanField(
        label=_("确认作出此决定（将通知乡镇，不能撤回）"), error_messages={"required": _("请勾选确认后再决定。")}
    )


@require_get_or_post
@login_required
def honour_detail(request, pk):
    honour = get_scoped_or_404(
        request.user,
        Honour.objects.select_related("person", "organization", "township", "village", "decided_by"),
        pk=pk,
    )
    manage = can_manage_registry(request.user)
    form = DecideForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("只有县委组织部管理员可以决定表彰和推荐。"))
        if form.is_valid():
            try:
                honour_services.honour_decide(
                    actor=request.user,
                    honour=honour,
                    approve=form.cleaned_data["decision"] == "approve",
                    opinion=form.cleaned_data["opinion"],
                    request=request,
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(request, _("已决定。"))
                return redirect("honour-detail", pk=honour.pk)
    return render(
        request,
        "assessments/honour_detail.html",
        {"honour": honour, "form": form, "can_decide": manage and honour.state == HonourState.PROPOSED},
    )


@require_safe
@login_required
def honour_print(request, year):
    """The year's decided lists (同意), by kind, for printing on A4."""
    approved = list(
        scope_for(request.user, Honour.objects.filter(year=year, state=HonourState.APPROVED))
        .select_related("person", "organization", "township", "village")
        .order_by("kind", "township__sort_key", "township__name", "pk")
    )
    groups = [(kind.label, [h for h in approved if h.kind == kind]) for kind in HonourKind]
    return render(request, "assessments/honour_print.html", {"year": year, "groups": [g for g in groups if g[1]]})


def person_honours_section(request, person):
    """The person page's commendations and recommendations (cadres.person_page), scoped."""
    rows = list(scope_for(request.user, Honour.objects.filter(person=person)).order_by("-year", "kind"))
    if not rows:
        return None
    return {"template": "assessments/inc_person_honours.html", "honours": rows}


def organization_honours_section(request, organization):
    """A Party organization's page: its 先进基层党组织 nominations and decisions
    (villages.organization_page), scoped."""
    rows = list(scope_for(request.user, Honour.objects.filter(organization=organization)).order_by("-year", "kind"))
    if not rows:
        return None
    return {"template": "assessments/inc_organization_honours.html", "honours": rows}
