"""A real Celery worker process for the integration tests, on the pytest-django test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_SECONDS = 60


def worker_env():
    from django.db import connection

    settings_dict = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    )
    env["CONN_MAX_AGE"] = "0"
    return env


class Worker:
    """A `celery worker` subprocess that can be killed and restarted by a test."""

    def __init__(self, env):
        self.env = env
        self.process = None
        self.log = ROOT / "var" / "test-worker.log"

    def start(self, concurrency=2):
        from config.celery import app

        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + WORKER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start; see {self.log}")
            if app.control.ping(timeout=1.0):
                return self
        raise RuntimeError(f"the Celery worker did not answer within {WORKER_START_SECONDS}s; see {self.log}")

    def kill(self):
        """SIGKILL the whole worker process group: what a crashed machine looks like."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """Start after the test database exists; stop before it is dropped."""
    from config.celery import app

    app.control.purge()
    worker = Worker(worker_env()).start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process):
    if celery_worker_process.process.poll() is not None:
        celery_worker_process.start()
    return celery_worker_process


def wait_for(check, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    return check()


def application_role(name, *, login=False):
    """A role that does not own the tables, given its privileges by ``grant_app_role`` as the owner
    (the test suite's superuser): the production split of README "Production"."""
    import io

    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
            f"THEN CREATE ROLE {name} {'LOGIN' if login else 'NOLOGIN'}; END IF; END $$"
        )
    call_command("grant_app_role", name, stdout=io.StringIO())
    return name
