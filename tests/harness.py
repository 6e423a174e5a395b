"""`make test`: run pytest against throwaway PostgreSQL and Redis servers when they are installed.

With the server binaries on the machine (Debian: postgresql, redis-server) this
starts both in a temporary directory on free ports, points DATABASE_URL and
REDIS_URL at them, runs pytest (whose integration tests start a real Celery
worker), and tears everything down. Without them, pytest runs on SQLite and
eager Celery and the integration tests are reported as skipped. With
REQUIRE_INTEGRATION=1 (set by .ci/run), missing servers are an error.

Either way the whole suite runs on three pytest-xdist workers, and the tests marked serial
in a process of their own (see "Two cores" below).
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SERVICE_WAIT_SECONDS = 30


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _find_postgres():
    for pattern in ("/usr/lib/postgresql/*/bin/initdb", "/usr/local/pgsql/bin/initdb"):
        found = sorted(glob.glob(pattern))
        if found:
            return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _as_postgres_user(command):
    """PostgreSQL refuses to run as root: drop to the `postgres` system user when we are root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _wait(check, what):
    deadline = time.monotonic() + SERVICE_WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {SERVICE_WAIT_SECONDS}s")


def _port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# A throwaway server: durability settings off for speed.
SPEED_OPTIONS = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=100",
]


def initdb(datadir):
    """A new cluster in ``datadir``: trust authentication, UTF-8, the C.UTF-8 locale."""
    subprocess.run(
        _as_postgres_user(
            [
                os.path.join(_find_postgres(), "initdb"),
                "-D",
                str(datadir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_postgres(workdir):
    bindir = _find_postgres()
    datadir = os.path.join(workdir, "pgdata")
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
    initdb(datadir)
    port = _free_port()
    process = subprocess.Popen(
        _as_postgres_user(
            [os.path.join(bindir, "postgres"), "-D", datadir, "-p", str(port), "-k", workdir, *SPEED_OPTIONS]
        ),
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(workdir, "postgres.log"), "wb"),
    )
    _wait(lambda: _port_open(port), "PostgreSQL")
    time.sleep(0.5)
    return process, f"postgres://postgres@127.0.0.1:{port}/township"


def start_redis(workdir, port=None):
    """A throwaway redis-server in ``workdir`` (on ``port``, or a free one)."""
    port = port or _free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    _wait(lambda: _port_open(port), "Redis")
    return process, f"redis://127.0.0.1:{port}/0"


def _stop_restarted_postgres(workdir):
    """A server the restart drill started with pg_ctl is not our child: stop it by its data directory."""
    datadir = os.path.join(workdir, "pgdata")
    if os.path.exists(os.path.join(datadir, "postmaster.pid")):
        pg_ctl = os.path.join(_find_postgres(), "pg_ctl")
        subprocess.run(_as_postgres_user([pg_ctl, "-D", datadir, "-m", "immediate", "stop"]), check=False)


# --- One migrated database, copied for each test database ----------------------------------
# Every pytest process (each xdist worker, the serial pass) creates its own test database; run
# from nothing, the migrations take each of them 10-30 s on two busy cores. They are run once
# instead, into TEMPLATE_DATABASE, and every test database is created as a copy of it
# (tests/conftest.py: django_db_modify_db_settings); Django's migrate then finds nothing to do.
TEMPLATE_DATABASE = "township_template"


def migrated_template(env, database_url):
    """Create TEMPLATE_DATABASE beside ``database_url``'s and migrate it; the env naming it."""
    import psycopg2

    server = database_url.rsplit("/", 1)[0]
    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{TEMPLATE_DATABASE}"')
    connection.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env | {"DATABASE_URL": f"{server}/{TEMPLATE_DATABASE}"},
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        check=True,
    )
    return {"TEST_DATABASE_TEMPLATE": TEMPLATE_DATABASE}


# --- Two cores: the parallel pass and the serial pass --------------------------------------
# The whole suite (no arguments, or arguments with -n) runs in two pytest passes:
# 1. on TEST_WORKERS (default 3: the third fills the time the others wait for Chromium, a Celery
#    worker or PostgreSQL) pytest-xdist workers, --dist loadgroup, every test not marked
#    serial. Each worker has its own PostgreSQL test database (pytest-django: test_township_gw0,
#    _gw1) and Redis database (tests/xdist_plugin.py: /1, /2); the tests that start a Celery worker
#    or a live server form one group, run by one worker (tests/xdist_plugin.py);
# 2. in one process, the tests marked serial: they pause or stop a Redis server
#    (tests/integration/test_outages.py). With the servers on the machine this pass has a Redis
#    of its own and its own test database (test_township), so it runs alongside the first: its
#    drills mostly wait for Redis, and nothing of theirs reaches the workers. Its output is printed
#    when it ends.
# Both passes always run; make test passes when both do.
# Arguments without -n (one file, -k ...) run in one pytest process, as before.
# TEST_WORKERS=1 runs the whole suite in one process, as before.

XDIST_PLUGIN = ["-p", "tests.xdist_plugin"]
NO_TESTS_COLLECTED = 5  # pytest's exit status when the selection is empty


def _workers():
    return int(os.environ.get("TEST_WORKERS", "3"))


def _asks_for_workers(pytest_args):
    return any(
        arg in ("-n", "--numprocesses") or arg.startswith(("--numprocesses=", "-n=")) for arg in pytest_args
    ) or any(arg.startswith("-n") and arg[2:].isdigit() for arg in pytest_args)


def pytest_passes(pytest_args, workers):
    """The pytest argument lists to run one after the other, with a label each."""
    if (pytest_args and not _asks_for_workers(pytest_args)) or (not pytest_args and workers < 2):
        return [("", [*XDIST_PLUGIN, *pytest_args])]
    # The user's -n and --dist, if any, come later and win; -n 0 at the end turns xdist off.
    parallel = [*XDIST_PLUGIN, "-n", str(workers), "--dist", "loadgroup", "--serial-tests=exclude", *pytest_args]
    serial = [*XDIST_PLUGIN, "--serial-tests=only", *pytest_args, "-n", "0"]
    return [("the parallel pass (pytest-xdist)", parallel), ("the serial pass (tests marked serial)", serial)]


def run_passes(passes, env, serial_env=None):
    """Run each pass; the first failure's status, 0 when every pass passed or had nothing to run.
    With ``serial_env`` (a Redis of its own) the serial pass runs alongside the parallel one."""
    if serial_env is not None and len(passes) == 2:
        return _run_alongside(passes, env, serial_env)
    statuses = []
    for number, (label, args) in enumerate(passes, start=1):
        if label:
            print(f"make test: pass {number} of {len(passes)}, {label}.", flush=True)
        status = subprocess.run([sys.executable, "-m", "pytest", *args], env=env, check=False).returncode
        statuses.append(status)
        if status not in (0, NO_TESTS_COLLECTED) and ("-x" in args or "--exitfirst" in args):
            break
    return _outcome(statuses)


def _run_alongside(passes, env, serial_env):
    (first_label, first_args), (second_label, second_args) = passes
    print(f"make test: pass 1 of 2, {first_label}; pass 2 of 2, {second_label}, alongside it.", flush=True)
    with tempfile.TemporaryFile() as output:
        second = subprocess.Popen(
            [sys.executable, "-m", "pytest", *second_args], env=serial_env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            first = subprocess.run([sys.executable, "-m", "pytest", *first_args], env=env, check=False).returncode
            second_status = second.wait()
        finally:
            if second.poll() is None:
                second.terminate()
                second.wait()
        output.seek(0)
        print(f"make test: pass 2 of 2, {second_label}, printed as it ran:", flush=True)
        sys.stdout.buffer.write(output.read())
        sys.stdout.flush()
    return _outcome([first, second_status])


def _outcome(statuses):
    if len(statuses) > 1:
        print(f"make test: exit status of each pass {statuses}.", flush=True)
    failed = [status for status in statuses if status not in (0, NO_TESTS_COLLECTED)]
    if failed:
        return failed[0]
    return NO_TESTS_COLLECTED if all(status == NO_TESTS_COLLECTED for status in statuses) else 0


def main(argv):
    pytest_args = argv[1:] if argv and argv[0] == "--" else argv
    require = os.environ.get("REQUIRE_INTEGRATION") == "1"
    have_postgres = _find_postgres() is not None
    have_redis = bool(shutil.which("redis-server") or os.path.exists("/usr/bin/redis-server"))
    env = dict(os.environ)
    processes = []
    workdir = serial_env = None
    if have_postgres and have_redis:
        workdir = tempfile.mkdtemp(prefix="township-test-")
        try:
            pg, database_url = start_postgres(workdir)
            processes.append(pg)
            redis, redis_url = start_redis(workdir)
            processes.append(redis)
            serial_dir = os.path.join(workdir, "serial-redis")
            os.mkdir(serial_dir)
            serial_redis, serial_redis_url = start_redis(serial_dir)
            processes.append(serial_redis)
        except Exception:
            for process in processes:
                process.terminate()
            raise
        # TEST_REDIS_PID: the outage drills (tests/integration/test_outages.py) pause and resume it.
        # TEST_PG_*: the PostgreSQL restart drill (tests/soak) restarts it with pg_ctl.
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CONN_MAX_AGE="0",
            TEST_REDIS_PID=str(redis.pid),
            TEST_PG_DATADIR=os.path.join(workdir, "pgdata"),
            TEST_PG_BINDIR=_find_postgres(),
        )
        env.update(migrated_template(env, database_url))
        serial_env = env | {"REDIS_URL": serial_redis_url, "TEST_REDIS_PID": str(serial_redis.pid)}
        print(
            f"make test: throwaway PostgreSQL ({database_url}) and Redis ({redis_url}); integration tests run.",
            flush=True,
        )
    else:
        missing = [name for name, ok in (("PostgreSQL", have_postgres), ("redis-server", have_redis)) if not ok]
        message = f"make test: {' and '.join(missing)} not installed; running on SQLite with eager Celery."
        if require:
            print(message + " REQUIRE_INTEGRATION=1: refusing to skip the integration tests.", file=sys.stderr)
            return 2
        print(message + " Integration tests (tests/integration) will be SKIPPED.", flush=True)
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
    try:
        return run_passes(pytest_passes(pytest_args, _workers()), env, serial_env)
    except KeyboardInterrupt:
        return 130
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if workdir:
            _stop_restarted_postgres(workdir)
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
