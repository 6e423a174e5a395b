"""Small helpers every assessment service uses."""

import datetime

from django.conf import settings


def chunk_lease():
    """A chunk, or a quarterly or annual run, "running" this long without a heartbeat is presumed dead
    (its worker was killed) and may be claimed again (SCORING_CHUNK_LEASE_SECONDS)."""
    return datetime.timedelta(seconds=settings.SCORING_CHUNK_LEASE_SECONDS)


def heartbeat_interval():
    """A working step stamps its heartbeat four times per lease, so one late stamp never loses it."""
    return chunk_lease() / 4


def actor_or_none(actor):
    """The acting user, or None for the system (beat, commands, the demo)."""
    return actor if getattr(actor, "is_authenticated", False) else None


# Scores are written in batches so one county's finalize stays a few dozen statements.
WRITE_BATCH = 1000
