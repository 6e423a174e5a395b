"""Writes for the 千分制, one module per part: schemes, reports, runs, scores, ratings, bulletins.

Scoring is split per township (``ScoringChunk``): each chunk reads its township's reports and
derived metrics in a fixed number of queries, scores every village with the pure rules of
``assessments.scoring``, and stores the result on the chunk. The run's finalize step writes every
score of the county in one transaction (upserts under unique constraints) and ranks them, so a
failed run leaves the previous scores standing and a re-run replaces, never duplicates.
"""

from .bulletins import bulletin_compute, bulletin_publish
from .common import WRITE_BATCH, actor_or_none, chunk_lease
from .duty import (
    annual_votes_changed,
    duty_review_save,
    duty_ties_decide,
    township_reviews_compute,
    township_reviews_refresh,
)
from .ratings import (
    annual_inputs,
    annual_rating_compute,
    removal_decide,
    removal_rule_apply,
)
from .recovery import sweep_runs
from .rectifications import rectification_close, rectification_save
from .reports import (
    ReportConflict,
    clean_report_values,
    period_close,
    report_correct,
    report_review,
    report_save,
    report_submit,
)
from .runs import (
    chunk_claim,
    chunk_fail,
    run_claim,
    run_dispatch,
    run_fail,
    run_finalize,
    run_synchronously,
    score_chunk_compute,
    score_chunks_compute,
    score_counties,
    scoring_run_start,
)
from .schemes import active_schemes, indicator_save, scheme_activate, scheme_copy, scheme_problems
from .scores import (
    item_parts,
    rank_scores,
    score_override,
    score_retotal,
    scores_changed,
    scores_generation,
    scores_generation_with,
    scores_retotal,
)
from .sign_off import annual_ratings_sign_off, excellent_ties_decide, sign_off_summary
from .talks import talk_decide, talk_follow_up, talk_record, talks_apply, talks_remind

__all__ = [
    "rectification_close",
    "rectification_save",
    "talk_decide",
    "talk_follow_up",
    "talk_record",
    "talks_apply",
    "talks_remind",
    "annual_votes_changed",
    "duty_review_save",
    "duty_ties_decide",
    "township_reviews_compute",
    "township_reviews_refresh",
    "ReportConflict",
    "WRITE_BATCH",
    "active_schemes",
    "actor_or_none",
    "annual_inputs",
    "annual_rating_compute",
    "annual_ratings_sign_off",
    "sign_off_summary",
    "bulletin_compute",
    "bulletin_publish",
    "chunk_claim",
    "chunk_fail",
    "chunk_lease",
    "clean_report_values",
    "excellent_ties_decide",
    "indicator_save",
    "item_parts",
    "period_close",
    "rank_scores",
    "removal_decide",
    "removal_rule_apply",
    "report_correct",
    "report_review",
    "report_save",
    "report_submit",
    "run_claim",
    "run_dispatch",
    "run_fail",
    "run_finalize",
    "run_synchronously",
    "score_counties",
    "scheme_activate",
    "scheme_copy",
    "scheme_problems",
    "score_chunk_compute",
    "score_chunks_compute",
    "score_override",
    "score_retotal",
    "scores_changed",
    "scores_generation",
    "scores_generation_with",
    "scores_retotal",
    "scoring_run_start",
    "sweep_runs",
]
