"""Claims: each step of a run is taken with a compare-and-swap update, so two workers never do it twice."""

from django.db.models import F, Q
from django.utils import timezone

from ...choices import RunStatus
from ...models import ScoringChunk, ScoringRun
from ..common import chunk_lease


def run_claim(run_id):
    """Compare-and-swap pending → running: only one worker (or message) gets the run."""
    return ScoringRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )


def chunk_claim(chunk_id):
    now = timezone.now()
    return (
        ScoringChunk.objects.filter(pk=chunk_id)
        .filter(Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, claimed_at__lt=now - chunk_lease()))
        .update(status=RunStatus.RUNNING, claimed_at=now, attempts=F("attempts") + 1)
    )
