"""Claims: each step of a run is taken with a compare-and-swap update, so two workers never do it twice,
and keeps a heartbeat while it computes, so only a step whose worker went away is handed out again."""

import contextlib
import logging
import threading

from django.db import DatabaseError, connection, connections
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ...choices import RunStatus
from ...models import DirtyPeriod, ScoringChunk, ScoringRun
from ..common import chunk_lease, heartbeat_interval

logger = logging.getLogger(__name__)


def run_claim(run_id):
    """Compare-and-swap pending → running: only one worker (or message) gets the run.

    The first claim is kept (``started_at``, which the deadline reads); each claim counts one more
    hand-out and starts the heartbeat. The period's dirty generation is read here, before the run
    reads any input (see ``DirtyPeriod``)."""
    now = timezone.now()
    generation = DirtyPeriod.objects.filter(
        county_id=OuterRef("county_id"), kind=OuterRef("kind"), year=OuterRef("year"), period=OuterRef("period")
    ).values("generation")[:1]
    return ScoringRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
        claimed_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        inputs_generation=Coalesce(Subquery(generation), 0),
    )


def silent_since(moment):
    """Running steps with no sign of life since ``moment``: the last heartbeat, or the claim when none came."""
    return Q(heartbeat_at__lt=moment) | Q(heartbeat_at__isnull=True, claimed_at__lt=moment)


def chunk_claim(chunk_id):
    """A chunk is claimed when pending, or when running but silent for the lease (its worker went away)."""
    now = timezone.now()
    return (
        ScoringChunk.objects.filter(pk=chunk_id)
        .filter(Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING) & silent_since(now - chunk_lease()))
        .update(status=RunStatus.RUNNING, claimed_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    )


class _Heartbeat(threading.Thread):
    """Stamps ``heartbeat_at`` on running rows every interval, on its own database connection: the
    computation's transaction is not committed yet, so a stamp made inside it would be unseen."""

    def __init__(self, queryset, interval):
        super().__init__(name="scoring-heartbeat", daemon=True)
        self.queryset, self.interval, self.stopped = queryset, interval, threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.queryset.filter(status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # The database went away: no stamp this time (the lease decides); reconnect next time.
                    logger.warning("scoring heartbeat not recorded", exc_info=True)
                    connection.close()
        finally:
            connections.close_all()  # this thread's connections only


@contextlib.contextmanager
def heartbeat(queryset):
    """While the block computes, keep the heartbeat of the rows of ``queryset`` (runs or chunks).

    A slow quarterly or annual run, or a slow group of townships, is then never taken for dead and
    handed out a second time while it still works. Not on SQLite (``make run``: eager Celery, no
    sweeper, and one writer at a time)."""
    if connection.vendor == "sqlite":
        yield
        return
    beat = _Heartbeat(queryset.all(), heartbeat_interval().total_seconds())
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        beat.join(timeout=beat.interval + 5)
