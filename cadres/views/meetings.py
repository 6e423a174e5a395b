"""Organizational life (组织生活): meetings, compliance, appraisals, meeting import."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, cell, display, link, list_views, township_column
from townships.models import Township
from townships.scoping import can_submit_village_entries, can_write_records, get_scoped_or_404, scope_for
from townships.web import require_get_or_post, service_form
from townships.xlsx import workbook_response
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

from .. import imports, selectors, services
from ..filtersets import MeetingFilterSet
from ..forms import AppraisalForm, MeetingForm
from ..models import Appraisal, Meeting, PartyMember
from .common import _date, _import_page, _yes, require_writer, year_param


def _organization_named(organization):
    """A 党小组 is named with its branch and village (group names repeat from branch to branch):
    第一党小组（李家村党支部）, or 第一党小组（二组支部 · 李家村） when the branch's name does not
    say its village. Everything read here is joined by the list's query."""
    parent = organization.parent
    return _named(
        organization.name,
        organization.kind,
        parent.name if parent else None,
        organization.village.name if organization.village else None,
        parent.village.name if parent and parent.village else None,
    )


def _named(name, kind, parent_name, village_name, parent_village_name):
    if kind != OrganizationKind.GROUP or parent_name is None:
        return name
    village = village_name or parent_village_name
    where = parent_name if village is None or village in parent_name else f"{parent_name} · {village}"
    return f"{name}（{where}）"


def meetings_spec(request):
    return ListSpec(
        title=gettext_lazy("组织生活记录"),
        queryset=lambda r: scope_for(
            r.user,
            Meeting.objects.select_related(
                "organization__parent", "organization__village", "organization__parent__village", "township"
            ),
        ),
        filterset_class=MeetingFilterSet,
        columns=(
            township_column(),
            Column(
                _("党组织"),
                lambda m: _organization_named(m.organization),
                export=cell(
                    "organization__name",
                    "organization__kind",
                    "organization__parent__name",
                    "organization__village__name",
                    "organization__parent__village__name",
                    value=_named,
                    per_value=True,
                ),
            ),
            Column(_("类型"), lambda m: m.get_kind_display(), "kind", ("kind",), export=display("kind", Meeting)),
            Column(_("日期"), lambda m: _date(m.held_on), "held_on", ("held_on",), export=cell("held_on", value=_date)),
            Column(_("主题"), lambda m: m.topic, html=link("meeting-detail", lambda m: m.topic), export=cell("topic")),
            Column(_("应到"), lambda m: m.entitled, numeric=True, export=cell("entitled")),
            Column(_("实到"), lambda m: m.present, numeric=True, export=cell("present")),
            Column(_("佐证"), lambda m: _yes(m.evidence), export=cell("evidence", value=_yes, per_value=True)),
            Column(
                _("审核"), lambda m: m.get_status_display(), "status", ("status",), export=display("status", Meeting)
            ),
        ),
        default_sort="-held_on",
        export_name="meeting-export",
        filename="组织生活记录",
        create_url=lambda r: reverse("meeting-create") if can_write_records(r.user) else None,
        create_label=_("记录会议"),
        links=lambda r: [
            (_("应开未开"), reverse("meeting-compliance")),
            (_("民主评议"), reverse("appraisal-list")),
            *([(_("导入记录"), reverse("meeting-import"))] if can_write_records(r.user) else []),
        ],
    )


meeting_list, meeting_export = list_views(meetings_spec)


@require_get_or_post
@login_required
def meeting_create(request):
    """The township's and the county's form, and a village login's: the same form and service, the
    village's organizations only, and its record pending until the township approves it."""
    from_village = can_submit_village_entries(request.user)
    if not from_village:
        require_writer(request.user)

    def save(data):
        if not from_village:
            require_writer(request.user, data["organization"].township_id)
        return services.meeting_record(actor=request.user, request=request, **data)

    return service_form(
        request,
        MeetingForm(request.POST or None, request.FILES or None, user=request.user),
        save=save,
        message=_("已报送，待乡镇审核通过后计入统计。") if from_village else _("已记录。"),
        success_url=lambda meeting: reverse(
            "village-home" if from_village else "meeting-detail", args=[] if from_village else [meeting.pk]
        ),
        title=_("记录组织生活"),
        context={"multipart": True},
    )


@require_safe
@login_required
def meeting_detail(request, pk):
    meeting = get_scoped_or_404(
        request.user, Meeting.objects.select_related("organization", "township", "recorded_by", "reviewed_by"), pk=pk
    )
    return render(request, "cadres/meeting_detail.html", {"meeting": meeting})


@require_safe
@login_required
def meeting_evidence(request, pk):
    """Evidence is served through scoping, never as a public media URL."""
    meeting = get_scoped_or_404(request.user, Meeting.objects.all(), pk=pk)
    if not meeting.evidence:
        raise Http404
    return FileResponse(
        meeting.evidence.open("rb"), as_attachment=False, filename=meeting.evidence.name.rsplit("/", 1)[-1]
    )


@require_safe
@login_required
def meeting_compliance(request):
    today = timezone.localdate()
    year = year_param(request)
    start, end = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)
    organizations = scope_for(request.user, PartyOrganization.objects.all())
    township = request.GET.get("township")
    if township:
        organizations = organizations.filter(township_id=township) if township.isdigit() else organizations.none()
    county_id = request.user.county_id or Township.objects.values_list("county_id", flat=True).first()
    rows = selectors.meeting_compliance(organizations=organizations, start=start, end=end, conf=settings_for(county_id))
    rows.sort(key=lambda r: (r.ratio, r.organization_name))
    return render(
        request,
        "cadres/meeting_compliance.html",
        {
            "rows": rows[:300],
            "total": len(rows),
            "year": year,
            "end": end,
            "townships": scope_for(request.user, Township.objects.filter(is_active=True)),
            "township_id": township,
        },
    )


@require_safe
@login_required
def appraisal_list(request):
    appraisals = scope_for(request.user, Appraisal.objects.select_related("organization", "township")).order_by(
        "-year", "organization__name"
    )[:200]
    return render(request, "cadres/appraisal_list.html", {"appraisals": appraisals})


@require_get_or_post
@login_required
def appraisal_create(request, organization_pk):
    organization = get_scoped_or_404(
        request.user, PartyOrganization.objects.select_related("township"), pk=organization_pk
    )
    require_writer(request.user, organization.township_id)
    members = list(
        PartyMember.objects.filter(
            organization__in=services._subtree_ids(organization),
            is_active=True,
            stage__in=services.ACTIVE_MEMBER_STAGES,
        )
        .select_related("person")
        .order_by("person__name")
    )
    form = AppraisalForm(request.POST or None, members=members)
    year = timezone.localdate().year
    return service_form(
        request,
        form,
        save=lambda data: services.appraisal_record(
            actor=request.user,
            organization=organization,
            year=data["held_on"].year,
            held_on=data["held_on"],
            ratings=form.ratings(),
            request=request,
        ),
        message=_("民主评议结果已保存。"),
        success_url=reverse("appraisal-list"),
        title=_("%(org)s %(year)s 年度民主评议党员") % {"org": organization.name, "year": year},
    )


@require_get_or_post
@login_required
def meeting_import(request):
    return _import_page(request, kind="meetings")


@require_safe
@login_required
def meeting_template(request):
    return workbook_response(imports.meetings_template(), "组织生活导入模板.xlsx")
