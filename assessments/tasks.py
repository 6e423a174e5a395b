"""Thin Celery tasks around assessments.services: ids in, a service call inside.

A monthly run fans out as a chord: one ``score_chunk`` per township in
parallel, then ``finalize_run``. Every step is idempotent and claimed with a
compare-and-swap update, so a duplicated or redelivered message does nothing
twice; ``sweep_scoring_runs`` (beat) re-enqueues what a killed worker left.
"""

import traceback

from celery import chord, shared_task


@shared_task(acks_late=True)
def run_scoring(run_id):
    from .choices import RunKind
    from .models import ScoringRun
    from .services import annual_rating_compute, bulletin_compute, run_claim, run_fail

    if not run_claim(run_id):
        return "already claimed"
    run = ScoringRun.objects.get(pk=run_id)
    if run.kind == RunKind.MONTHLY:
        chunk_ids = list(run.chunks.values_list("pk", flat=True))
        chord(score_chunk.s(chunk_id) for chunk_id in chunk_ids)(finalize_run.s(run_id))
        return f"dispatched {len(chunk_ids)} chunks"
    try:
        if run.kind == RunKind.ANNUAL:
            count = annual_rating_compute(county_id=run.county_id, year=run.year, run=run)
        else:
            bulletin_compute(county_id=run.county_id, year=run.year, quarter=run.period, run=run)
            count = 1
    except Exception:
        run_fail(run_id, traceback.format_exc())
        raise
    from django.utils import timezone

    ScoringRun.objects.filter(pk=run_id).update(status="succeeded", finished_at=timezone.now(), targets_scored=count)
    return count


@shared_task(acks_late=True)
def score_chunk(chunk_id):
    from .services import chunk_claim, chunk_fail, score_chunk_compute

    if not chunk_claim(chunk_id):
        return 0
    try:
        return score_chunk_compute(chunk_id)
    except Exception:
        chunk_fail(chunk_id, traceback.format_exc())
        raise


@shared_task(acks_late=True)
def finalize_run(_results, run_id):
    from .services import run_fail, run_finalize

    try:
        return run_finalize(run_id)
    except Exception:
        run_fail(run_id, traceback.format_exc())
        raise


@shared_task(acks_late=True)
def sweep_scoring_runs():
    from .services import sweep_runs

    return sweep_runs()


@shared_task(acks_late=True)
def score_last_month():
    """Beat: score last month for every county with an active scheme (a no-op when one is queued)."""
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from townships.models import County

    from .choices import RunKind
    from .services import period_is_closed, scoring_run_start

    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    started = 0
    for county_id in County.objects.filter(is_active=True).values_list("pk", flat=True):
        if period_is_closed(county_id, last.year, last.month):
            continue
        try:
            # After the deadline the month is scored with what has been approved; villages still
            # missing are left out and listed, and a late approval scores the month again.
            scoring_run_start(
                actor=None,
                county_id=county_id,
                kind=RunKind.MONTHLY,
                year=last.year,
                period=last.month,
                allow_missing=True,
            )
            started += 1
        except ValidationError:
            continue
    return started
