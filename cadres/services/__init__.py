"""Writes for people, members, cadres and organizational life, one module per part of the domain.

Every public name is re-exported here, so ``from cadres.services import x`` and
``services.x`` work whichever module ``x`` lives in.
"""

from .alerts import alerts_refresh, alerts_refresh_all, current_alerts
from .cadres import TENURE_LISTENERS, contact_assign, on_tenures_changed, reserve_add, tenure_end, tenure_start
from .commitments import (
    PROGRESS_ENTRY,
    commitment_amend,
    commitment_approve,
    commitment_create,
    commitment_grade,
    commitment_return,
    commitment_submit,
    commitment_update,
    commitments_remind,
    holds_post_in_year,
    inspection_close,
    inspection_record,
    milestone_add,
    milestone_delete,
    progress_entry_describe,
    progress_entry_summary,
    progress_record,
)
from .common import ACTIVE_MEMBER_STAGES
from .meetings import GROUP_ONLY_KINDS, _subtree_ids, appraisal_record, meeting_record
from .membership import (
    correction_close,
    correction_start,
    member_apply,
    member_move,
    member_post_assign,
    member_register,
    mobile_contact,
    mobile_end,
    mobile_start,
)
from .people import household_key, person_create, person_reveal, person_update
from .transitions import member_transition

__all__ = [
    "commitment_amend",
    "commitment_approve",
    "commitment_create",
    "commitment_grade",
    "commitment_return",
    "commitment_submit",
    "commitment_update",
    "commitments_remind",
    "holds_post_in_year",
    "inspection_close",
    "inspection_record",
    "milestone_add",
    "milestone_delete",
    "PROGRESS_ENTRY",
    "progress_entry_describe",
    "progress_entry_summary",
    "progress_record",
    "ACTIVE_MEMBER_STAGES",
    "GROUP_ONLY_KINDS",
    "_subtree_ids",  # cadres.imports and the appraisal page walk an organization's subtree
    "alerts_refresh",
    "alerts_refresh_all",
    "appraisal_record",
    "contact_assign",
    "current_alerts",
    "correction_close",
    "correction_start",
    "household_key",
    "meeting_record",
    "member_apply",
    "member_move",
    "member_post_assign",
    "member_register",
    "member_transition",
    "mobile_contact",
    "mobile_end",
    "mobile_start",
    "person_create",
    "person_reveal",
    "person_update",
    "reserve_add",
    "tenure_end",
    "TENURE_LISTENERS",
    "on_tenures_changed",
    "tenure_start",
]
