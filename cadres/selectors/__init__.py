"""Reads for members, cadres and organizational life: due lists, compliance, alerts.

Every function takes querysets already narrowed by townships.scoping.scope_for
(or township ids taken from one) and runs a fixed number of aggregate queries,
however many villages are in scope. One module per subject; everything is
re-exported here so ``from cadres.selectors import X`` keeps working.
"""

from ..choices import AlertCode
from .alerts import Alert, alerts_for
from .commitments import (
    DueItem,
    commitment_board,
    commitment_overview,
    commitment_page,
    commitments_due,
    village_ranking,
    village_units,
)
from .life import KindCompliance, OrganizationCompliance, meeting_compliance
from .members import PIPELINE_STAGES, ROSTER_STAGES, DueLists, member_list, pipeline_due
from .village_cadres import VillageCadres, village_cadre_overview

__all__ = [
    "DueItem",
    "commitment_board",
    "commitment_overview",
    "commitment_page",
    "commitments_due",
    "village_ranking",
    "village_units",
    "PIPELINE_STAGES",
    "ROSTER_STAGES",
    "Alert",
    "AlertCode",
    "DueLists",
    "KindCompliance",
    "OrganizationCompliance",
    "VillageCadres",
    "alerts_for",
    "meeting_compliance",
    "member_list",
    "pipeline_due",
    "village_cadre_overview",
]
