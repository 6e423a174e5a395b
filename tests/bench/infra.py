"""The servers `make bench` runs on: a PostgreSQL kept under var/bench/pgdata (so generated data
is reused by the next run), a throwaway Redis, real Celery workers and gunicorn.

PostgreSQL and Redis come from tests/harness.py; only the data directory's place differs.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.harness import (
    SPEED_OPTIONS,
    _as_postgres_user,
    _find_postgres,
    _free_port,
    _port_open,
    _wait,
    initdb,
    start_redis,
)

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
PGDATA = BENCH_DIR / "pgdata"
VENV_BIN = Path(sys.executable).parent
APT_PACKAGES = ("postgresql", "redis-server", "wrk")


def log(message):
    print(f"make bench: {message}", flush=True)


def _missing_packages():
    missing = []
    if _find_postgres() is None:
        missing.append("postgresql")
    if not (shutil.which("redis-server") or os.path.exists("/usr/bin/redis-server")):
        missing.append("redis-server")
    if not shutil.which("wrk"):
        missing.append("wrk")
    return missing


def ensure_packages():
    """PostgreSQL, redis-server and wrk: installed with apt-get when we are root; else the missing ones."""
    missing = _missing_packages()
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        log(f"installing {' '.join(missing)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, env=env)
        missing = _missing_packages()
    return missing


def peak_mb(pids):
    """The largest VmHWM (peak resident memory) among ``pids`` and their children, in MB."""
    peak = 0
    for pid in pids:
        family = [pid]
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                family += [int(child) for child in handle.read().split()]
        except OSError:
            pass
        for member in family:
            try:
                with open(f"/proc/{member}/status") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]) / 1024)
            except OSError:
                pass
    return peak or None


class Postgres:
    """A PostgreSQL server on var/bench/pgdata: initdb only when the directory is missing."""

    def __init__(self):
        self.bindir = _find_postgres()
        self.process = None
        self.port = None
        self.sockdir = None

    def start(self):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(BENCH_DIR, user.pw_uid, user.pw_gid)
        if not (PGDATA / "PG_VERSION").exists():
            shutil.rmtree(PGDATA, ignore_errors=True)
            log(f"initdb {PGDATA}")
            initdb(PGDATA)
        self._stop_leftover()
        self.sockdir = tempfile.mkdtemp(prefix="township-bench-pg-")
        if os.geteuid() == 0:
            os.chown(self.sockdir, pwd.getpwnam("postgres").pw_uid, -1)
        self.port = _free_port()
        options = list(SPEED_OPTIONS)
        if self.has_pg_stat_statements():
            options += ["-c", "shared_preload_libraries=pg_stat_statements"]
        self.process = subprocess.Popen(
            _as_postgres_user(
                [os.path.join(self.bindir, "postgres"), "-D", str(PGDATA), "-p", str(self.port), "-k", self.sockdir]
                + options
            ),
            stdout=subprocess.DEVNULL,
            stderr=open(BENCH_DIR / "postgres.log", "ab"),
        )
        _wait(lambda: _port_open(self.port), "PostgreSQL")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [os.path.join(self.bindir, "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                break
            time.sleep(0.3)

    def has_pg_stat_statements(self):
        libdir = subprocess.run(
            [os.path.join(self.bindir, "pg_config"), "--pkglibdir"], capture_output=True, text=True, check=False
        ).stdout.strip() or str(Path(self.bindir).parent / "lib")
        return os.path.exists(os.path.join(libdir, "pg_stat_statements.so"))

    def _stop_leftover(self):
        """A server left running by an interrupted run holds the data directory: stop it."""
        if (PGDATA / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user([os.path.join(self.bindir, "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "stop"]),
                check=False,
                capture_output=True,
            )

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self):
        if self.process is None:
            return
        # A fast (clean) shutdown keeps the reused data directory consistent.
        subprocess.run(
            _as_postgres_user([os.path.join(self.bindir, "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.sockdir, ignore_errors=True)
        self.process = None


class Redis:
    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="township-bench-redis-")
        self.process, self.url = start_redis(self.workdir)

    def flush(self):
        subprocess.run(
            [shutil.which("redis-cli") or "redis-cli", "-u", self.url, "flushall"],
            check=False,
            capture_output=True,
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


class Workers:
    """``count`` Celery worker processes, each ``-c 1 -P prefork``, as production runs them."""

    def __init__(self, env, count):
        self.env = env
        self.count = count
        self.processes = []
        self.logs = []

    def start(self):
        for i in range(self.count):
            path = BENCH_DIR / f"worker-{i + 1}.log"
            path.write_bytes(b"")
            log_file = open(path, "ab")
            process = subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-c",
                    "1",
                    "-P",
                    "prefork",
                    "-l",
                    "info",
                    "-n",
                    f"bench{i + 1}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.processes.append(process)
            self.logs.append(path)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(b"ready." in p.read_bytes() for p in self.logs):
                return
            dead = [p for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a Celery worker exited at start; see {self.logs[0]}")
            time.sleep(0.3)
        raise RuntimeError("Celery workers did not become ready within 60 s")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        self.processes = []


class Gunicorn:
    def __init__(self, env, workers=2):
        self.env = env
        self.workers = workers
        self.process = None
        self.port = None

    def start(self):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(BENCH_DIR / "gunicorn.log", "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start; see var/bench/gunicorn.log") from None
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.process = None
