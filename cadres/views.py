import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, link, list_views
from townships.models import Township
from townships.scoping import (
    can_edit_in_township,
    can_reveal_personal_data,
    can_write_records,
    get_scoped_or_404,
    scope_for,
)
from townships.web import FORM_TEMPLATE, UploadForm, apply_form_errors, service_form, workbook_response
from villages.models import PartyOrganization

from . import imports, selectors, services
from .choices import Stage, Transition
from .filtersets import (
    CorrectionFilterSet,
    MeetingFilterSet,
    MemberPostFilterSet,
    MobileRecordFilterSet,
    PartyMemberFilterSet,
    PersonFilterSet,
    TenureFilterSet,
)
from .forms import (
    ApplyForm,
    AppraisalForm,
    ContactDateForm,
    CorrectionCloseForm,
    MeetingForm,
    MemberPostForm,
    MobileForm,
    PersonForm,
    RegisterForm,
    TenureEndForm,
    TenureForm,
    TransitionForm,
    VillageDateForm,
)
from .models import Correction, Meeting, MemberPost, MobileRecord, PartyMember, Person, Tenure


def require_writer(user, township_id=None):
    if not can_write_records(user) or (township_id is not None and not can_edit_in_township(user, township_id)):
        raise PermissionDenied(_("您没有修改这些记录的权限。"))


def _date(value):
    return value.isoformat() if value else ""


def _yes(value):
    return _("是") if value else _("否")


# --- People -----------------------------------------------------------------


def people_spec(request):
    return ListSpec(
        title=gettext_lazy("人员"),
        queryset=lambda r: scope_for(r.user, Person.objects.select_related("township", "village")),
        filterset_class=PersonFilterSet,
        columns=(
            Column(_("乡镇"), lambda p: p.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("村（社区）"), lambda p: p.village.name if p.village else ""),
            Column(_("姓名"), lambda p: p.name, "name", ("name",), html=link("person-detail", lambda p: p.name)),
            Column(_("性别"), lambda p: p.get_gender_display()),
            Column(_("出生日期"), lambda p: _date(p.birth_date), "birth_date", ("birth_date",)),
            Column(_("身份证号"), lambda p: p.id_number_masked),
            Column(_("联系电话"), lambda p: p.phone_masked),
            Column(_("学历"), lambda p: p.get_education_display()),
        ),
        default_sort="township",
        export_name="person-export",
        filename="人员名单",
        create_url=lambda r: reverse("person-create") if can_write_records(r.user) else None,
        create_label=_("登记人员"),
    )


person_list, person_export = list_views(people_spec)


@login_required
def person_detail(request, pk, revealed=False):
    person = get_scoped_or_404(request.user, Person.objects.select_related("township", "village"), pk=pk)
    memberships = person.memberships.select_related("organization").order_by("-is_active", "-pk")
    tenures = person.tenures.select_related("village").order_by("-started_on")
    return render(
        request,
        "cadres/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "tenures": tenures,
            "revealed": revealed,
            "can_reveal": can_reveal_personal_data(request.user),
            "can_write": can_write_records(request.user) and can_edit_in_township(request.user, person.township_id),
        },
    )


@require_POST
@login_required
def person_reveal(request, pk):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=pk)
    if not can_reveal_personal_data(request.user):
        raise PermissionDenied(_("您的角色不能查看完整的身份证号和电话。"))
    services.person_reveal(actor=request.user, person=person, request=request)
    return person_detail(request, pk, revealed=True)


@login_required
def person_form(request, pk=None):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=pk) if pk else None
    require_writer(request.user, person.township_id if person else None)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk) if pk else None, user=request.user)
    if person is not None and request.method != "POST":
        # The edit form never shows personal data in full: leave blank to keep.
        form.initial["id_number"] = ""
        form.initial["phone"] = ""
        form.fields["id_number"].required = False
        form.fields["id_number"].help_text = _("留空表示不修改（当前：%(m)s）") % {"m": person.id_number_masked}
        form.fields["phone"].help_text = _("留空表示不修改（当前：%(m)s）") % {"m": person.phone_masked or "—"}
    elif person is not None:
        form.fields["id_number"].required = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if person is not None:
            for key in ("id_number", "phone"):
                if not data.get(key):
                    data.pop(key)
        if not can_edit_in_township(request.user, data["township"].pk):
            raise PermissionDenied
        try:
            if person is None:
                person = services.person_create(actor=request.user, request=request, **data)
            else:
                services.person_update(actor=request.user, person=person, request=request, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("person-detail", pk=person.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "title": _("编辑人员") if person else _("登记人员")})


# --- Members ----------------------------------------------------------------


def _full_export(request):
    """?full=1 on the roster export: full ID numbers and phones, for the roles that may see them."""
    return request.GET.get("full") == "1" and request.path.endswith(".xlsx") and can_reveal_personal_data(request.user)


def members_spec(request):
    return ListSpec(
        title=gettext_lazy("党员名册"),
        queryset=lambda r: selectors.member_list(members=scope_for(r.user, PartyMember.objects.all())),
        filterset_class=PartyMemberFilterSet,
        columns=(
            Column(_("乡镇"), lambda m: m.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("党组织"), lambda m: m.organization.name),
            Column(
                _("姓名"),
                lambda m: m.person.name,
                "name",
                ("person__name",),
                html=link("member-detail", lambda m: m.person.name),
            ),
            Column(_("性别"), lambda m: m.person.get_gender_display()),
            Column(_("出生日期"), lambda m: _date(m.person.birth_date), "birth_date", ("person__birth_date",)),
            *(
                [Column(_("身份证号"), lambda m: m.person.id_number), Column(_("联系电话"), lambda m: m.person.phone)]
                if _full_export(request)
                else [Column(_("身份证号"), lambda m: m.person.id_number_masked)]
            ),
            Column(_("发展阶段"), lambda m: m.get_stage_display(), "stage", ("stage",)),
            Column(_("入党日期"), lambda m: _date(m.admitted_on), "admitted_on", ("admitted_on",)),
            Column(_("在册"), lambda m: _yes(m.is_active)),
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


@login_required
def member_export(request):
    if request.GET.get("full") == "1":
        if not can_reveal_personal_data(request.user):
            raise PermissionDenied(_("您的角色不能导出完整的身份证号和电话。"))
        from townships.choices import AuditAction
        from townships.services import audit_record

        audit_record(
            actor=request.user,
            action=AuditAction.REVEAL,
            detail={"fields": ["id_number", "phone"], "list": "member-export", "filters": request.GET.urlencode()},
            request=request,
            target_repr=_("党员名册（完整信息）"),
        )
    return _member_export(request)


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


@login_required
def member_apply(request, person_pk):
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=person_pk)
    require_writer(request.user, person.township_id)
    register = request.GET.get("register") == "1" or request.POST.get("register") == "1"
    form_class = RegisterForm if register else ApplyForm
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            if register:
                stage = data.pop("stage")
                member = services.member_register(
                    actor=request.user,
                    person=person,
                    organization=organization,
                    stage=stage,
                    request=request,
                    **{k: v for k, v in data.items() if v},
                )
            else:
                member = services.member_apply(
                    actor=request.user, person=person, organization=organization, request=request, **data
                )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已登记。"))
            return redirect("member-detail", pk=member.pk)
    title = _("登记在册党员：%(name)s") if register else _("递交入党申请：%(name)s")
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": title % {"name": person.name}, "hidden": {"register": "1" if register else ""}},
    )


@login_required
def member_transition(request, pk, transition):
    member = get_scoped_or_404(request.user, PartyMember.objects.select_related("person"), pk=pk)
    require_writer(request.user, member.township_id)
    if transition not in TransitionForm.FIELDS:
        raise Http404
    form = TransitionForm(request.POST or None, transition=transition, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_transition(
                actor=request.user,
                member=member,
                transition=transition,
                on_date=form.cleaned_data["on_date"],
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已办理：%(t)s。") % {"t": Transition(transition).label})
            return redirect("member-detail", pk=member.pk)
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": f"{Transition(transition).label}：{member.person.name}", "member": member},
    )


@login_required
def member_due(request):
    today = timezone.localdate()
    members = scope_for(request.user, PartyMember.objects.all())
    county_id = request.user.county_id or Township.objects.values_list("county_id", flat=True).first()
    due = selectors.pipeline_due(members=members, today=today, conf=settings_for(county_id))
    return render(request, "cadres/member_due.html", {"due": due, "today": today})


# --- Mobile members, posts, corrections ------------------------------------


def mobile_spec(request):
    return ListSpec(
        title=gettext_lazy("流动党员"),
        queryset=lambda r: scope_for(
            r.user, MobileRecord.objects.select_related("member__person", "township", "contact_person")
        ),
        filterset_class=MobileRecordFilterSet,
        columns=(
            Column(_("乡镇"), lambda m: m.township.name, "township", ("township__sort_key", "township__name")),
            Column(
                _("姓名"),
                lambda m: m.member.person.name,
                html=link("member-detail", lambda m: m.member.person.name, lambda m: m.member_id),
            ),
            Column(_("流入地"), lambda m: m.destination),
            Column(_("外出日期"), lambda m: _date(m.since), "since", ("since",)),
            Column(_("联系人"), lambda m: m.contact_person.name if m.contact_person else ""),
            Column(_("最近联系"), lambda m: _date(m.last_contact_on), "last_contact_on", ("last_contact_on",)),
            Column(_("返回日期"), lambda m: _date(m.ended_on)),
        ),
        default_sort="last_contact_on",
        export_name="mobile-export",
        filename="流动党员",
    )


mobile_list, mobile_export = list_views(mobile_spec)


@login_required
def mobile_start(request, pk):
    member = get_scoped_or_404(request.user, PartyMember.objects.select_related("person"), pk=pk)
    require_writer(request.user, member.township_id)
    return service_form(
        request,
        MobileForm(request.POST or None),
        save=lambda data: services.mobile_start(actor=request.user, member=member, request=request, **data),
        success_url=reverse("member-detail", args=[member.pk]),
        title=_("登记流动党员：%(n)s") % {"n": member.person.name},
    )


@login_required
def mobile_update(request, pk, action):
    record = get_scoped_or_404(request.user, MobileRecord.objects.select_related("member__person"), pk=pk)
    require_writer(request.user, record.township_id)
    form = ContactDateForm(request.POST or None)
    form.fields["contacted_on"].label = _("联系日期") if action == "contact" else _("返回日期")
    if request.method == "POST" and form.is_valid():
        try:
            if action == "contact":
                services.mobile_contact(
                    actor=request.user, record=record, contacted_on=form.cleaned_data["contacted_on"]
                )
            else:
                services.mobile_end(actor=request.user, record=record, ended_on=form.cleaned_data["contacted_on"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect("member-detail", pk=record.member_id)
    return render(request, FORM_TEMPLATE, {"form": form, "title": record.member.person.name})


def posts_spec(request):
    return ListSpec(
        title=gettext_lazy("无职党员设岗定责"),
        queryset=lambda r: scope_for(r.user, MemberPost.objects.select_related("member__person", "township")),
        filterset_class=MemberPostFilterSet,
        columns=(
            Column(_("乡镇"), lambda p: p.township.name, "township", ("township__sort_key", "township__name")),
            Column(
                _("姓名"),
                lambda p: p.member.person.name,
                html=link("member-detail", lambda p: p.member.person.name, lambda p: p.member_id),
            ),
            Column(_("岗位"), lambda p: p.get_post_type_display(), "post_type", ("post_type",)),
            Column(_("职责"), lambda p: p.duty),
            Column(_("设岗日期"), lambda p: _date(p.started_on), "started_on", ("started_on",)),
            Column(_("撤岗日期"), lambda p: _date(p.ended_on)),
        ),
        default_sort="township",
        export_name="post-export",
        filename="设岗定责",
    )


post_list, post_export = list_views(posts_spec)


@login_required
def member_post_assign(request, pk):
    member = get_scoped_or_404(request.user, PartyMember.objects.select_related("person"), pk=pk)
    require_writer(request.user, member.township_id)
    return service_form(
        request,
        MemberPostForm(request.POST or None),
        save=lambda data: services.member_post_assign(actor=request.user, member=member, request=request, **data),
        success_url=reverse("member-detail", args=[member.pk]),
        title=_("设岗定责：%(n)s") % {"n": member.person.name},
    )


def corrections_spec(request):
    return ListSpec(
        title=gettext_lazy("不合格党员限期改正"),
        queryset=lambda r: scope_for(r.user, Correction.objects.select_related("member__person", "township")),
        filterset_class=CorrectionFilterSet,
        columns=(
            Column(_("乡镇"), lambda c: c.township.name, "township", ("township__sort_key", "township__name")),
            Column(
                _("姓名"),
                lambda c: c.member.person.name,
                html=link("member-detail", lambda c: c.member.person.name, lambda c: c.member_id),
            ),
            Column(_("原因"), lambda c: c.reason),
            Column(_("开始"), lambda c: _date(c.started_on), "started_on", ("started_on",)),
            Column(_("改正期限"), lambda c: _date(c.deadline), "deadline", ("deadline",)),
            Column(_("结果"), lambda c: c.get_outcome_display(), "outcome", ("outcome",)),
        ),
        default_sort="deadline",
        export_name="correction-export",
        filename="限期改正",
    )


correction_list, correction_export = list_views(corrections_spec)


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


# --- Roster import and template --------------------------------------------


def _import_page(request, *, kind):
    require_writer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        township = (
            Township.objects.get(pk=request.user.township_id)
            if request.user.is_township_staff
            else form.cleaned_data["township"]
        )
        run = imports.roster_import if kind == "roster" else imports.meetings_import
        result = run(actor=request.user, township=township, upload=form.cleaned_data["file"], request=request)
        if result.ok:
            messages.success(request, result.message)
    return render(
        request,
        "cadres/import.html",
        {
            "form": form,
            "result": result,
            "kind": kind,
            "title": _("导入党员名册") if kind == "roster" else _("导入组织生活记录"),
            "template_url": reverse("member-template" if kind == "roster" else "meeting-template"),
        },
    )


@login_required
def member_import(request):
    return _import_page(request, kind="roster")


@login_required
def meeting_import(request):
    return _import_page(request, kind="meetings")


@login_required
def member_template(request):
    return workbook_response(imports.roster_template(), "党员名册导入模板.xlsx")


@login_required
def meeting_template(request):
    return workbook_response(imports.meetings_template(), "组织生活导入模板.xlsx")


# --- Cadres -----------------------------------------------------------------


def tenures_spec(request):
    return ListSpec(
        title=gettext_lazy("干部任职"),
        queryset=lambda r: scope_for(r.user, Tenure.objects.select_related("person", "township", "village")),
        filterset_class=TenureFilterSet,
        columns=(
            Column(_("乡镇"), lambda t: t.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("村（社区）"), lambda t: t.village.name if t.village else ""),
            Column(_("职务"), lambda t: t.get_post_display(), "post", ("post",)),
            Column(
                _("姓名"),
                lambda t: t.person.name,
                html=link("person-detail", lambda t: t.person.name, lambda t: t.person_id),
            ),
            Column(_("任职日期"), lambda t: _date(t.started_on), "started_on", ("started_on",)),
            Column(_("离任日期"), lambda t: _date(t.ended_on), "ended_on", ("ended_on",)),
            Column(_("离任原因"), lambda t: t.end_reason),
        ),
        default_sort="township",
        export_name="tenure-export",
        filename="干部任职",
        create_url=lambda r: reverse("person-list") if can_write_records(r.user) else None,
        create_label=_("从人员页面办理任职"),
        links=lambda r: [(_("村干部概况"), reverse("village-cadres"))],
    )


tenure_list, tenure_export = list_views(tenures_spec)


@login_required
def tenure_start(request, person_pk):
    person = get_scoped_or_404(request.user, Person.objects.select_related("township"), pk=person_pk)
    require_writer(request.user)
    form = TenureForm(
        request.POST or None, user=request.user, initial={"township": person.township_id, "village": person.village_id}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require_writer(request.user, data["township"].pk)
        try:
            services.tenure_start(actor=request.user, person=person, request=request, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect("person-detail", pk=person.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "title": _("任职：%(n)s") % {"n": person.name}})


@login_required
def tenure_end(request, pk):
    tenure = get_scoped_or_404(request.user, Tenure.objects.select_related("person"), pk=pk)
    require_writer(request.user, tenure.township_id)
    return service_form(
        request,
        TenureEndForm(request.POST or None),
        save=lambda data: services.tenure_end(actor=request.user, tenure=tenure, request=request, **data),
        success_url=reverse("person-detail", args=[tenure.person_id]),
        title=_("离任：%(n)s") % {"n": tenure.person.name},
    )


@login_required
def person_village_action(request, person_pk, action):
    """包村联村 (contact) or 后备干部 (reserve) for a person."""
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=person_pk)
    require_writer(request.user)
    form = VillageDateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require_writer(request.user, data["village"].township_id)
        try:
            if action == "contact":
                services.contact_assign(
                    actor=request.user,
                    person=person,
                    village=data["village"],
                    started_on=data["started_on"],
                    request=request,
                )
            else:
                services.reserve_add(
                    actor=request.user,
                    person=person,
                    village=data["village"],
                    added_on=data["started_on"],
                    note=data["note"],
                    request=request,
                )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            return redirect("person-detail", pk=person.pk)
    title = _("包村联村：%(n)s") if action == "contact" else _("纳入后备干部：%(n)s")
    return render(request, FORM_TEMPLATE, {"form": form, "title": title % {"n": person.name}})


@login_required
def village_cadres(request):
    township_id = request.GET.get("township")
    townships = scope_for(request.user, Township.objects.filter(is_active=True))
    if township_id:
        townships = townships.filter(pk=township_id) if township_id.isdigit() else townships.none()
    county_id = request.user.county_id or Township.objects.values_list("county_id", flat=True).first()
    rows = selectors.village_cadre_overview(
        townships=townships, today=timezone.localdate(), conf=settings_for(county_id)
    )
    return render(
        request,
        "cadres/village_cadres.html",
        {
            "rows": rows,
            "townships": scope_for(request.user, Township.objects.filter(is_active=True)),
            "township_id": township_id,
        },
    )


# --- Organizational life ----------------------------------------------------


def meetings_spec(request):
    return ListSpec(
        title=gettext_lazy("组织生活记录"),
        queryset=lambda r: scope_for(r.user, Meeting.objects.select_related("organization", "township")),
        filterset_class=MeetingFilterSet,
        columns=(
            Column(_("乡镇"), lambda m: m.township.name, "township", ("township__sort_key", "township__name")),
            Column(_("党组织"), lambda m: m.organization.name),
            Column(_("类型"), lambda m: m.get_kind_display(), "kind", ("kind",)),
            Column(_("日期"), lambda m: _date(m.held_on), "held_on", ("held_on",)),
            Column(_("主题"), lambda m: m.topic, html=link("meeting-detail", lambda m: m.topic)),
            Column(_("应到"), lambda m: m.entitled, numeric=True),
            Column(_("实到"), lambda m: m.present, numeric=True),
            Column(_("佐证"), lambda m: _yes(m.evidence)),
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


@login_required
def meeting_create(request):
    require_writer(request.user)
    form = MeetingForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        require_writer(request.user, data["organization"].township_id)
        try:
            meeting = services.meeting_record(actor=request.user, request=request, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("已记录。"))
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "title": _("记录组织生活"), "multipart": True})


@login_required
def meeting_detail(request, pk):
    meeting = get_scoped_or_404(
        request.user, Meeting.objects.select_related("organization", "township", "recorded_by"), pk=pk
    )
    return render(request, "cadres/meeting_detail.html", {"meeting": meeting})


@login_required
def meeting_evidence(request, pk):
    """Evidence is served through scoping, never as a public media URL."""
    meeting = get_scoped_or_404(request.user, Meeting.objects.all(), pk=pk)
    if not meeting.evidence:
        raise Http404
    return FileResponse(
        meeting.evidence.open("rb"), as_attachment=False, filename=meeting.evidence.name.rsplit("/", 1)[-1]
    )


@login_required
def meeting_compliance(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        if not 2000 <= year <= today.year + 1:
            raise ValueError
    except ValueError:
        messages.error(request, _("年份不正确，已显示今年。"))
        year = today.year
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


@login_required
def appraisal_list(request):
    from .models import Appraisal

    appraisals = scope_for(request.user, Appraisal.objects.select_related("organization", "township")).order_by(
        "-year", "organization__name"
    )[:200]
    return render(request, "cadres/appraisal_list.html", {"appraisals": appraisals})


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
    if request.method == "POST" and form.is_valid():
        held_on = form.cleaned_data["held_on"]
        try:
            services.appraisal_record(
                actor=request.user,
                organization=organization,
                year=held_on.year,
                held_on=held_on,
                ratings=form.ratings(),
                request=request,
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("民主评议结果已保存。"))
            return redirect("appraisal-list")
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "title": _("%(org)s %(year)s 年度民主评议党员") % {"org": organization.name, "year": year}},
    )


# --- Alerts -----------------------------------------------------------------


@login_required
def alert_list(request):
    alerts = _alerts(request)
    code = request.GET.get("code", "")
    if code:
        alerts = [a for a in alerts if a.code == code]
    return render(
        request,
        "cadres/alert_list.html",
        {
            "alerts": alerts,
            "codes": selectors.AlertCode.LABELS,
            "code": code,
            "counts": _alert_counts(_alerts(request)),
        },
    )


def _alerts(request):
    return selectors.alerts_for(
        townships=scope_for(request.user, Township.objects.filter(is_active=True)), today=timezone.localdate()
    )


def _alert_counts(alerts):
    counts = {}
    for alert in alerts:
        counts[alert.code] = counts.get(alert.code, 0) + 1
    return counts


@login_required
def alert_export(request):
    from townships.choices import AuditAction
    from townships.services import audit_record
    from townships.xlsx import xlsx_response

    alerts = _alerts(request)
    rows = [[a.township_name, a.village_name, str(a.label), a.message, a.count] for a in alerts]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        detail={"list": "alerts", "rows": len(rows)},
        request=request,
        target_repr=_("预警"),
    )
    headers = [_("乡镇"), _("村（社区）"), _("预警"), _("说明"), _("数量")]
    return xlsx_response(f"预警清单-{timezone.localdate():%Y%m%d}.xlsx", [(_("预警"), headers, rows)])
