"""Cadres (干部): tenures, village contacts, reserve cadres and the village cadre overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from townships.county_settings import settings_for
from townships.listing import Column, ListSpec, cell, display, link, list_views, township_column
from townships.models import Township
from townships.scoping import can_write_records, get_scoped_or_404, scope_for
from townships.web import require_get_or_post, service_form

from .. import selectors, services
from ..filtersets import TenureFilterSet
from ..forms import TenureEndForm, TenureForm, VillageDateForm
from ..models import Person, Tenure
from .common import _date, require_writer


def tenures_spec(request):
    return ListSpec(
        title=gettext_lazy("干部任职"),
        queryset=lambda r: scope_for(r.user, Tenure.objects.select_related("person", "township", "village")),
        filterset_class=TenureFilterSet,
        columns=(
            township_column(),
            Column(
                _("村（社区）"),
                lambda t: t.village.name if t.village else "",
                export=cell("village__name", value=lambda name: name or ""),
            ),
            Column(_("职务"), lambda t: t.get_post_display(), "post", ("post",), export=display("post", Tenure)),
            Column(
                _("姓名"),
                lambda t: t.person.name,
                html=link("person-detail", lambda t: t.person.name, lambda t: t.person_id),
                export=cell("person__name"),
            ),
            Column(
                _("任职日期"),
                lambda t: _date(t.started_on),
                "started_on",
                ("started_on",),
                export=cell("started_on", value=_date),
            ),
            Column(
                _("离任日期"),
                lambda t: _date(t.ended_on),
                "ended_on",
                ("ended_on",),
                export=cell("ended_on", value=_date),
            ),
            Column(_("离任原因"), lambda t: t.end_reason, export=cell("end_reason")),
        ),
        default_sort="township",
        export_name="tenure-export",
        filename="干部任职",
        create_url=lambda r: reverse("person-list") if can_write_records(r.user) else None,
        create_label=_("从人员页面办理任职"),
        links=lambda r: [(_("村干部概况"), reverse("village-cadres"))],
    )


tenure_list, tenure_export = list_views(tenures_spec)


@require_get_or_post
@login_required
def tenure_start(request, person_pk):
    person = get_scoped_or_404(request.user, Person.objects.select_related("township"), pk=person_pk)
    require_writer(request.user)

    def save(data):
        require_writer(request.user, data["township"].pk)
        services.tenure_start(actor=request.user, person=person, request=request, **data)

    return service_form(
        request,
        TenureForm(
            request.POST or None,
            user=request.user,
            initial={"township": person.township_id, "village": person.village_id},
        ),
        save=save,
        success_url=reverse("person-detail", args=[person.pk]),
        title=_("任职：%(n)s") % {"n": person.name},
    )


@require_get_or_post
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


@require_get_or_post
@login_required
def person_village_action(request, person_pk, action):
    """包村联村 (contact) or 后备干部 (reserve) for a person."""
    person = get_scoped_or_404(request.user, Person.objects.all(), pk=person_pk)
    require_writer(request.user)

    def save(data):
        require_writer(request.user, data["village"].township_id)
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

    title = _("包村联村：%(n)s") if action == "contact" else _("纳入后备干部：%(n)s")
    return service_form(
        request,
        VillageDateForm(request.POST or None, user=request.user),
        save=save,
        success_url=reverse("person-detail", args=[person.pk]),
        title=title % {"n": person.name},
    )


@require_safe
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
