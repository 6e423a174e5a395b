"""Stored alerts: computed in one set-based pass per county (``selectors.alerts_for``) by beat, or
when a page finds them older than ``ALERTS_MAX_AGE_MINUTES``; read back in two queries whatever the
county's size, with the time they were computed."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from townships.bulk import copy_rows
from townships.models import County, Township

from ..models import AlertRefresh, StoredAlert
from ..selectors import Alert, alerts_for


@transaction.atomic
def alerts_refresh(*, townships, today=None):
    """Recompute and store the alerts of ``townships`` (a queryset); returns how many were stored."""
    now = timezone.now()
    today = today or timezone.localdate()
    township_ids = list(townships.values_list("pk", flat=True))
    alerts = alerts_for(townships=Township.objects.filter(pk__in=township_ids), today=today)
    StoredAlert.objects.filter(township_id__in=township_ids).delete()
    copy_rows(
        StoredAlert._meta.db_table,
        ("township_id", "village_id", "code", "message", "count"),
        ((a.township_id, a.village_id, a.code, a.message[:300], a.count) for a in alerts),
    )
    AlertRefresh.objects.bulk_create(
        [AlertRefresh(township_id=pk, computed_at=now) for pk in township_ids],
        update_conflicts=True,
        unique_fields=["township"],
        update_fields=["computed_at"],
    )
    return len(alerts)


def alerts_refresh_all():
    """Beat: every active county's alerts, one county per pass."""
    stored = 0
    for county_id in County.objects.filter(is_active=True).values_list("pk", flat=True):
        stored += alerts_refresh(townships=Township.objects.filter(county_id=county_id, is_active=True))
    return stored


def current_alerts(*, townships):
    """The stored alerts of ``townships`` (already scoped) and when they were computed.

    Townships never computed, or computed longer ago than ALERTS_MAX_AGE_MINUTES (beat not
    running, as under ``make run``), are computed first.
    """
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.ALERTS_MAX_AGE_MINUTES)
    township_ids = set(townships.values_list("pk", flat=True))
    fresh = set(
        AlertRefresh.objects.filter(township_id__in=township_ids, computed_at__gte=cutoff).values_list(
            "township_id", flat=True
        )
    )
    if township_ids - fresh:
        alerts_refresh(townships=Township.objects.filter(pk__in=township_ids - fresh))
    rows = (
        StoredAlert.objects.filter(township_id__in=township_ids)
        .order_by("pk")
        .values_list("code", "township_id", "township__name", "village_id", "village__name", "message", "count")
    )
    alerts = [Alert(code, t, tn, v, vn or "", message, count) for code, t, tn, v, vn, message, count in rows]
    alerts.sort(key=lambda a: (a.township_name, a.village_name, a.code))
    computed_at = AlertRefresh.objects.filter(township_id__in=township_ids).aggregate(at=Min("computed_at"))["at"]
    return alerts, computed_at
