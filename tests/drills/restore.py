"""`make restore-drill` (issue 10, check 13): back up the demo county, restore it, prove the copy.

Steps, as the README's backup section does them:
1. a PostgreSQL server: the one DATABASE_URL names when it is PostgreSQL, otherwise a throwaway
   one started with tests/harness.py's helpers;
2. a source database, migrated and loaded with the demo county (`manage.py load_demo`);
3. `pg_dump -Fc` of it, then `pg_restore --no-owner` into a fresh database;
4. every table compared between source and restored: row count and an md5 over its rows
   (`md5(string_agg(t::text, ... ORDER BY t::text))`), plus sequences, indexes, constraints and
   triggers (the audit trail's immutability trigger must come back too);
5. a smoke check against the restored database in a separate process: `manage.py check`, no
   unapplied migration, a demo login through the login page, the home page and a list, ORM counts,
   and the audit trigger still refusing an UPDATE.

It prints `restore drill: 100% of N tables match, dump X s, restore Y s, total Z s` (total: dump,
restore, comparison and smoke; loading the demo is setup and timed apart) and exits non-zero on
any mismatch or failed smoke check. tests/integration/test_restore_drill.py runs the same drill on
the test database in CI.

    .venv/bin/python -m tests.drills.restore [--townships 18] [--villages-per-township N] [--keep]
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests import harness

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "township_drill_source"
RESTORED = "township_drill_restored"


# --- The server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str = ""

    @classmethod
    def from_url(cls, url):
        parts = urlsplit(url)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
        )

    @classmethod
    def from_settings(cls, settings_dict):
        return cls(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=int(settings_dict["PORT"] or 5432),
            user=settings_dict["USER"] or "postgres",
            password=settings_dict["PASSWORD"] or "",
        )

    def url(self, dbname):
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname):
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None, dbname=dbname
        )
        connection.autocommit = True
        return connection

    def client_args(self):
        return ["-h", self.host, "-p", str(self.port), "-U", self.user]

    def client_env(self):
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def pg_tool(name):
    """pg_dump and pg_restore of the installed server (same major version), else the ones on PATH."""
    bindir = harness._find_postgres()
    path = os.path.join(bindir, name) if bindir else shutil.which(name)
    if not path or not os.path.exists(path):
        raise RuntimeError(f"{name} not found: install PostgreSQL's client programs")
    return path


def create_database(server, name):
    drop_database(server, name)
    connection = server.connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        connection.close()


def drop_database(server, name):
    connection = server.connect("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


# --- What is compared -----------------------------------------------------------------------------


def snapshot(server, dbname):
    """Per table (row count, md5 of the rows in a fixed order); sequences; schema objects by name."""
    from psycopg2 import sql

    connection = server.connect(dbname)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
            tables = {}
            for schema, name in cursor.fetchall():
                table = f"{schema}.{name}"
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                    ).format(sql.Identifier(schema, name))
                )
                tables[table] = tuple(cursor.fetchone())
            cursor.execute(
                "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
            sequences = dict(cursor.fetchall())
            cursor.execute(
                "SELECT 'index ' || format('%I.%I', schemaname, indexname) FROM pg_indexes "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
                "UNION ALL SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' ' || contype::text "
                "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "UNION ALL SELECT 'trigger ' || tgrelid::regclass::text || '.' || tgname FROM pg_trigger "
                "WHERE NOT tgisinternal "
                "UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            )
            objects = {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()
    return tables, sequences, objects


@dataclass
class Result:
    tables: int = 0
    matched: int = 0
    rows: int = 0
    mismatches: list = field(default_factory=list)
    dump_seconds: float = 0.0
    restore_seconds: float = 0.0
    compare_seconds: float = 0.0
    smoke_seconds: float = 0.0
    dump_bytes: int = 0

    @property
    def ok(self):
        return not self.mismatches and self.tables > 0

    @property
    def total_seconds(self):
        return self.dump_seconds + self.restore_seconds + self.compare_seconds + self.smoke_seconds

    def figure(self):
        share = 100 * self.matched / self.tables if self.tables else 0
        return (
            f"{share:.0f}% of {self.tables} tables match ({self.rows:,} rows), dump {self.dump_seconds:.1f} s, "
            f"restore {self.restore_seconds:.1f} s, total {self.total_seconds:.1f} s"
        )


def compare(source, restored, result):
    source_tables, source_sequences, source_objects = source
    restored_tables, restored_sequences, restored_objects = restored
    result.tables = len(source_tables)
    for table, (count, digest) in source_tables.items():
        if table not in restored_tables:
            result.mismatches.append(f"table {table}: missing after restore")
        elif restored_tables[table] != (count, digest):
            got = restored_tables[table]
            result.mismatches.append(f"table {table}: {count} rows md5 {digest} became {got[0]} rows md5 {got[1]}")
        else:
            result.matched += 1
            result.rows += count
    for table in sorted(set(restored_tables) - set(source_tables)):
        result.mismatches.append(f"table {table}: only in the restored database")
    for sequence, value in source_sequences.items():
        if restored_sequences.get(sequence) != value:
            result.mismatches.append(f"sequence {sequence}: {value} became {restored_sequences.get(sequence)}")
    for name in sorted(source_objects - restored_objects):
        result.mismatches.append(f"{name}: missing after restore")
    for name in sorted(restored_objects - source_objects):
        result.mismatches.append(f"{name}: only in the restored database")


# --- The drill -----------------------------------------------------------------------------------


def run(command, env=None, what=None):
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{what or command[0]} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    return completed


def backup_and_restore(server, source, restored, workdir):
    """pg_dump -Fc the source, pg_restore it into a fresh database, compare both. Returns a Result."""
    result = Result()
    dump_file = os.path.join(workdir, f"{source}.dump")
    started = time.monotonic()
    run(
        [pg_tool("pg_dump"), *server.client_args(), "-Fc", "-f", dump_file, source],
        env=server.client_env(),
        what="pg_dump",
    )
    result.dump_seconds = time.monotonic() - started
    result.dump_bytes = os.path.getsize(dump_file)

    create_database(server, restored)
    started = time.monotonic()
    run(
        [pg_tool("pg_restore"), *server.client_args(), "--no-owner", "--exit-on-error", "-d", restored, dump_file],
        env=server.client_env(),
        what="pg_restore",
    )
    result.restore_seconds = time.monotonic() - started

    started = time.monotonic()
    compare(snapshot(server, source), snapshot(server, restored), result)
    result.compare_seconds = time.monotonic() - started
    return result


def app_env(database_url):
    """The application's environment on a database: eager Celery (no broker needed), DEBUG as configured."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["CONN_MAX_AGE"] = "0"
    env.pop("REDIS_URL", None)
    return env


def smoke_check(server, dbname, result, username="county"):
    """Run the smoke checks in a fresh process on the restored database; failures become mismatches."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "tests.drills.restore", "--smoke", "--username", username],
        env=app_env(server.url(dbname)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    result.smoke_seconds = time.monotonic() - started
    if completed.returncode != 0:
        result.mismatches.append(f"smoke check failed:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def smoke(username):
    """In-process checks on DATABASE_URL (the restored database). Exit status 1 on any failure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from townships.demo import DEMO_PASSWORD
    from townships.models import AuditEvent, County, Township, User
    from villages.models import Village

    setup_test_environment()  # the test client's host is allowed, mail stays in memory
    failures = []
    call_command("check", verbosity=0)
    try:
        call_command("migrate", check_unapplied=True, plan=True, verbosity=0, stdout=io.StringIO())
    except SystemExit:
        failures.append("unapplied migrations on the restored database")
    counts = {
        "counties": County.objects.count(),
        "townships": Township.objects.count(),
        "villages": Village.objects.count(),
        "users": User.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }
    if not all(counts[name] for name in ("counties", "townships", "villages", "users")):
        failures.append(f"empty registry after restore: {counts}")

    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    if response.status_code != 302 or "_auth_user_id" not in client.session:
        failures.append(f"demo login {username!r} failed: {response.status_code}")
    pages = {}
    for name in ("home", "village-list"):
        response = client.get(reverse(name))
        pages[name] = response.status_code
        if response.status_code != 200:
            failures.append(f"{name}: {response.status_code}")

    if connection.vendor == "postgresql":
        event = AuditEvent.objects.order_by("-pk").first()
        try:
            with transaction.atomic():
                AuditEvent.objects.filter(pk=event.pk).update(target_repr="altered")
            failures.append("the audit trail can be altered after restore (trigger missing)")
        except DatabaseError:
            pass

    print(f"smoke: check ok, pages {pages}, counts {counts}")
    for failure in failures:
        print(f"smoke FAILED: {failure}")
    return 1 if failures else 0


def load_demo(server, dbname, args):
    env = app_env(server.url(dbname))
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, what="migrate")
    command = [sys.executable, "manage.py", "load_demo", "--force", "--seed", str(args.seed)]
    if args.townships:
        command += ["--townships", str(args.townships)]
    if args.villages_per_township:
        command += ["--villages-per-township", str(args.villages_per_township)]
    return run(command, env=env, what="load_demo").stdout


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--townships", type=int, help="townships in the demo county (default: the county preset)")
    parser.add_argument("--villages-per-township", type=int, help="villages per township (default: the preset's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the two drill databases on a reused server")
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--username", default="county", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        return smoke(args.username)

    workdir = tempfile.mkdtemp(prefix="township-restore-drill-")
    server_process = None
    database_url = os.environ.get("DATABASE_URL", "")
    try:
        if database_url.startswith(("postgres://", "postgresql://")):
            server = Server.from_url(database_url)
            print(f"restore drill: reusing the PostgreSQL server of DATABASE_URL ({server.host}:{server.port})")
        else:
            if harness._find_postgres() is None:
                print("restore drill: PostgreSQL is not installed (Debian: postgresql)", file=sys.stderr)
                return 2
            server_process, url = harness.start_postgres(workdir)
            server = Server.from_url(url)
            print(f"restore drill: throwaway PostgreSQL on port {server.port}")

        started = time.monotonic()
        create_database(server, SOURCE)
        output = load_demo(server, SOURCE, args)
        setup_seconds = time.monotonic() - started
        for line in output.splitlines():
            if line.startswith(("Registry", "Records", "Assessment")):
                print(f"  {line}")
        print(f"  source loaded in {setup_seconds:.1f} s")

        result = backup_and_restore(server, SOURCE, RESTORED, workdir)
        print(f"  dump {result.dump_bytes / 1e6:.1f} MB")
        print("  " + smoke_check(server, RESTORED, result).strip())
        for mismatch in result.mismatches:
            print(f"  MISMATCH {mismatch}")
        print(f"restore drill: {result.figure()}")
        if not server_process and not args.keep:
            drop_database(server, RESTORED)
            drop_database(server, SOURCE)
        return 0 if result.ok else 1
    finally:
        if server_process:
            server_process.terminate()
            try:
                server_process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server_process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
