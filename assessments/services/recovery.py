"""Recovery: the sweeper that puts interrupted scoring work back to work.

The run and chunk rows are the durable intent; messages only say "look now". Whatever
a killed worker, a database restart or a broker outage left pending or half-done is
published again here (beat, every 30 seconds), and duplicates do nothing (every step is
claimed with a compare-and-swap).
"""

import datetime

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.queue import publish

from ..choices import RunKind, RunStatus
from ..models import DirtyPeriod, ScoringRun
from .common import chunk_lease
from .runs import chunk_fail, rescore_if_dirty, run_fail, silent_since

# A pending run older than this was not picked up: its message was lost (broker down when
# it was sent) or is stuck behind a dead worker. Sending it again is harmless (run_claim).
PENDING_GRACE = datetime.timedelta(seconds=20)
# A run still running after this has lost its way; it ends failed with the reason.
RUN_DEADLINE = datetime.timedelta(minutes=30)


def sweep_runs(*, now=None):
    """Beat, every 30 seconds: publish again what a killed worker, a database restart or a broker
    outage left behind, so no run stays pending or running without someone working on it.

    - a pending run not picked up within ``PENDING_GRACE``: sent again;
    - a monthly run's chunk still pending, or running with no heartbeat for the lease: sent again,
      up to ``SCORING_CHUNK_MAX_ATTEMPTS`` claims, then the run fails with the reason;
    - a monthly run whose chunks are all done but which is still running: finalized;
    - a quarterly or annual run with no heartbeat for the lease (its worker died): back to pending and
      sent again, up to ``SCORING_CHUNK_MAX_ATTEMPTS`` claims, then failed with the reason; a slow one
      that still beats is left to work;
    - any run running ``RUN_DEADLINE`` after its first claim: failed, with the reason;
    - a period whose inputs changed after its run read them (``DirtyPeriod``): scored again once.
    """
    # Enqueue: the tasks module imports this one, so the tasks are looked up when they are sent.
    from ..tasks import finalize_run, run_scoring, score_chunk

    now = now or timezone.now()
    lease_start = now - chunk_lease()
    most = settings.SCORING_CHUNK_MAX_ATTEMPTS
    sent = 0
    for run in ScoringRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=now - RUN_DEADLINE):
        run_fail(run.pk, _("计算超过 %(m)s 分钟仍未完成，已停止；请重新发起。") % {"m": RUN_DEADLINE.seconds // 60})
    for run in ScoringRun.objects.filter(status=RunStatus.RUNNING, kind=RunKind.MONTHLY):
        chunks = list(run.chunks.all())
        if chunks and all(c.status == RunStatus.SUCCEEDED for c in chunks):
            sent += publish(finalize_run, None, run.pk)
            continue
        for chunk in chunks:
            stale = (chunk.status == RunStatus.PENDING and run.started_at < now - PENDING_GRACE) or (
                chunk.status == RunStatus.RUNNING and (chunk.heartbeat_at or chunk.claimed_at or now) < lease_start
            )
            if not stale:
                continue
            if chunk.attempts >= most:
                chunk_fail(
                    chunk.pk,
                    _("%(t)s 已重试 %(n)s 次仍未完成（计算进程或数据库中断）。")
                    % {"t": chunk.township, "n": chunk.attempts},
                )
                break
            sent += publish(score_chunk, chunk.pk)
    silent = ScoringRun.objects.filter(silent_since(lease_start), status=RunStatus.RUNNING).exclude(
        kind=RunKind.MONTHLY
    )
    for run in silent:
        if run.attempts >= most:
            run_fail(
                run.pk,
                _("%(k)s已重试 %(n)s 次仍未完成（计算进程或数据库中断）。")
                % {"k": run.get_kind_display(), "n": run.attempts},
            )
        # Compare-and-swap on the silence: a run that beat since the query above keeps working.
        elif ScoringRun.objects.filter(silent_since(lease_start), pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.PENDING
        ):
            sent += publish(run_scoring, run.pk)
    for run_id in ScoringRun.objects.filter(status=RunStatus.PENDING, created_at__lt=now - PENDING_GRACE).values_list(
        "pk", flat=True
    ):
        sent += publish(run_scoring, run_id)
    scored = ScoringRun.objects.filter(
        county_id=OuterRef("county_id"), kind=OuterRef("kind"), year=OuterRef("year"), period=OuterRef("period")
    )
    for mark in DirtyPeriod.objects.filter(Exists(scored), generation__gt=F("scored_generation")):
        sent += rescore_if_dirty(mark) is not None
    return sent
