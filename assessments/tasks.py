"""Thin Celery tasks around assessments.services.runs: ids in, one service call inside.

A monthly run fans out as a chord: one ``score_chunks`` per group of townships
(SCORING_TOWNSHIPS_PER_TASK) in parallel, then ``finalize_run``; the sweeper sends a stale
chunk back alone (``score_chunk``). Every step is idempotent and claimed with a compare-and-swap update, so a
duplicated or redelivered message does nothing twice; ``sweep_scoring_runs`` (beat) re-enqueues
what a killed worker left.
"""

from celery import shared_task
from django.utils import timezone

from .services import recovery, reports, runs


@shared_task(acks_late=True)
def run_scoring(run_id):
    return runs.run_dispatch(run_id)


@shared_task(acks_late=True)
def score_chunk(chunk_id):
    return runs.chunk_run(chunk_id)


@shared_task(acks_late=True)
def score_chunks(chunk_ids):
    return runs.chunks_run(chunk_ids)


@shared_task(acks_late=True)
def finalize_run(_results, run_id):
    return runs.run_finish(run_id)


@shared_task(acks_late=True)
def sweep_scoring_runs():
    return recovery.sweep_runs()


@shared_task(acks_late=True)
def score_last_month():
    return runs.score_last_month(today=timezone.localdate())


@shared_task
def remind_deadlines():
    return reports.deadline_reminders(today=timezone.localdate())


@shared_task
def remind_talks_and_rectifications():
    """Beat, daily: 约谈 follow-ups due and overdue 整改 items to the message centre, once each."""
    from .services.rectifications import rectifications_remind
    from .services.talks import talks_remind

    today = timezone.localdate()
    return talks_remind(today=today) + rectifications_remind(today=today)
