"""The assessment's pages, one module per part of the 千分制, plus the combined landing pages."""

from .bulletins import *  # noqa: F403
from .dashboards import *  # noqa: F403
from .duty import *  # noqa: F403
from .honours import *  # noqa: F403
from .pay import *  # noqa: F403
from .ratings import *  # noqa: F403
from .reports import *  # noqa: F403
from .schemes import *  # noqa: F403
from .scores import *  # noqa: F403
from .surveys import *  # noqa: F403
from .talks import *  # noqa: F403
from .townships import *  # noqa: F403
from .weak import *  # noqa: F403
