"""Excel imports of the member roster and of meeting records.

Both run on the skeleton in townships.imports: every row is checked by its form
before anything is written; the whole file is written in one transaction or not
at all; a file already imported (same SHA-256) adds nothing, and rows already on
record (same ID number; same meeting) are skipped, so uploading a corrected file
again only adds what is new. One module per workbook; everything is re-exported
here so ``from cadres.imports import X`` keeps working.
"""

from .common import _organizations
from .meetings import (
    MEETING_EXAMPLE,
    MEETING_HEADERS,
    MEETING_SHEET,
    MeetingRowForm,
    MeetingsImport,
    meetings_import,
    meetings_template,
)
from .roster import (
    ROSTER_EXAMPLE,
    ROSTER_HEADERS,
    ROSTER_SHEET,
    RosterImport,
    RosterRowForm,
    roster_import,
    roster_template,
)

__all__ = [
    "MEETING_EXAMPLE",
    "MEETING_HEADERS",
    "MEETING_SHEET",
    "ROSTER_EXAMPLE",
    "ROSTER_HEADERS",
    "ROSTER_SHEET",
    "MeetingRowForm",
    "MeetingsImport",
    "RosterImport",
    "RosterRowForm",
    "_organizations",
    "meetings_import",
    "meetings_template",
    "roster_import",
    "roster_template",
]
