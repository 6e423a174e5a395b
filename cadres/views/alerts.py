"""Alerts (预警): the list and its export."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from townships.models import Township
from townships.scoping import scope_for
from townships.web import audited_xlsx_response

from .. import services
from ..choices import AlertCode


@require_safe
@login_required
def alert_list(request):
    alerts, computed_at = _alerts(request)
    counts = _alert_counts(alerts)
    code = request.GET.get("code", "")
    if code:
        alerts = [a for a in alerts if a.code == code]
    return render(
        request,
        "cadres/alert_list.html",
        {
            "alerts": alerts,
            "codes": dict(AlertCode.choices),
            "code": code,
            "counts": counts,
            "alerts_at": computed_at,
        },
    )


def _alerts(request):
    """The stored alerts in the user's scope and when they were computed."""
    return services.current_alerts(townships=scope_for(request.user, Township.objects.filter(is_active=True)))


def _alert_counts(alerts):
    counts = {}
    for alert in alerts:
        counts[alert.code] = counts.get(alert.code, 0) + 1
    return counts


@require_safe
@login_required
def alert_export(request):
    alerts, _computed_at = _alerts(request)
    rows = [[a.township_name, a.village_name, str(a.label), a.message, a.count] for a in alerts]
    headers = [_("乡镇"), _("村（社区）"), _("预警"), _("说明"), _("数量")]
    return audited_xlsx_response(
        request,
        f"预警清单-{timezone.localdate():%Y%m%d}.xlsx",
        [(_("预警"), headers, rows)],
        detail={"list": "alerts", "rows": len(rows)},
        target_repr=_("预警"),
    )
