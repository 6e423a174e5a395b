"""Satisfaction surveys (满意度测评): the list and its export, recording and correcting one (the count
grid), a survey's page with its working, the blank ballot (测评表) to print, and the ranking."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.choices import EntryStatus
from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, cell, display, list_views, township_column
from townships.models import Township
from townships.scoping import can_submit_village_entries, can_write_records, get_scoped_or_404, scope_for
from townships.web import UploadForm, audited_xlsx_response, require_get_or_post, upload_page
from townships.xlsx import workbook_response

from ..county_settings import SATISFACTION_OPTIONS, rater_groups, satisfaction_bands
from ..filtersets import BANDS, SurveyFilterSet
from ..imports.surveys import surveys_import, surveys_template
from ..models import BallotTally
from ..selectors.surveys import satisfaction_ranking
from ..services.surveys import survey_save
from ..survey_forms import CountsForm, SurveyForm

BAND_LABELS = dict(BANDS)


def _target(t):
    return t.target_name


def _rate(rate):
    return f"{rate}%" if rate is not None else "—"


def surveys_spec(request):
    return ListSpec(
        title=gettext_lazy("满意度测评"),
        queryset=lambda r: scope_for(r.user, BallotTally.objects.surveys()).select_related(
            "township", "village", "organization", "person"
        ),
        filterset_class=SurveyFilterSet,
        columns=(
            township_column("village__sort_key"),
            Column(
                _("测评对象"),
                _target,
                html=lambda t: format_html('<a href="{}">{}</a>', reverse("survey-detail", args=[t.pk]), _target(t)),
                export=cell("organization__name", "person__name", "township__name", value=_export_target),
            ),
            Column(_("年度"), lambda t: t.year, "year", ("year",), export=cell("year")),
            Column(_("用途"), lambda t: t.get_purpose_display(), export=display("purpose", BallotTally)),
            Column(_("测评日期"), lambda t: t.held_on, "held_on", ("held_on",), export=cell("held_on")),
            Column(_("有效票"), lambda t: t.valid, "valid", ("valid",), numeric=True, export=cell("valid")),
            Column(_("满意率"), lambda t: _rate(t.rate), "rate", ("rate",), numeric=True, export=cell("rate")),
            Column(_("得分"), lambda t: t.score, "score", ("score",), numeric=True, export=cell("score")),
            Column(
                _("档次"),
                lambda t: BAND_LABELS.get(t.band, t.reason or "—"),
                export=cell("band", value=lambda b: str(BAND_LABELS.get(b, "—")), per_value=True),
            ),
            Column(_("状态"), lambda t: t.get_status_display(), export=display("status", BallotTally)),
        ),
        default_sort="-held_on",
        export_name="survey-export",
        filename="满意度测评",
        create_url=lambda r: reverse("survey-create") if can_write_records(r.user) else None,
        create_label=_("录入测评"),
        links=lambda r: [
            (_("满意度排名"), reverse("survey-ranking")),
            (_("空白测评表"), reverse("survey-ballot")),
            *([(_("导入 Excel"), reverse("survey-import"))] if can_write_records(r.user) else []),
        ],
    )


def _export_target(organization, person, township):
    if person:
        return f"{organization}书记 {person}"
    return organization or township


survey_list, survey_export = list_views(surveys_spec)


def _forms(request, *, tally=None, conf):
    initial, counts_initial = {}, {}
    if tally is not None:
        initial = {
            "target_kind": tally.target_kind,
            "organization": tally.organization_id,
            "person": tally.person_id,
            "township": tally.township_id,
            "year": tally.year,
            "held_on": tally.held_on,
            "purpose": tally.purpose,
            "method": tally.method,
            "note": tally.note,
            "version": tally.version,
        }
        counts_initial = CountsForm.initial_from(tally)
    else:
        today = timezone.localdate()
        initial = {"year": today.year, "held_on": today}
    data = request.POST if request.method == "POST" else None
    return (
        SurveyForm(data, initial=initial, user=request.user),
        CountsForm(data, initial=counts_initial, conf=conf, prefix="n"),
    )


def _apply_errors(exc, form, counts):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                (form.add_error(target, error) if field != "groups" else counts.add_error(None, error))
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_get_or_post
def survey_form(request, pk=None):
    if not (can_write_records(request.user) or (pk is None and can_submit_village_entries(request.user))):
        raise PermissionDenied(_("您没有录入满意度测评的权限。"))
    tally = (
        get_scoped_or_404(request.user, BallotTally.objects.surveys().prefetch_related("groups"), pk=pk) if pk else None
    )
    county_id = tally.county_id if tally else (request.user.county_id or request.user.township.county_id)
    conf = settings_for(county_id)
    form, counts = _forms(request, tally=tally, conf=conf)
    if request.method == "POST" and form.is_valid() and counts.is_valid():
        data = form.cleaned_data
        try:
            tally = survey_save(
                actor=request.user,
                tally=tally,
                target_kind=data["target_kind"],
                organization=data.get("organization"),
                person=data.get("person"),
                township=data.get("township"),
                year=data["year"],
                held_on=data["held_on"],
                purpose=data["purpose"],
                method=data["method"],
                note=data.get("note", ""),
                groups=counts.cleaned_groups(),
                version=data.get("version"),
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(exc, form, counts)
        else:
            messages.success(request, _("测评已保存：%(r)s") % {"r": _result_line(tally)})
            if tally.status == EntryStatus.PENDING:
                messages.info(request, _("已报送乡镇审核，审核通过后计入考核。"))
            return redirect("survey-detail", tally.pk)
    return render(
        request,
        "assessments/survey_form.html",
        {
            "form": form,
            "counts": counts,
            "tally": tally,
            "title": _("修改满意度测评") if tally else _("录入满意度测评"),
        },
    )


def _result_line(tally):
    if tally.rate is None:
        return tally.reason
    return _("有效票 %(v)s 张，满意率 %(r)s%%，得分 %(s)s，%(b)s") % {
        "v": tally.valid,
        "r": tally.rate,
        "s": tally.score,
        "b": BAND_LABELS.get(tally.band, ""),
    }


@require_safe
@login_required
def survey_detail(request, pk):
    tally = get_scoped_or_404(
        request.user,
        BallotTally.objects.surveys()
        .select_related("township", "village", "organization", "person", "entered_by")
        .prefetch_related("groups"),
        pk=pk,
    )
    options = [(code, label) for code, label, _weight, _in_rate in tally.options]
    groups = [(g, [g.counts.get(code, 0) for code, _label in options]) for g in tally.groups.all()]
    return render(
        request,
        "assessments/survey_detail.html",
        {
            "tally": tally,
            "options": options,
            "weights": tally.options,
            "groups": groups,
            "result": _result_line(tally),
            "band": BAND_LABELS.get(tally.band, ""),
            "can_edit": can_write_records(request.user),
            "back_url": reverse("village-home") if can_submit_village_entries(request.user) else reverse("survey-list"),
        },
    )


@require_safe
@login_required
def survey_ballot(request):
    """The blank ballot (测评表) to print: the options of the county, one table per rater group."""
    conf = settings_for(request.user.county_id)
    return render(
        request,
        "assessments/survey_ballot.html",
        {
            "options": [str(label) for label in SATISFACTION_OPTIONS.values()],
            "groups": [label for _code, label in rater_groups(conf)],
            "year": timezone.localdate().year,
            "items": [
                _("村党组织班子整体工作"),
                _("承诺实事完成情况"),
                _("党员干部作风"),
                _("为民办事服务"),
            ],
        },
    )


def _year(request):
    """``?year=``, else the latest year the user's surveys were counted for (else this year)."""
    try:
        year = int(request.GET.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if 2000 <= year <= 2100:
        return year
    latest = (
        scope_for(request.user, BallotTally.objects.surveys().filter(status=EntryStatus.APPROVED))
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or timezone.localdate().year


RANKING_HEADERS = (
    "名次",
    "乡镇",
    "村（社区）",
    "测评日期",
    "有效票",
    "满意率（%）",
    "得分",
    "档次",
    "上年满意率（%）",
    "同比",
)


def _ranking_rows(rows):
    return [
        [
            r.rank if r.rank else "—",
            r.township,
            r.village,
            r.held_on.isoformat() if isinstance(r.held_on, datetime.date) else "—",
            r.valid,
            r.rate,
            r.score,
            str(BAND_LABELS.get(r.band, r.reason or _("无测评"))),
            r.previous,
            r.change,
        ]
        for r in rows
    ]


@require_safe
@login_required
def survey_ranking(request):
    year = _year(request)
    conf = settings_for(request.user.county_id)
    rows, below, line = satisfaction_ranking(user=request.user, year=year, conf=conf)
    rated = [r for r in rows if r.rate is not None]
    bands = {code: 0 for code, _label in BANDS}
    for r in rated:
        bands[r.band] = bands.get(r.band, 0) + 1
    return render(
        request,
        "assessments/survey_ranking.html",
        {
            "year": year,
            "rows": rows,
            "below": below,
            "line": line,
            "band_counts": [(BAND_LABELS[c], n) for c, n in bands.items()],
            "unrated": len(rows) - len(rated),
            "bands": satisfaction_bands(conf),
        },
    )


@require_safe
@login_required
def survey_ranking_export(request):
    year = _year(request)
    rows, _below, _line = satisfaction_ranking(user=request.user, year=year, conf=settings_for(request.user.county_id))
    return audited_xlsx_response(
        request,
        f"满意度排名-{year}.xlsx",
        [(_("%(y)s年满意度排名") % {"y": year}, [_(h) for h in RANKING_HEADERS], _ranking_rows(rows))],
        detail={"list": "survey-ranking", "year": year, "rows": len(rows)},
    )


@require_get_or_post
@login_required
def survey_import(request):
    """A workbook of surveys, one row per rater group (for the township's staff, their township)."""
    if not can_write_records(request.user):
        raise PermissionDenied(_("您没有导入满意度测评的权限。"))
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    return upload_page(
        request,
        form,
        lambda data: surveys_import(
            actor=request.user,
            township=(
                Township.objects.get(pk=request.user.township_id)
                if request.user.is_township_staff
                else data["township"]
            ),
            upload=data["file"],
            request=request,
        ),
        context={"title": _("导入满意度测评"), "template_url": reverse("survey-template")},
        success_url=reverse("survey-list"),
    )


@require_safe
@login_required
def survey_template(request):
    return workbook_response(surveys_template(settings_for(request.user.county_id)), "满意度测评导入模板.xlsx")
