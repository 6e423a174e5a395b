"""Reads for the roster and the pipeline's due lists."""

import datetime
from dataclasses import dataclass

from .. import rules
from ..choices import Stage

ROSTER_STAGES = (Stage.PROBATIONARY, Stage.FULL)
PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)


def member_list(*, members):
    """The roster's rows with everything a page or export shows, in one query."""
    return members.select_related("person", "organization", "township", "village")


@dataclass(frozen=True)
class DueLists:
    candidate_eligible: list
    probation_ending: list
    talk_overdue: list
    review_overdue: list
    probation_overdue: list


def pipeline_due(*, members, today, conf):
    """Who becomes eligible for the next step this month, and who is overdue."""
    month_end = rules.add_months(today.replace(day=1), 1) - datetime.timedelta(days=1)
    base = member_list(members=members.filter(is_active=True))
    activist_cutoff = rules.add_months(month_end, -conf["pipeline.activist_min_months"])
    review_cutoff = rules.add_months(today, -conf["pipeline.activist_review_months"])
    talk_cutoff = today - datetime.timedelta(days=conf["pipeline.talk_within_days"])
    return DueLists(
        candidate_eligible=list(base.filter(stage=Stage.ACTIVIST, activist_on__lte=activist_cutoff)),
        probation_ending=list(
            base.filter(stage=Stage.PROBATIONARY, probation_end__gte=today.replace(day=1), probation_end__lte=month_end)
        ),
        talk_overdue=list(base.filter(stage=Stage.APPLICANT, talked_on__isnull=True, applied_on__lt=talk_cutoff)),
        review_overdue=list(
            base.filter(stage__in=[Stage.ACTIVIST, Stage.CANDIDATE], last_reviewed_on__lt=review_cutoff)
        ),
        probation_overdue=list(base.filter(stage=Stage.PROBATIONARY, probation_end__lt=today)),
    )
