"""定·查·评 pages: commitments (承诺实事) and their ledger, 督查台账, the village board, the printable
承诺公示 and the township's and county's overview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.listing import Column, ListSpec, cell, display, link, list_views, township_column
from townships.models import Township
from townships.scoping import (
    can_edit_in_township,
    can_submit_village_entries,
    can_write_records,
    get_scoped_or_404,
    scope_for,
)
from townships.web import apply_form_errors, require_get_or_post, service_form
from villages.models import Village

from .. import selectors, services
from ..choices import CommitmentStatus, FocusArea
from ..commitment_forms import (
    CommitmentForm,
    GradeForm,
    InspectionCloseForm,
    InspectionForm,
    MilestoneFormSet,
    ProgressForm,
    ReasonForm,
    milestone_rows,
)
from ..filtersets import CommitmentFilterSet, InspectionFilterSet
from ..models import Commitment, Inspection, ProgressEntry
from .common import _date, require_writer, year_param

COMMITMENTS = Commitment.objects.select_related("township", "village", "organization", "responsible")


def _commitment(request, pk):
    return get_scoped_or_404(request.user, COMMITMENTS, pk=pk)


# --- Lists -----------------------------------------------------------------------------


def _status_badge(c):
    colour = {"draft": "secondary", "submitted": "primary", "approved": "success", "returned": "danger"}[c.status]
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, c.get_status_display())


def commitments_spec(request):
    return ListSpec(
        title=gettext_lazy("承诺实事"),
        queryset=lambda r: scope_for(r.user, COMMITMENTS),
        filterset_class=CommitmentFilterSet,
        columns=(
            township_column(),
            Column(
                _("村（社区）"),
                lambda c: c.village.name,
                "village",
                ("village__sort_key", "village__name"),
                export=cell("village__name"),
            ),
            Column(_("年度"), lambda c: c.year, "year", ("year",), numeric=True, export=cell("year")),
            Column(
                _("承诺事项"),
                lambda c: c.title,
                "title",
                ("title",),
                html=link("commitment-detail", lambda c: c.title),
                export=cell("title"),
            ),
            Column(
                _("重点方面"), lambda c: c.get_focus_display(), "focus", ("focus",), export=display("focus", Commitment)
            ),
            Column(_("责任人"), lambda c: c.responsible.name, export=cell("responsible__name")),
            Column(
                _("目标"),
                lambda c: c.target_display,
                export=cell("target_kind", "target_quantity", "target_unit", value=_target, per_value=True),
            ),
            Column(
                _("状态"),
                lambda c: c.get_status_display(),
                "status",
                ("status",),
                html=_status_badge,
                export=display("status", Commitment),
            ),
            Column(
                _("评定等次"),
                lambda c: c.get_grade_display() or "—",
                "grade",
                ("grade",),
                export=display("grade", Commitment),
            ),
        ),  # fmt: skip
        default_sort="-year",
        export_name="commitment-export",
        filename="承诺实事",
        create_url=lambda r: reverse("commitment-create") if can_write_records(r.user) else None,
        create_label=_("录入承诺实事"),
        links=lambda r: [
            (_("概览与评优劣"), reverse("commitment-overview")),
            (_("督查台账"), reverse("inspection-list")),
        ],
    )


def _target(kind, quantity, unit):
    if kind == "quantity" and quantity is not None:
        return f"{quantity.normalize():f} {unit}"
    return _("完成与否")


commitment_list, commitment_export = list_views(commitments_spec)


def inspections_spec(request):
    return ListSpec(
        title=gettext_lazy("督查台账"),
        queryset=lambda r: scope_for(r.user, Inspection.objects.select_related("township", "village", "commitment")),
        filterset_class=InspectionFilterSet,
        columns=(
            township_column(),
            Column(
                _("村（社区）"),
                lambda i: i.village.name,
                "village",
                ("village__sort_key", "village__name"),
                export=cell("village__name"),
            ),
            Column(
                _("承诺事项"),
                lambda i: i.commitment.title,
                html=link("commitment-detail", lambda i: i.commitment.title, lambda i: i.commitment_id),
                export=cell("commitment__title"),
            ),
            Column(
                _("督查层级"), lambda i: i.get_level_display(), "level", ("level",), export=display("level", Inspection)
            ),
            Column(
                _("督查日期"),
                lambda i: _date(i.inspected_on),
                "inspected_on",
                ("inspected_on",),
                export=cell("inspected_on", value=_date),
            ),
            Column(
                _("督查结论"),
                lambda i: i.get_finding_display(),
                "finding",
                ("finding",),
                export=display("finding", Inspection),
            ),
            Column(_("整改要求"), lambda i: i.rectification or "—", export=cell("rectification")),
            Column(
                _("整改期限"),
                lambda i: _date(i.rectify_by),
                "rectify_by",
                ("rectify_by",),
                export=cell("rectify_by", value=_date),
            ),
            Column(
                _("销号日期"),
                lambda i: _date(i.closed_on) or "—",
                "closed_on",
                ("closed_on",),
                export=cell("closed_on", value=_date),
            ),
        ),  # fmt: skip
        default_sort="-inspected_on",
        export_name="inspection-export",
        filename="督查台账",
        links=lambda r: [(_("承诺实事"), reverse("commitment-list"))],
    )


inspection_list, inspection_export = list_views(inspections_spec)


# --- Entering and editing ----------------------------------------------------------------


def _commitment_form_page(request, form, formset, title, save, *, commitment=None):
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                result = save(form.cleaned_data, milestone_rows(formset))
        except ValidationError as error:
            apply_form_errors(form, error)
            if hasattr(error, "error_dict") and "milestones" in error.error_dict:
                formset._non_form_errors = formset.error_class(error.error_dict["milestones"][0].messages)
        else:
            messages.success(request, _("已保存。"))
            return redirect("commitment-detail", result.pk)
    return render(
        request,
        "cadres/commitment_form.html",
        {"form": form, "formset": formset, "title": title, "commitment": commitment},
    )


@require_get_or_post
@login_required
def commitment_create(request):
    require_writer(request.user)
    form = CommitmentForm(request.POST or None, request.FILES or None, user=request.user)
    formset = MilestoneFormSet(request.POST or None, prefix="m")

    def save(data, rows):
        require_writer(request.user, data["organization"].township_id)
        return services.commitment_create(actor=request.user, request=request, milestones=rows, **data)

    return _commitment_form_page(request, form, formset, _("录入承诺实事"), save)


EDITABLE = ("title", "focus", "responsible", "plan", "target_kind", "target_quantity", "target_unit")


@require_get_or_post
@login_required
def commitment_edit(request, pk):
    """Before approval: edit. After: an amendment with its reason (kept in the history)."""
    commitment = _commitment(request, pk)
    require_writer(request.user, commitment.township_id)
    if commitment.status == CommitmentStatus.SUBMITTED or commitment.grade:
        messages.error(request, _("待审核或已评定等次的承诺不能修改。"))
        return redirect("commitment-detail", commitment.pk)
    amend = commitment.status == CommitmentStatus.APPROVED
    initial = {name: getattr(commitment, name) for name in EDITABLE}
    form = CommitmentForm(
        request.POST or None, request.FILES or None, user=request.user, amend=amend, creating=False, initial=initial
    )
    formset = MilestoneFormSet(
        request.POST or None,
        prefix="m",
        initial=[
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "quantity": m.quantity}
            for m in commitment.milestones.all()
        ],
    )

    def save(data, rows):
        fields = {name: data[name] for name in EDITABLE}
        if amend:
            services.commitment_amend(
                actor=request.user, commitment=commitment, reason=data["reason"], milestones=rows, request=request,
                **fields,
            )  # fmt: skip
            return commitment
        updated = services.commitment_update(
            actor=request.user, commitment=commitment, milestones=rows, plan_file=data.get("plan_file"),
            plan_file_kind=data.get("plan_file_kind", ""), request=request, **fields,
        )  # fmt: skip
        if data.get("submit"):
            services.commitment_submit(actor=request.user, commitment=updated, request=request)
        return updated

    title = _("变更承诺实事（审核通过后的修改须说明原因）") if amend else _("修改承诺实事")
    return _commitment_form_page(request, form, formset, title, save, commitment=commitment)


ACTIONS = {
    "submit": (gettext_lazy("报乡镇党委审核"), gettext_lazy("已报审。")),
    "approve": (gettext_lazy("审核通过"), gettext_lazy("已审核通过。")),
    "return": (gettext_lazy("退回修改"), gettext_lazy("已退回。")),
}


@require_get_or_post
@login_required
def commitment_action(request, pk, action):
    """Submit, approve or return, each after a confirmation page (return asks for the reason)."""
    commitment = _commitment(request, pk)
    if action not in ACTIONS:
        raise Http404
    require_writer(request.user, commitment.township_id)
    label, done = ACTIONS[action]
    form = ReasonForm(request.POST or None) if action == "return" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if action == "submit":
                services.commitment_submit(actor=request.user, commitment=commitment, request=request)
            elif action == "approve":
                services.commitment_approve(actor=request.user, commitment=commitment, request=request)
            else:
                services.commitment_return(
                    actor=request.user, commitment=commitment, reason=form.cleaned_data["reason"], request=request
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, done)
        return redirect("commitment-detail", commitment.pk)
    return render(
        request,
        "cadres/commitment_confirm.html",
        {"commitment": commitment, "label": label, "form": form, "action": action},
    )


# --- One commitment ----------------------------------------------------------------------


@require_safe
@login_required
def commitment_detail(request, pk):
    commitment = _commitment(request, pk)
    page = selectors.commitment_page(commitment=commitment, today=timezone.localdate())
    may_write = can_write_records(request.user) and can_edit_in_township(request.user, commitment.township_id)
    approved = commitment.status == CommitmentStatus.APPROVED
    return render(
        request,
        "cadres/commitment_detail.html",
        {
            "page": page,
            "c": commitment,
            "may_write": may_write,
            "progress_form": ProgressForm(commitment=commitment)
            if (may_write or can_submit_village_entries(request.user, commitment.village_id))
            and approved
            and not commitment.grade
            else None,
            "inspection_form": InspectionForm(initial={"inspected_on": timezone.localdate()}) if may_write and approved else None,
            "grade_form": GradeForm(initial={"grade": commitment.grade, "note": commitment.grade_note})
            if may_write and approved and timezone.localdate() >= services.commitments.grading_opens(commitment.year)
            else None,
            "close_form": InspectionCloseForm(initial={"closed_on": timezone.localdate()}) if may_write else None,
        },
    )  # fmt: skip


def _form_page(request, commitment, form, save, title, message):
    return service_form(
        request,
        form,
        save=save,
        message=message,
        success_url=reverse("commitment-detail", args=[commitment.pk]),
        title=f"{title}：{commitment.title}",
        context={"multipart": True},
    )


@require_get_or_post
@login_required
def commitment_progress(request, pk):
    commitment = _commitment(request, pk)
    if not can_submit_village_entries(request.user, commitment.village_id):  # a village's entry waits for review
        require_writer(request.user, commitment.township_id)
    return _form_page(
        request,
        commitment,
        ProgressForm(request.POST or None, request.FILES or None, commitment=commitment),
        lambda data: services.progress_record(actor=request.user, commitment=commitment, request=request, **data),
        _("记录进展（台账）"),
        _("进展已记录。"),
    )


@require_get_or_post
@login_required
def commitment_inspect(request, pk):
    commitment = _commitment(request, pk)
    require_writer(request.user, commitment.township_id)
    return _form_page(
        request,
        commitment,
        InspectionForm(request.POST or None, initial={"inspected_on": timezone.localdate()}),
        lambda data: services.inspection_record(actor=request.user, commitment=commitment, request=request, **data),
        _("记录督查"),
        _("督查结论已记录。"),
    )


@require_get_or_post
@login_required
def inspection_close(request, pk):
    inspection = get_scoped_or_404(request.user, Inspection.objects.select_related("commitment"), pk=pk)
    require_writer(request.user, inspection.township_id)
    return _form_page(
        request,
        inspection.commitment,
        InspectionCloseForm(request.POST or None, initial={"closed_on": timezone.localdate()}),
        lambda data: services.inspection_close(actor=request.user, inspection=inspection, request=request, **data),
        _("整改销号"),
        _("整改已销号。"),
    )


@require_get_or_post
@login_required
def commitment_grade(request, pk):
    commitment = _commitment(request, pk)
    require_writer(request.user, commitment.township_id)
    return _form_page(
        request,
        commitment,
        GradeForm(
            request.POST or None,
            request.FILES or None,
            initial={"grade": commitment.grade, "note": commitment.grade_note},
        ),
        lambda data: services.commitment_grade(actor=request.user, commitment=commitment, request=request, **data),
        _("评定等次"),
        _("等次已评定。"),
    )


def _file(field):
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=False, filename=field.name.rsplit("/", 1)[-1])


@require_safe
@login_required
def commitment_file(request, pk, which):
    """Files are served through scoping, never as public media URLs."""
    commitment = _commitment(request, pk)
    if which not in ("plan", "grade"):
        raise Http404
    return _file(commitment.plan_file if which == "plan" else commitment.grade_evidence)


@require_safe
@login_required
def progress_evidence(request, pk):
    entry = get_scoped_or_404(request.user, ProgressEntry.objects.all(), pk=pk)
    return _file(entry.evidence)


# --- The village: board and 公示 -------------------------------------------------------------


def _village_year(request, village_pk):
    village = get_scoped_or_404(request.user, Village.objects.select_related("township"), pk=village_pk)
    year = year_param(request)
    commitments = scope_for(request.user, Commitment.objects.filter(village=village, year=year))
    return village, year, commitments


@require_safe
@login_required
def commitment_board(request, village_pk):
    """定/查/评 at a glance for one village and year."""
    village, year, commitments = _village_year(request, village_pk)
    rows = selectors.commitment_board(commitments=commitments, today=timezone.localdate())
    return render(
        request,
        "cadres/commitment_board.html",
        {
            "village": village,
            "year": year,
            "rows": rows,
            "may_write": can_write_records(request.user) and can_edit_in_township(request.user, village.township_id),
        },
    )


@require_safe
@login_required
def commitment_notice(request, village_pk):
    """承诺公示: the village's approved commitments of the year, printable on A4."""
    village, year, commitments = _village_year(request, village_pk)
    rows = list(
        commitments.filter(status=CommitmentStatus.APPROVED)
        .select_related("responsible", "organization")
        .prefetch_related("milestones")
        .order_by("focus", "pk")
    )
    return render(
        request,
        "cadres/commitment_notice.html",
        {"village": village, "year": year, "rows": rows, "today": timezone.localdate()},
    )


# --- Overview: counts, overdue, chart, 评优劣 ------------------------------------------------------


@require_safe
@login_required
def commitment_overview(request):
    year = year_param(request)
    today = timezone.localdate()
    townships = scope_for(request.user, Township.objects.filter(is_active=True)).order_by("sort_key", "name")
    chosen = request.GET.get("township", "")
    if chosen:
        townships = townships.filter(pk=chosen) if chosen.isdigit() else townships.none()
    township_rows = list(townships.values_list("pk", "name"))
    single = len(township_rows) == 1
    commitments = scope_for(request.user, Commitment.objects.filter(township__in=[pk for pk, _n in township_rows]))
    villages = Village.objects.filter(township__in=[pk for pk, _n in township_rows])
    due = selectors.commitments_due(townships=[pk for pk, _n in township_rows], today=today)
    overview = selectors.commitment_overview(
        commitments=commitments,
        units=selectors.village_units(villages) if single else township_rows,
        unit_path="village_id" if single else "township_id",
        due=due,
        year=year,
    )
    cells = overview["cells"]
    chart = {
        "focuses": [str(label) for _v, label in FocusArea.choices],
        "statuses": [str(label) for _v, label in CommitmentStatus.choices],
        "series": [[cells.get((s, f), 0) for f in FocusArea.values] for s in CommitmentStatus.values],
    }
    return render(
        request,
        "cadres/commitment_overview.html",
        {
            "year": year,
            "overview": overview,
            "single": single,
            "due": due[:50],
            "due_total": len(due),
            "ranking": selectors.village_ranking(villages=villages, year=year),
            "chart": chart,
            "townships": scope_for(request.user, Township.objects.filter(is_active=True)).order_by("sort_key", "name"),
            "township_id": chosen,
        },
    )
