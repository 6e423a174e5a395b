"""Party members (党员): roster, pipeline steps, mobile members, posts, corrections, roster import."""

from operator import attrgetter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, audited_filters, cell, display, link, list_views, township_column
from townships.models import Township
from townships.scoping import (
    can_edit_in_township,
    can_reveal_personal_data,
    can_write_records,
    get_scoped_or_404,
    scope_for,
)
from townships.services import audit_record
from townships.web import require_get_or_post, service_form
from townships.xlsx import workbook_response

from .. import imports, selectors, services
from ..choices import Stage, Transition
from ..filtersets import (
    CorrectionFilterSet,
    MemberPostFilterSet,
    MobileRecordFilterSet,
    PartyMemberFilterSet,
    lost_contact_rule,
    whole_months,
)
from ..forms import (
    ApplyForm,
    ContactDateForm,
    CorrectionCloseForm,
    MemberPostForm,
    MobileForm,
    RegisterForm,
    TransitionForm,
)
from ..identity import mask_id_number
from ..models import Correction, MemberPost, MobileRecord, PartyMember, Person
from .common import _date, _import_page, _yes, require_writer


def _full_export(request):
    """?full=1 on the roster export: full ID numbers and phones, for the roles that may see them."""
    return request.GET.get("full") == "1" and request.path.endswith(".xlsx") and can_reveal_personal_data(request.user)


def members_spec(request):
    return ListSpec(
        title=gettext_lazy("党员名册"),
        queryset=lambda r: selectors.member_list(members=scope_for(r.user, PartyMember.objects.all())),
        filterset_class=PartyMemberFilterSet,
        columns=(
            township_column(),
            Column(_("党组织"), lambda m: m.organization.name, export=cell("organization__name")),
            Column(
                _("姓名"),
                lambda m: m.person.name,
                "name",
                ("person__name",),
                html=link("member-detail", lambda m: m.person.name),
                export=cell("person__name"),
            ),
            Column(_("性别"), lambda m: m.person.get_gender_display(), export=display("person__gender", Person)),
            Column(
                _("出生日期"),
                lambda m: _date(m.person.birth_date),
                "birth_date",
                ("person__birth_date",),
                export=cell("person__birth_date", value=_date),
            ),
            *(
                [
                    Column(_("身份证号"), lambda m: m.person.id_number, export=cell("person__id_number")),
                    Column(_("联系电话"), lambda m: m.person.phone, export=cell("person__phone")),
                ]
                if _full_export(request)
                else [
                    Column(
                        _("身份证号"),
                        lambda m: m.person.id_number_masked,
                        export=cell("person__id_number", value=mask_id_number),
                    )
                ]
            ),
            Column(
                _("发展阶段"),
                lambda m: m.get_stage_display(),
                "stage",
                ("stage",),
                export=display("stage", PartyMember),
            ),
            Column(
                _("入党日期"),
                lambda m: _date(m.admitted_on),
                "admitted_on",
                ("admitted_on",),
                export=cell("admitted_on", value=_date),
            ),
            Column(_("在册"), lambda m: _yes(m.is_active), export=cell("is_active", value=_yes, per_value=True)),
        ),
        default_sort="township",
        export_name="member-export",
        filename="党员名册",
        links=lambda r: [
            (_("到期与逾期"), reverse("member-due")),
            (_("流动党员"), reverse("mobile-list")),
            (_("设岗定责"), reverse("post-list")),
            (_("限期改正"), reverse("correction-list")),
            *([(_("导入名册"), reverse("member-import"))] if can_write_records(r.user) else []),
        ],
    )


member_list, _member_export = list_views(members_spec)


@require_safe
@login_required
def member_export(request):
    if request.GET.get("full") == "1":
        if not can_reveal_personal_data(request.user):
            raise PermissionDenied(_("您的角色不能导出完整的身份证号和电话。"))
        audit_record(
            actor=request.user,
            action=AuditAction.REVEAL,
            detail={
                "fields": ["id_number", "phone"],
                "list": "member-export",
                "filters": audited_filters(request.GET, PartyMemberFilterSet),
            },
            request=request,
            target_repr=_("党员名册（完整信息）"),
        )
    return _member_export(request)


@require_safe
@login_required
def member_detail(request, pk):
    member = get_scoped_or_404(
        request.user, PartyMember.objects.select_related("person", "organization", "township", "village"), pk=pk
    )
    can_write = can_write_records(request.user) and can_edit_in_township(request.user, member.township_id)
    available = []
    if member.is_active and can_write:
        by_stage = {
            Stage.APPLICANT: [Transition.TALK, Transition.ACTIVIST],
            Stage.ACTIVIST: [Transition.REVIEW, Transition.CANDIDATE],
            Stage.CANDIDATE: [Transition.REVIEW, Transition.ADMIT],
            Stage.PROBATIONARY: [Transition.CONFIRM, Transition.EXTEND, Transition.CANCEL],
            Stage.FULL: [],
        }
        available = [(t, Transition(t).label) for t in [*by_stage[member.stage], Transition.LEAVE]]
    return render(
        request,
        "cadres/member_detail.html",
        {
            "member": member,
            "events": member.events.select_related("recorded_by"),
            "mobile_records": member.mobile_records.select_related("contact_person"),
            "posts": member.posts.all(),
            "corrections": member.corrections.all(),
            "ratings": member.ratings.select_related("appraisal"),
            "mentors": member.mentors.select_related("person"),
            "sponsors": member.sponsors.select_related("person"),
            "transitions": available,
            "can_write": can_write,
        },
    )


@require_get_or_post
@login_required
def member_apply(request, person_pk):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=person_pk)
    require_writer(request.user, person.township_id)
    register = request.GET.get("register") == "1" or request.POST.get("register") == "1"
    form_class = RegisterForm if register else ApplyForm

    def save(cleaned_data):
        data = dict(cleaned_data)
        organization = data.pop("organization")
        if register:
            stage = data.pop("stage")
            return services.member_register(
                actor=request.user,
                person=person,
                organization=organization,
                stage=stage,
                request=request,
                **{k: v for k, v in data.items() if v},
            )
        return services.member_apply(
            actor=request.user, person=person, organization=organization, request=request, **data
        )

    title = _("登记在册党员：%(name)s") if register else _("递交入党申请：%(name)s")
    return service_form(
        request,
        form_class(request.POST or None, user=request.user),
        save=save,
        message=_("已登记。"),
        success_url=lambda member: reverse("member-detail", args=[member.pk]),
        title=title % {"name": person.name},
        context={"hidden": {"register": "1" if register else ""}},
    )


@require_get_or_post
@login_required
def member_transition(request, pk, transition):
    member = get_scoped_or_404(request.user, PartyMember.objects.select_related("person"), pk=pk)
    require_writer(request.user, member.township_id)
    if transition not in TransitionForm.FIELDS:
        raise Http404
    form = TransitionForm(request.POST or None, transition=transition, member=member)
    return service_form(
        request,
        form,
        save=lambda data: services.member_transition(
            actor=request.user,
            member=member,
            transition=transition,
            on_date=data["on_date"],
            request=request,
            **form.service_kwargs(),
        ),
        message=_("已办理：%(t)s。") % {"t": Transition(transition).label},
        success_url=reverse("member-detail", args=[member.pk]),
        title=f"{Transition(transition).label}：{member.person.name}",
        template="cadres/member_transition.html",
        context={"member": member},
    )


@require_safe
@login_required
def member_due(request):
    today = timezone.localdate()
    members = scope_for(request.user, PartyMember.objects.all())
    county_id = request.user.county_id or Township.objects.values_list("county_id", flat=True).first()
    due = selectors.pipeline_due(members=members, today=today, conf=settings_for(county_id))
    return render(request, "cadres/member_due.html", {"due": due, "today": today})


def _member_name_column():
    """The 姓名 column of a list of a member's records, linking to the member."""
    name = attrgetter("member.person.name")
    return Column(
        _("姓名"), name, html=link("member-detail", name, attrgetter("member_id")), export=cell("member__person__name")
    )


def _mobile_columns(request):
    """月数 since the last contact (since leaving, when never contacted) and the 失联 flag, by the
    county's threshold: one settings query per page, read once."""
    lost = lost_contact_rule(request.user)

    def months(record):
        return months_of(record.ended_on, record.last_contact_on, record.since)

    def months_of(ended_on, last_contact_on, since):
        if ended_on is not None:
            return None
        return whole_months(last_contact_on or since, lost.today)

    def flag(record):
        return _("失联") if lost.applies(record) else ""

    def flag_of(ended_on, last_contact_on):
        lost_contact = ended_on is None and (last_contact_on is None or last_contact_on < lost.cutoff)
        return _("失联") if lost_contact else ""

    def flag_html(record):
        if not lost.applies(record):
            return ""
        title = _("超过 %(m)s 个月未联系") % {"m": lost.months}
        return format_html('<span class="badge text-bg-danger" title="{}">{}</span>', title, _("失联"))

    return (
        Column(
            _("未联系月数"),
            months,
            numeric=True,
            export=cell("ended_on", "last_contact_on", "since", value=months_of, per_value=True),
        ),
        Column(
            _("失联"), flag, html=flag_html, export=cell("ended_on", "last_contact_on", value=flag_of, per_value=True)
        ),
    )


def _contact_name(contact_id, name):
    return name if contact_id is not None else _("未指定")


def mobile_spec(request):
    return ListSpec(
        title=gettext_lazy("流动党员"),
        queryset=lambda r: scope_for(
            r.user, MobileRecord.objects.select_related("member__person", "township", "contact_person")
        ),
        filterset_class=MobileRecordFilterSet,
        columns=(
            township_column(),
            _member_name_column(),
            Column(_("流入地"), lambda m: m.destination, export=cell("destination")),
            Column(_("外出日期"), lambda m: _date(m.since), "since", ("since",), export=cell("since", value=_date)),
            Column(
                _("联系人"),
                lambda m: m.contact_person.name if m.contact_person else _("未指定"),
                export=cell("contact_person_id", "contact_person__name", value=_contact_name),
            ),
            Column(
                _("最近联系"),
                lambda m: _date(m.last_contact_on),
                "last_contact_on",
                ("last_contact_on",),
                export=cell("last_contact_on", value=_date),
            ),
            *_mobile_columns(request),
            Column(_("返回日期"), lambda m: _date(m.ended_on), export=cell("ended_on", value=_date)),
        ),
        default_sort="last_contact_on",
        export_name="mobile-export",
        filename="流动党员",
    )


mobile_list, mobile_export = list_views(mobile_spec)


def _member_form(request, pk, form_class, service, title):
    """A small form on one member's record: the service gets the member, the page returns to the member."""
    member = get_scoped_or_404(request.user, PartyMember.objects.select_related("person"), pk=pk)
    require_writer(request.user, member.township_id)
    return service_form(
        request,
        form_class(request.POST or None),
        save=lambda data: service(actor=request.user, member=member, request=request, **data),
        success_url=reverse("member-detail", args=[member.pk]),
        title=title % {"n": member.person.name},
    )


@require_get_or_post
@login_required
def mobile_start(request, pk):
    return _member_form(request, pk, MobileForm, services.mobile_start, _("登记流动党员：%(n)s"))


@require_get_or_post
@login_required
def mobile_update(request, pk, action):
    record = get_scoped_or_404(request.user, MobileRecord.objects.select_related("member__person"), pk=pk)
    require_writer(request.user, record.township_id)
    form = ContactDateForm(request.POST or None)
    form.fields["contacted_on"].label = _("联系日期") if action == "contact" else _("返回日期")

    def save(data):
        if action == "contact":
            services.mobile_contact(
                actor=request.user, record=record, contacted_on=data["contacted_on"], request=request
            )
        else:
            services.mobile_end(actor=request.user, record=record, ended_on=data["contacted_on"], request=request)

    return service_form(
        request,
        form,
        save=save,
        success_url=reverse("member-detail", args=[record.member_id]),
        title=record.member.person.name,
    )


def posts_spec(request):
    return ListSpec(
        title=gettext_lazy("无职党员设岗定责"),
        queryset=lambda r: scope_for(r.user, MemberPost.objects.select_related("member__person", "township")),
        filterset_class=MemberPostFilterSet,
        columns=(
            township_column(),
            _member_name_column(),
            Column(
                _("岗位"),
                lambda p: p.get_post_type_display(),
                "post_type",
                ("post_type",),
                export=display("post_type", MemberPost),
            ),
            Column(_("职责"), lambda p: p.duty, export=cell("duty")),
            Column(
                _("设岗日期"),
                lambda p: _date(p.started_on),
                "started_on",
                ("started_on",),
                export=cell("started_on", value=_date),
            ),
            Column(_("撤岗日期"), lambda p: _date(p.ended_on), export=cell("ended_on", value=_date)),
        ),
        default_sort="township",
        export_name="post-export",
        filename="设岗定责",
    )


post_list, post_export = list_views(posts_spec)


@require_get_or_post
@login_required
def member_post_assign(request, pk):
    return _member_form(request, pk, MemberPostForm, services.member_post_assign, _("设岗定责：%(n)s"))


def corrections_spec(request):
    return ListSpec(
        title=gettext_lazy("不合格党员限期改正"),
        queryset=lambda r: scope_for(r.user, Correction.objects.select_related("member__person", "township")),
        filterset_class=CorrectionFilterSet,
        columns=(
            township_column(),
            _member_name_column(),
            Column(_("原因"), lambda c: c.reason, export=cell("reason")),
            Column(
                _("开始"),
                lambda c: _date(c.started_on),
                "started_on",
                ("started_on",),
                export=cell("started_on", value=_date),
            ),
            Column(
                _("改正期限"),
                lambda c: _date(c.deadline),
                "deadline",
                ("deadline",),
                export=cell("deadline", value=_date),
            ),
            Column(
                _("结果"),
                lambda c: c.get_outcome_display(),
                "outcome",
                ("outcome",),
                export=display("outcome", Correction),
            ),
        ),
        default_sort="deadline",
        export_name="correction-export",
        filename="限期改正",
    )


correction_list, correction_export = list_views(corrections_spec)


@require_get_or_post
@login_required
def correction_close(request, pk):
    correction = get_scoped_or_404(request.user, Correction.objects.select_related("member__person"), pk=pk)
    require_writer(request.user, correction.township_id)
    return service_form(
        request,
        CorrectionCloseForm(request.POST or None),
        save=lambda data: services.correction_close(actor=request.user, correction=correction, request=request, **data),
        success_url=reverse("member-detail", args=[correction.member_id]),
        title=_("限期改正处理：%(n)s") % {"n": correction.member.person.name},
    )


@require_get_or_post
@login_required
def member_import(request):
    return _import_page(request, kind="roster")


@require_safe
@login_required
def member_template(request):
    return workbook_response(imports.roster_template(), "党员名册导入模板.xlsx")
