from celery import shared_task

from . import services


@shared_task
def refresh_alerts():
    """Beat: recompute every active county's stored alerts."""
    return services.alerts_refresh_all()


@shared_task
def remind_commitments():
    """Beat, daily: overdue milestones and 整改 deadlines to the townships' message centre, once each."""
    from django.utils import timezone

    return services.commitments_remind(today=timezone.localdate())
