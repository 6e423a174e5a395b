"""Build an expensive world once per test process; later tests get what it wrote, restored.

The security world (tests/security/world.py) takes ~25 s to build and eleven tests build it.
``once(key, build)`` builds it the first time a process asks for ``key`` (inside that test's
transaction, as before) and records what the build changed: the database rows (a diff of every
table before and after), the files it saved under MEDIA_ROOT, the Redis cache, the log records
and the Celery task results it produced. A later test of the same process, starting from the same
database, gets those rows written back in one statement per table (with triggers and foreign key
checks off, as pg_restore loads data, so the rows are written verbatim), the files copied, the
cache restored and the records replayed; its own transaction rolls the rows back as it would
have rolled back a build. The world's model instances are read again from the restored rows.

A restore is checked: every table's checksum after it must equal the one after the build, or
the restore is undone and the world built again (with a warning). The database before it must
equal the database before the build (tables' checksums; a transactional test's flush changes
it), or the world is built again. Only with PostgreSQL and Redis (what ``make test`` runs on);
otherwise every test builds its world, as before.

Sequences are not rewound: the restored rows keep the keys the build gave them, which the
sequences of this database handed out already (setval moves a sequence past them if it was
reset), so a row a test creates after a restore gets a new key as after a build.
"""

import atexit
import logging
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from celery.signals import task_postrun
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

_SNAPSHOTS = {}


@dataclass
class Snapshot:
    before: dict  # every table's checksum before the build
    after: dict  # ... and after it
    deleted: dict  # table -> primary keys (text) of rows the build deleted or changed
    written: dict  # table -> the rows the build inserted or changed, as JSON
    sequences: list  # (table, pk column, sequence) of the tables written
    files: Path  # a copy of what the build saved under MEDIA_ROOT
    cache: list  # (key, ttl in ms, DUMP) of every Redis key
    records: list = field(default_factory=list)  # log records
    task_results: list = field(default_factory=list)  # (task name, args, retval, state)
    value: object = None


def available():
    """PostgreSQL as a superuser (to write rows verbatim) and a Redis cache."""
    if connection.vendor != "postgresql" or not hasattr(getattr(cache, "_cache", None), "get_client"):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def _redis():
    return cache._cache.get_client(write=True)


def _all_tables():
    return sorted(connection.introspection.table_names(include_views=False))


def _checksums():
    """Every table's rows as one md5 of their text in a fixed order: one query."""
    qn = connection.ops.quote_name
    tables = _all_tables()
    rows_md5 = "SELECT md5(COALESCE(string_agg(snapshot_row::text, E'\\n' ORDER BY snapshot_row::text), '')) FROM {}"
    columns = ", ".join(f"({rows_md5.format(qn(t) + ' snapshot_row')})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _keyed_tables():
    """(table, primary key column) of every model's table, many-to-many tables included."""
    seen = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            seen.setdefault(model._meta.db_table, model._meta.pk.column)
    tables = set(_all_tables())
    return sorted((table, pk) for table, pk in seen.items() if table in tables)


def _row_hashes(table, pk):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT snapshot_row.{qn(pk)}::text, md5(snapshot_row::text) FROM {qn(table)} snapshot_row")  # noqa: S608
        return dict(cursor.fetchall())


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root): path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _build_and_record(key, build):
    qn = connection.ops.quote_name
    keyed = _keyed_tables()
    before = _checksums()
    hashes_before = {table: _row_hashes(table, pk) for table, pk in keyed}
    files_before = _media_files()
    cache_was_empty = _redis().dbsize() == 0

    # What pytest's caplog.set_level(DEBUG) would see: the root logger at DEBUG, its handlers.
    handler, root = _Records(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    task_results = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra):
        task_results.append((getattr(task, "name", str(sender)), args, retval, state))

    task_postrun.connect(record, weak=False)
    try:
        value = build()
    finally:
        task_postrun.disconnect(record)
        root.removeHandler(handler)
        root.setLevel(level)

    if not cache_was_empty:
        return value  # a world built on someone else's cache: not one to hand out again
    deleted, written, sequences = {}, {}, []
    with connection.cursor() as cursor:
        for table, pk in keyed:
            old, new = hashes_before[table], _row_hashes(table, pk)
            gone = [k for k, digest in old.items() if new.get(k) != digest]
            came = [k for k, digest in new.items() if old.get(k) != digest]
            if gone:
                deleted[table] = gone
            if came:
                cursor.execute(
                    f"SELECT json_agg(snapshot_row)::text FROM {qn(table)} snapshot_row WHERE snapshot_row.{qn(pk)}::text = ANY(%s)",  # noqa: S608
                    [came],
                )
                written[table] = cursor.fetchone()[0]
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
                sequence = cursor.fetchone()[0]
                if sequence:
                    sequences.append((table, pk, sequence))
    files = Path(tempfile.mkdtemp(prefix="world-"))
    atexit.register(shutil.rmtree, files, ignore_errors=True)
    root_dir = Path(settings.MEDIA_ROOT)
    for path, mtime in _media_files().items():
        if files_before.get(path) != mtime:
            (files / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root_dir / path, files / path)
    redis = _redis()
    dumped = [(k, max(redis.pttl(k), 0), redis.dump(k)) for k in redis.keys("*")]
    _SNAPSHOTS[key] = Snapshot(
        before=before,
        after=_checksums(),
        deleted=deleted,
        written=written,
        sequences=sequences,
        files=files,
        cache=dumped,
        records=handler.records,
        task_results=task_results,
        value=value,
    )
    return value


def _restore(snapshot):
    """Write the snapshot's rows back; True when every table then matches the build's."""
    qn = connection.ops.quote_name
    keyed = dict(_keyed_tables())
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Verbatim, as pg_restore loads data: no trigger (the audit trail's refuses a
                # DELETE), no foreign key check until every table is back.
                cursor.execute("SET LOCAL session_replication_role = replica")
                for table, keys in snapshot.deleted.items():
                    cursor.execute(f"DELETE FROM {qn(table)} WHERE {qn(keyed[table])}::text = ANY(%s)", [keys])  # noqa: S608
                for table, rows in snapshot.written.items():
                    cursor.execute(
                        f"INSERT INTO {qn(table)} SELECT * FROM json_populate_recordset(NULL::{qn(table)}, %s::json)",  # noqa: S608
                        [rows],
                    )
                cursor.execute("SET LOCAL session_replication_role = origin")
                for table, pk, sequence in snapshot.sequences:
                    cursor.execute(
                        f"SELECT setval(%s, (SELECT MAX({qn(pk)}) FROM {qn(table)})) "  # noqa: S608
                        f"WHERE (SELECT MAX({qn(pk)}) FROM {qn(table)}) > (SELECT last_value FROM {sequence})",
                        [sequence],
                    )
            if _checksums() != snapshot.after:
                raise _Mismatch
    except _Mismatch:
        return False
    return True


class _Mismatch(Exception):
    pass


def once(key, build, *, reload=None, records=None, task_results=None):
    """``build()``'s world: built the first time this process asks for ``key``, restored after.

    ``reload(value)`` gives the restored world's value (its model instances read again from the
    database); ``records`` (a logging handler, e.g. caplog.handler) and ``task_results`` (a list)
    receive the log records and Celery task results of the build, as they would have seen it."""
    snapshot = _SNAPSHOTS.get(key)
    if not available():
        return build()
    if snapshot is None or _redis().dbsize() != 0 or _checksums() != snapshot.before:
        return _build_and_record(key, build)
    if not _restore(snapshot):
        warnings.warn(f"the {key} world's restore differs from its build: built again", stacklevel=2)
        del _SNAPSHOTS[key]
        return _build_and_record(key, build)
    root = Path(settings.MEDIA_ROOT)
    for path in snapshot.files.rglob("*"):
        if path.is_file():
            (root / path.relative_to(snapshot.files)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, root / path.relative_to(snapshot.files))
    redis = _redis()
    for cache_key, ttl, dumped in snapshot.cache:
        redis.restore(cache_key, ttl, dumped, replace=True)
    if records is not None:
        for record in snapshot.records:
            records.handle(record)
    if task_results is not None:
        task_results.extend(snapshot.task_results)
    return reload(snapshot.value) if reload else snapshot.value
