"""`make soak`: the long reliability checks (issue 10, checks 9, 11 and 16).

They need the real stack (``make soak`` starts PostgreSQL and Redis like ``make test``)
and take minutes each, so ``make test`` deselects them (``-m "not soak"`` in
pyproject.toml) and ``make soak`` selects only them. Each prints its figure at the end.
"""

import os
import subprocess
import sys
import tempfile

import pytest

from tests.integration.conftest import ROOT
from tests.integration.test_release import release  # noqa: F401  (gunicorn with DEBUG off, for the load check)


class Beat:
    """A `celery beat` process with the production schedule (the sweeper every 30 s)."""

    def __init__(self, env):
        self.env = env
        self.process = None

    def start(self):
        workdir = tempfile.mkdtemp(prefix="soak-beat-")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "warning",
             "-s", os.path.join(workdir, "schedule"), "--pidfile", os.path.join(workdir, "beat.pid")],
            cwd=ROOT,
            env=self.env,
            stdout=open(ROOT / "var" / "soak-beat.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def beat():
    from tests.integration.conftest import worker_env

    process = Beat(worker_env()).start()
    yield process
    process.stop()
