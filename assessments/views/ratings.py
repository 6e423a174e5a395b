"""Annual ratings, ties at the 优秀 quota, the removal rule and its decisions, the secretary page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from cadres.models import Person, Tenure
from townships.listing import Column, ListSpec, cell, list_views, render_list, township_column
from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import (
    int_param,
    require_get_or_post,
    require_registry_manager,
    user_county,
)

from .. import services
from ..choices import Grade, PeriodKind, RemovalDecision, RemovalState, Target
from ..filtersets import AnnualRatingFilterSet
from ..models import AnnualRating, DutyReview, RatingSignOff, RemovalFlag, Score
from ..selectors import ratings_awaiting_sign_off


def _villages(villages, village_name):
    return "、".join(villages) if villages else village_name


def _float_or_none(value):
    return float(value) if value is not None else None


def _vote_html(rating):
    """The vote, marked 录入值（历史） when typed before the 述职 ballots; the working on hover."""
    value = _float_or_none(rating.vote)
    if value is None:
        return "—"
    note = _("录入值（历史）") if rating.vote_source == "typed" else ""
    return format_html(
        '<span title="{}">{}</span>{}',
        "；".join(rating.vote_working),
        value,
        format_html(' <span class="badge text-bg-light">{}</span>', note) if note else "",
    )


def _grade(tie_pending, grade):
    return (
        _("并列待定")
        if tie_pending
        else force_str(dict(AnnualRating._meta.get_field("grade").flatchoices).get(grade, grade), strings_only=True)
    )


def ratings_spec(request):
    return ListSpec(
        title=gettext_lazy("村党组织书记年度评定"),
        queryset=lambda r: scope_for(
            r.user,
            AnnualRating.objects.with_clean().select_related("person", "village", "township"),
        ),
        filterset_class=AnnualRatingFilterSet,
        columns=(
            Column(
                _("名次"),
                lambda a: a.rank_in_county,
                "rank",
                ("rank_in_county",),
                numeric=True,
                export=cell("rank_in_county"),
            ),
            township_column(),
            Column(
                _("村（社区）"),
                lambda a: _villages(a.villages, a.village.name),
                export=cell("villages", "village__name", value=_villages),
            ),
            Column(_("书记"), lambda a: a.person.name, export=cell("person__name")),
            Column(_("年度"), lambda a: a.year, "year", ("year",), export=cell("year")),
            Column(_("任职月数"), lambda a: a.months, numeric=True, export=cell("months")),
            Column(_("日常"), lambda a: float(a.daily), numeric=True, export=cell("daily", value=float)),
            Column(
                _("集中"),
                lambda a: _float_or_none(a.concentrated),
                numeric=True,
                export=cell("concentrated", value=_float_or_none),
            ),
            Column(
                _("测评"),
                lambda a: _float_or_none(a.vote),
                numeric=True,
                html=_vote_html,
                export=cell("vote", value=_float_or_none),
            ),
            # Sorting by total keeps every vetoed year below every clean one (DOMAIN §6).
            Column(
                _("综合"),
                lambda a: float(a.total),
                "total",
                ("clean", "total"),
                numeric=True,
                export=cell("total", value=float),
            ),
            Column(
                _("等次"),
                lambda a: _grade(a.tie_pending, a.grade),
                "grade",
                ("grade",),
                export=cell("tie_pending", "grade", value=_grade, per_value=True),
            ),
            Column(_("理由"), lambda a: a.reason, export=cell("reason")),
        ),
        default_sort="rank",
        export_name="rating-export",
        filename="年度评定",
    )


_rating_list, rating_export = list_views(ratings_spec)


@require_get_or_post
@login_required
def rating_list(request):
    if request.method == "POST" and "ties" in request.POST:
        require_registry_manager(request.user)
        try:
            year = int(request.POST.get("year", ""))
            services.excellent_ties_decide(
                actor=request.user,
                county_id=user_county(request).pk,
                year=year,
                chosen=[int_param(v) for v in request.POST.getlist("chosen")],
                opinion=request.POST.get("opinion", ""),
                request=request,
            )
            messages.success(request, _("已决定 %(y)s 年度优秀名额边界的并列人员。") % {"y": year})
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("年份不正确。")])))
        return redirect(request.get_full_path())
    if request.method == "POST":
        # Signing is never one click on the list: the year's summary page asks for it.
        require_registry_manager(request.user)
        year = int_param(request.POST.get("year"))
        return redirect("rating-sign", year=year) if year else redirect("rating-list")
    if not request.GET.get("year"):
        # Ranks and grades are per year: a list without one would mix years. Open on the latest
        # (the filter form shows it chosen; the export link carries it).
        latest = scope_for(request.user, AnnualRating.objects.all()).order_by("-year").values_list("year", flat=True)
        if latest:
            request.GET = request.GET.copy()
            request.GET["year"] = latest[0]
    ties = list(
        scope_for(request.user, AnnualRating.objects.filter(tie_pending=True, signed_off_by__isnull=True))
        .select_related("person", "township", "village")
        .order_by("year", "-total")
    )
    signed = scope_for(request.user, RatingSignOff.objects.select_related("signed_by")).order_by("-year", "-signed_at")[
        :3
    ]
    return render_list(
        request,
        ratings_spec(request),
        template="assessments/rating_list.html",
        extra={
            "unsigned_years": ratings_awaiting_sign_off(user=request.user),
            "can_sign": can_manage_registry(request.user),
            "ties": ties,
            "sign_offs": list(signed),
        },
    )


@require_get_or_post
@login_required
def rating_sign(request, year):
    """Signing a year's ratings (审定): what is signed is shown first, then a confirmation and an opinion."""
    require_registry_manager(request.user)
    if not 2000 <= year <= 2100:
        raise Http404
    county = user_county(request)
    summary = services.sign_off_summary(county_id=county.pk, year=year)
    if not summary["ratings"]:
        raise Http404
    errors = []
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            errors.append(_("请勾选“我已核对以上内容”。"))
        else:
            try:
                count = services.annual_ratings_sign_off(
                    actor=request.user,
                    county_id=county.pk,
                    year=year,
                    opinion=request.POST.get("opinion", ""),
                    digest=request.POST.get("digest", ""),
                    request=request,
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(
                    request, _("已审定 %(y)s 年度 %(n)s 名书记的评定等次（含优秀名单）。") % {"y": year, "n": count}
                )
                return redirect("rating-list")
    return render(
        request,
        "assessments/rating_sign.html",
        {
            **summary,
            "grades": [(Grade(g).label, n) for g, n in summary["counts"].items()],
            "total_count": len(summary["ratings"]),
            "errors": errors,
            "opinion": request.POST.get("opinion", ""),
        },
    )


@require_get_or_post
@login_required
def removal_list(request):
    flags = scope_for(request.user, RemovalFlag.objects.select_related("person", "township", "decided_by")).order_by(
        "-year", "-state", "township__sort_key"
    )
    if request.method == "POST":
        require_registry_manager(request.user)
        flag = get_scoped_or_404(
            request.user, RemovalFlag.objects.select_related("person"), pk=int_param(request.POST.get("flag"))
        )
        try:
            services.removal_decide(
                actor=request.user,
                flag=flag,
                decision=request.POST.get("decision", ""),
                opinion=request.POST.get("opinion", ""),
                request=request,
            )
            messages.success(request, _("已决定：%(n)s。") % {"n": flag.person.name})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("removal-list")
    return render(
        request,
        "assessments/removal_list.html",
        {
            "flags": flags,
            "can_sign": can_manage_registry(request.user),
            "FLAGGED": RemovalState.FLAGGED,
            "decisions": RemovalDecision.choices,
        },
    )


@require_safe
@login_required
def secretary_detail(request, person_pk):
    """A village Party secretary: this year's monthly scores, annual grades and the removal rule's view."""
    person = get_scoped_or_404(request.user, Person.objects.select_related("township", "village"), pk=person_pk)
    scores = list(
        Score.objects.filter(person=person, target=Target.VILLAGE_SECRETARY, period_kind=PeriodKind.MONTH)
        .select_related("village")
        .order_by("-year", "-period")[:24]
    )
    ratings = list(AnnualRating.objects.filter(person=person).select_related("village").order_by("-year"))
    flags = list(RemovalFlag.objects.filter(person=person).select_related("decided_by").order_by("-year"))
    tenures = list(Tenure.objects.filter(person=person).select_related("village").order_by("-started_on"))
    duty = list(
        DutyReview.objects.filter(person=person).select_related("village", "township", "tally").order_by("-year")
    )
    trend = [[f"{s.year}-{s.period:02d}", float(s.total)] for s in reversed(scores)]
    return render(
        request,
        "assessments/secretary_detail.html",
        {
            "person": person,
            "scores": scores,
            "ratings": ratings,
            "flags": flags,
            "tenures": tenures,
            "trend": trend,
            "duty": duty,
        },
    )
