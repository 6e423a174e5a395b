"""The cadres models, one module per subject; everything is re-exported so that
``from cadres.models import X`` (and the migrations' ``cadres.models.evidence_path``) keep working."""

from .alerts import AlertRefresh, StoredAlert
from .allowance import (
    AllowanceBand,
    AllowanceChange,
    AllowanceDisqualification,
    AllowanceStop,
    AllowanceTable,
)
from .commitments import Commitment, CommitmentAmendment, Inspection, Milestone, ProgressEntry
from .life import Appraisal, AppraisalRating, Meeting, evidence_path
from .members import Correction, MemberPost, MembershipEvent, MobileRecord, PartyMember
from .people import Person, ReserveCadre, Tenure, VillageContact

__all__ = [
    "AlertRefresh",
    "AllowanceBand",
    "AllowanceChange",
    "AllowanceDisqualification",
    "AllowanceStop",
    "AllowanceTable",
    "Appraisal",
    "Commitment",
    "CommitmentAmendment",
    "Inspection",
    "Milestone",
    "ProgressEntry",
    "AppraisalRating",
    "Correction",
    "Meeting",
    "MemberPost",
    "MembershipEvent",
    "MobileRecord",
    "PartyMember",
    "Person",
    "ReserveCadre",
    "StoredAlert",
    "Tenure",
    "VillageContact",
    "evidence_path",
]
