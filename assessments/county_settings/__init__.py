"""The assessment's own county settings (registered with townships.county_settings when the app is
ready): the 千分制 (``scoring``), satisfaction surveys and 约谈 (``surveys``), the 述职 ballots
(``duty``)."""

from .duty import (  # noqa: F401
    DUTY_SETTINGS,
    TOWNSHIP_DUTY_OPTIONS,
    VILLAGE_DUTY_OPTIONS,
    duty_groups,
    duty_options,
    township_duty_bands,
)
from .honours import HONOUR_SETTINGS  # noqa: F401
from .pay import PAY_SETTINGS  # noqa: F401
from .scoring import RATING_SETTINGS  # noqa: F401
from .surveys import (  # noqa: F401
    ASSESSMENT_SETTINGS,
    LAST_SCOPES,
    RATER_GROUPS,
    SATISFACTION_OPTIONS,
    rater_groups,
    satisfaction_bands,
    satisfaction_options,
)
