from celery import shared_task

from . import services


@shared_task
def refresh_alerts():
    """Beat: recompute every active county's stored alerts."""
    return services.alerts_refresh_all()
