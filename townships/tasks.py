"""Thin Celery tasks: primitives in, a service call inside."""

from celery import shared_task

from .models import Township
from .services import township_refresh_totals


@shared_task(acks_late=True)
def refresh_township_totals(township_id):

    return township_refresh_totals(township_ids=[township_id])


# Province scale has ~1,500 townships; 200 per query keeps each aggregate well
# under a second on PostgreSQL while needing only a handful of queries.
TOTALS_BATCH_SIZE = 200


@shared_task(acks_late=True)
def refresh_all_township_totals():

    ids = list(Township.objects.values_list("pk", flat=True).order_by("pk"))
    done = 0
    for start in range(0, len(ids), TOTALS_BATCH_SIZE):
        done += township_refresh_totals(township_ids=ids[start : start + TOTALS_BATCH_SIZE])
    return done
