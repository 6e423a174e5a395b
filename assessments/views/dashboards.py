"""The landing pages that combine every app (DOMAIN §1): the county dashboard and a township's page.

They read the registry, the records' alerts and the stored assessment results, so they live in
the highest app they read from.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cadres.selectors import AlertCode
from cadres.services import current_alerts
from townships.models import Township
from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import month_param
from villages.models import PartyOrganization, Village
from villages.selectors import county_glance, terms_due_card

from ..choices import Grade
from ..selectors import county_dashboard, county_todo, township_dashboard, township_todo


@require_safe
@login_required
def home(request):
    user = request.user
    if user.is_township_staff:
        return redirect("township-detail", pk=user.township_id)
    if user.is_village_staff:
        return redirect("village-home")
    alerts, alerts_at = current_alerts(townships=scope_for(user, Township.objects.filter(is_active=True)))
    counts = {}
    for alert in alerts:
        counts[alert.code] = counts.get(alert.code, 0) + 1
    alert_counts = [(code, label, counts.get(code, 0)) for code, label in AlertCode.choices]
    year, month = month_param(request)
    dashboard = county_dashboard(user=user, year=year, month=month)
    charts = {
        "trend": dashboard["trend"],
        "heatmap": dashboard["heatmap"],
        "townships": dashboard["heatmap_townships"],
        "township_ids": dashboard["heatmap_township_ids"],
        "categories": dashboard["heatmap_categories"],
        "grades": [[str(dict(Grade.choices)[g]), dashboard["grades"].get(g, 0), g] for g in Grade.values],
        "ranking": [[r["name"], r["average"], r["township_id"]] for r in dashboard["township_ranking"]],
    }
    return render(
        request,
        "townships/home.html",
        {
            "glance": county_glance(user=user),
            "alert_counts": alert_counts,
            "alerts_at": alerts_at,
            "dash": dashboard,
            # The to-do lists acts (review, run again, sign, decide) only the administrator takes.
            "todo": county_todo(user=user) if user.county_id and can_manage_registry(user) else None,
            "terms_due": terms_due_card(
                townships=scope_for(user, Township.objects.filter(is_active=True)), today=timezone.localdate()
            ),
            "charts": charts,
            "heatmap_rows": heatmap_rows(dashboard),
            "year": year,
            "month": month,
        },
    )


def heatmap_rows(dashboard):
    """The heatmap as a table (its text alternative): (township id, name, [share or None per category])."""
    cells = {(t, c): share for c, t, share in dashboard["heatmap"]}
    return [
        (pk, name, [cells.get((t, c)) for c in range(len(dashboard["heatmap_categories"]))])
        for t, (pk, name) in enumerate(
            zip(dashboard["heatmap_township_ids"], dashboard["heatmap_townships"], strict=True)
        )
    ]


@require_safe
@login_required
def township_detail(request, pk):
    township = get_scoped_or_404(request.user, Township.objects.select_related("county"), pk=pk)
    villages = Village.objects.filter(township=township).order_by("sort_key", "name")
    organizations = (
        PartyOrganization.objects.filter(township=township, parent__isnull=True)
        .select_related("village")
        .order_by("name")
    )

    year, month = month_param(request)
    alerts, alerts_at = current_alerts(townships=Township.objects.filter(pk=township.pk))
    return render(
        request,
        "townships/township_detail.html",
        {
            "todo": township_todo(township=township, today=timezone.localdate(), alerts=alerts),
            "month_view": township_dashboard(township=township, year=year, month=month),
            "terms_due": terms_due_card(
                townships=Township.objects.filter(pk=township.pk), today=timezone.localdate(), township=township
            ),
            "alerts": alerts,
            "alerts_at": alerts_at,
            "township": township,
            "villages": villages,
            "organizations": organizations,
            "can_manage": can_manage_registry(request.user),
        },
    )
