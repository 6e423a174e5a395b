"""Scoring runs: one chunk per township fanned out on Celery (claimed with compare-and-swap), finalize in one
transaction, and the one orchestration both the tasks and the synchronous path (commands, the demo) call.

``lifecycle`` starts, dispatches, finalizes and fails runs; ``compute`` scores a month for some townships;
``claims`` hands each step to one worker. The sweeper for what a killed worker left is ``..recovery``.
"""

from .claims import chunk_claim, heartbeat, run_claim, silent_since
from .compute import (
    Inputs,
    month_inputs,
    score_chunk_compute,
    score_chunks_compute,
    score_township,
    township_rows,
)
from .dirty import period_mark_dirty, period_mark_scored
from .lifecycle import (
    LOST_DATABASE,
    chunk_batches,
    chunk_fail,
    chunk_run,
    chunks_run,
    rescore_if_dirty,
    run_dispatch,
    run_fail,
    run_finalize,
    run_finish,
    run_synchronously,
    run_tell,
    score_counties,
    score_last_month,
    scoring_run_start,
    townships_rescore,
)

__all__ = [
    "LOST_DATABASE",
    "Inputs",
    "chunk_batches",
    "chunk_claim",
    "chunk_fail",
    "chunk_run",
    "chunks_run",
    "heartbeat",
    "month_inputs",
    "period_mark_dirty",
    "period_mark_scored",
    "rescore_if_dirty",
    "run_claim",
    "run_dispatch",
    "run_fail",
    "run_finalize",
    "run_finish",
    "run_synchronously",
    "run_tell",
    "score_chunk_compute",
    "score_chunks_compute",
    "score_counties",
    "score_last_month",
    "score_township",
    "silent_since",
    "scoring_run_start",
    "township_rows",
    "townships_rescore",
]
