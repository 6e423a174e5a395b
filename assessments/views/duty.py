"""述职评议: the 述职评议汇总表 of township secretaries and of village cadres (lists, Excel, A4 print),
recording a 述职 with its ballots in one form, a 述职's page with each group's counts and the
composite and grade with the working, the written report, and the county's decision on ties at
the cap on 好."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, cell, display, list_views, render_list, township_column
from townships.models import Township
from townships.scoping import can_write_records, get_scoped_or_404, scope_for
from townships.web import UploadForm, require_get_or_post, upload_page
from townships.xlsx import workbook_response

from ..choices import DutyLevel
from ..duty_forms import DutyForm, duty_counts_form
from ..filtersets import DutyReviewFilterSet
from ..imports.duty import duty_import, duty_template
from ..models import DutyReview
from ..services.duty import duty_review_save, duty_ties_decide, township_reviews_refresh


def _can_enter(user, level):
    if level == DutyLevel.TOWNSHIP:
        return user.is_superuser or user.is_county_admin
    return can_write_records(user)


def _queryset(level):
    return lambda r: scope_for(r.user, DutyReview.objects.filter(level=level)).select_related(
        "township", "village", "person", "tally"
    )


def _score(review):
    return review.tally.score if review.tally.score is not None else "—"


def _person_link(review):
    return format_html('<a href="{}">{}</a>', reverse("duty-detail", args=[review.pk]), review.person.name)


def _person_column(header):
    return Column(
        header, lambda r: r.person.name, "person", ("person__name",), html=_person_link, export=cell("person__name")
    )


def _report_columns():
    """年度, 述职日期 and 有效票: the same in both 汇总表."""
    return (
        Column(_("年度"), lambda r: r.year, "year", ("year",), export=cell("year")),
        Column(_("述职日期"), lambda r: r.reported_on, "reported_on", ("reported_on",), export=cell("reported_on")),
        Column(
            _("有效票"), lambda r: r.tally.valid, "valid", ("tally__valid",), numeric=True, export=cell("tally__valid")
        ),
    )


def township_spec(request):
    return ListSpec(
        title=gettext_lazy("乡镇党委书记述职评议汇总表"),
        queryset=_queryset(DutyLevel.TOWNSHIP),
        filterset_class=DutyReviewFilterSet,
        columns=(
            township_column(),
            _person_column(_("党委书记")),
            *_report_columns(),
            Column(_("述职测评"), _score, "vote", ("tally__score",), numeric=True, export=cell("tally__score")),
            Column(
                _("年度考核（百分）"),
                lambda r: r.annual if r.annual is not None else "—",
                "annual",
                ("annual",),
                numeric=True,
                export=cell("annual"),
            ),  # fmt: skip
            Column(
                _("综合得分"),
                lambda r: r.composite if r.composite is not None else "—",
                "composite",
                ("composite",),
                numeric=True,
                export=cell("composite"),
            ),  # fmt: skip
            Column(
                _("等次"),
                lambda r: (r.get_grade_display() or "—") + (_("（并列待定）") if r.tie_pending else ""),
                "grade",
                ("grade",),
                export=display("grade", DutyReview),
            ),
            Column(_("一票否决"), lambda r: _("是") if r.veto else "", export=cell("veto")),
        ),
        default_sort="-composite",
        export_name="duty-township-export",
        filename="乡镇党委书记述职评议汇总表",
        create_url=lambda r: (
            reverse("duty-create", args=[DutyLevel.TOWNSHIP]) if _can_enter(r.user, "township") else None
        ),
        create_label=_("录入述职评议"),
        links=lambda r: [
            (_("村干部述职述廉汇总表"), reverse("duty-village-list")),
            *([(_("导入 Excel"), reverse("duty-import", args=["township"]))] if _can_enter(r.user, "township") else []),
        ],
    )


def village_spec(request):
    return ListSpec(
        title=gettext_lazy("村干部述职述廉汇总表"),
        queryset=_queryset(DutyLevel.VILLAGE),
        filterset_class=DutyReviewFilterSet,
        columns=(
            township_column("village__sort_key"),
            Column(
                _("村（社区）"),
                lambda r: r.village.name,
                "village",
                ("village__sort_key", "village__name"),
                export=cell("village__name"),
            ),  # fmt: skip
            _person_column(_("姓名")),
            Column(_("职务"), lambda r: r.get_post_display(), export=display("post", DutyReview)),
            *_report_columns(),
            Column(_("测评得分"), _score, "vote", ("tally__score",), numeric=True, export=cell("tally__score")),
            Column(_("未计结果原因"), lambda r: r.tally.reason or "", export=cell("tally__reason")),
        ),
        default_sort="-year",
        export_name="duty-village-export",
        filename="村干部述职述廉汇总表",
        create_url=lambda r: (
            reverse("duty-create", args=[DutyLevel.VILLAGE]) if _can_enter(r.user, "village") else None
        ),
        create_label=_("录入述职述廉"),
        links=lambda r: [
            (_("乡镇党委书记述职评议汇总表"), reverse("duty-township-list")),
            *([(_("导入 Excel"), reverse("duty-import", args=["village"]))] if _can_enter(r.user, "village") else []),
        ],
    )


_township_list, duty_township_export = list_views(township_spec)
_village_list, duty_village_export = list_views(village_spec)
LIST_TEMPLATE = "assessments/duty_list.html"


@require_safe
@login_required
def duty_township_list(request):
    """The 述职评议汇总表 of township secretaries (printable on A4)."""
    note = _("综合得分 = 述职测评 × 述职权重 + 年度考核折合百分 × 年度考核权重（县级参数）；一票否决定为“差”。")
    year = request.GET.get("year", "")
    extra = {
        "note": note,
        "recompute_year": int(year) if year.isdigit() and _can_enter(request.user, "township") else None,
    }
    return render_list(request, township_spec(request), template=LIST_TEMPLATE, extra=extra)


@login_required
@require_POST
def duty_recompute(request, year):
    """The county computes a year's composites and grades again (the townships' annual scores changed)."""
    if not (request.user.is_superuser or request.user.is_county_admin):
        raise PermissionDenied(_("只有县委组织部管理员可以重新计算。"))
    try:
        count = township_reviews_refresh(
            actor=request.user, county_id=request.user.county_id, year=year, request=request
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("已按最新的乡镇年度考核得分重新计算 %(n)s 人的综合得分与等次。") % {"n": count})
    return redirect(reverse("duty-township-list") + f"?year={year}")


@require_safe
@login_required
def duty_village_list(request):
    """The 述职述廉汇总表 of village cadres (printable on A4)."""
    note = _("测评得分按测评主体加权；村党组织书记的测评得分 × 10 计入年度评定的民主测评。")
    return render_list(request, village_spec(request), template=LIST_TEMPLATE, extra={"note": note})


def _initial(review):
    if review is None:
        today = timezone.localdate()
        return {"year": today.year - 1, "reported_on": today}
    return {
        "person": review.person_id,
        "township": review.township_id,
        "village": review.village_id,
        "post": review.post,
        "year": review.year,
        "reported_on": review.reported_on,
        "meeting": review.meeting,
        "meeting_on": review.meeting_on,
        "method": review.tally.method,
        "comment": review.comment,
        "veto": review.veto,
        "veto_reason": review.veto_reason,
        "version": review.version,
    }


def _counts_initial(review):
    from ..survey_forms import CountsForm

    return CountsForm.initial_from(review.tally) if review else {}


@login_required
@require_get_or_post
def duty_form(request, level=None, pk=None):
    review = None
    if pk is not None:
        review = get_scoped_or_404(
            request.user, DutyReview.objects.select_related("tally").prefetch_related("tally__groups"), pk=pk
        )
        level = review.level
    if level not in DutyLevel.values:
        raise Http404
    if not _can_enter(request.user, level):
        raise PermissionDenied(_("您没有录入述职测评的权限。"))
    county_id = review.county_id if review else (request.user.county_id or request.user.township.county_id)
    conf = settings_for(county_id)
    data = request.POST if request.method == "POST" else None
    form = DutyForm(data, request.FILES or None, initial=_initial(review), user=request.user, level=level)
    counts = duty_counts_form(data, conf=conf, level=level, initial=_counts_initial(review))
    if request.method == "POST" and form.is_valid() and counts.is_valid():
        d = form.cleaned_data
        try:
            review = duty_review_save(
                actor=request.user,
                review=review,
                level=level,
                person=d["person"],
                post=d.get("post") or "party_secretary",
                township=d.get("township"),
                village=d.get("village"),
                year=d["year"],
                reported_on=d["reported_on"],
                meeting=d.get("meeting", ""),
                meeting_on=d.get("meeting_on"),
                report_file=d.get("report_file"),
                method=d["method"],
                groups=counts.cleaned_groups(),
                comment=d.get("comment", ""),
                veto=d.get("veto", False),
                veto_reason=d.get("veto_reason", ""),
                version=d.get("version"),
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(exc, form, counts)
        else:
            messages.success(request, _("述职测评已保存。"))
            return redirect("duty-detail", review.pk)
    title = _("录入乡镇党委书记述职评议") if level == DutyLevel.TOWNSHIP else _("录入村干部述职述廉")
    return render(
        request,
        "assessments/duty_form.html",
        {"form": form, "counts": counts, "review": review, "title": _("修改述职测评") if review else title},
    )


def _apply_errors(exc, form, counts):
    if not hasattr(exc, "error_dict"):
        for error in exc.messages:
            form.add_error(None, error)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            if field == "groups":
                counts.add_error(None, error)
            else:
                form.add_error(field if field in form.fields else None, error)


@require_safe
@login_required
def duty_detail(request, pk):
    review = get_scoped_or_404(
        request.user,
        DutyReview.objects.select_related("township", "village", "person", "tally", "entered_by").prefetch_related(
            "tally__groups"
        ),
        pk=pk,
    )
    options = [(code, label) for code, label, _weight, _in_rate in review.tally.options]
    groups = [(g, [g.counts.get(code, 0) for code, _label in options]) for g in review.tally.groups.all()]
    back = "duty-township-list" if review.level == DutyLevel.TOWNSHIP else "duty-village-list"
    can_decide = review.tie_pending and (request.user.is_superuser or request.user.is_county_admin)
    ties = (
        list(
            DutyReview.objects.filter(
                county_id=review.county_id, year=review.year, level=DutyLevel.TOWNSHIP, tie_pending=True
            ).select_related("township", "person")
        )
        if can_decide
        else []
    )
    return render(
        request,
        "assessments/duty_detail.html",
        {
            "review": review,
            "tally": review.tally,
            "options": options,
            "groups": groups,
            "can_edit": _can_enter(request.user, review.level),
            "can_decide": can_decide,
            "ties": ties,
            "back_url": reverse(back) + f"?year={review.year}",
        },
    )


@require_safe
@login_required
def duty_report_file(request, pk):
    review = get_scoped_or_404(request.user, DutyReview.objects.all(), pk=pk)
    if not review.report_file:
        raise Http404
    name = review.report_file.name.rsplit("/", 1)[-1]
    return FileResponse(review.report_file.open("rb"), as_attachment=False, filename=name)


@login_required
@require_POST
def duty_ties(request, year):
    """The county decides the ties at the cap on 好 (from a tied review's page), with an opinion."""
    if not (request.user.is_superuser or request.user.is_county_admin):
        raise PermissionDenied(_("只有县委组织部管理员可以决定并列。"))
    try:
        count = duty_ties_decide(
            actor=request.user,
            county_id=request.user.county_id,
            year=year,
            chosen=request.POST.getlist("chosen"),
            opinion=request.POST.get("opinion", ""),
            request=request,
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("已决定 %(n)s 人的等次。") % {"n": count})
    return redirect(reverse("duty-township-list") + f"?year={year}")


@require_get_or_post
@login_required
def duty_import_page(request, level):
    """A workbook of 述职 ballots, one row per rater group of a person (for a township's staff, their
    township's village cadres; the township secretaries' only for the county)."""
    if level not in DutyLevel.values:
        raise Http404
    if not _can_enter(request.user, level):
        raise PermissionDenied(_("您没有导入述职测评的权限。"))
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    back = "duty-township-list" if level == DutyLevel.TOWNSHIP else "duty-village-list"
    return upload_page(
        request,
        form,
        lambda data: duty_import(
            actor=request.user,
            township=(
                Township.objects.get(pk=request.user.township_id)
                if request.user.is_township_staff
                else data["township"]
            ),
            upload=data["file"],
            level=level,
            request=request,
        ),
        context={
            "title": _("导入乡镇党委书记述职评议") if level == DutyLevel.TOWNSHIP else _("导入村干部述职述廉"),
            "template_url": reverse("duty-template", args=[level]),
        },
        success_url=reverse(back),
    )


@require_safe
@login_required
def duty_template_file(request, level):
    if level not in DutyLevel.values:
        raise Http404
    name = "述职评议导入模板.xlsx" if level == DutyLevel.TOWNSHIP else "述职述廉导入模板.xlsx"
    return workbook_response(
        duty_template(settings_for(request.user.county_id or request.user.township.county_id), level), name
    )
