"""Set-based writes for the large paths (scoring, the demo generator, imports).

``copy_rows`` streams rows into a table with PostgreSQL's COPY (one statement, no per-row
objects or foreign-key round trips from Python); on SQLite (``make run``) the same call is
one ``executemany``. ``staging_table`` gives a temporary table for one block to COPY into and
then ``INSERT … SELECT`` from, so that a write which needs joins (an upsert, an id lookup) is
still a few statements whatever the size.
"""

import io
import json
from contextlib import contextmanager
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

COPY_BUFFER = 4 * 1024 * 1024  # flush the COPY stream every 4 MB


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text_field(value):
    """One value in COPY's text format: \\N for NULL, backslash escapes for the separators.
    The common kinds are tested by exact type first: this runs once per cell of a province's month."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if value is None:
        return "\\N"
    if kind is int or kind is Decimal or kind is float:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _sqlite_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def copy_rows(table, columns, rows):
    """Write ``rows`` (tuples in ``columns`` order) into ``table``; returns how many were written.

    JSON columns take dicts and lists; everything else its Python value. Runs inside the caller's
    transaction.
    """
    written = 0
    # Quoted: a column may bear an SQL keyword's name (MonthlyReport.values).
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(columns))
            batch = [tuple(_sqlite_value(v) for v in row) for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)  # noqa: S608
            return len(batch)
        raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
        statement = f"COPY {table} ({names}) FROM STDIN"
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(map(_text_field, row)))
            buffer.write("\n")
            written += 1
            if buffer.tell() > COPY_BUFFER:
                buffer.seek(0)
                raw.copy_expert(statement, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            raw.copy_expert(statement, buffer)
    return written


@contextmanager
def staging_table(name, definition):
    """A temporary table ``name`` (``definition``: its column list in SQL) for this block only."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({definition})")
        try:
            yield name
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


# Fields whose Python value COPY (and SQLite) take as it is.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # DateTimeField too
    models.DecimalField,
    models.ForeignKey,
)


def reserve_ids(model, count):
    """``count`` primary keys for new rows of ``model``, taken from its sequence in one query."""
    if count <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite (make run): one writer at a time, and it numbers rows from the largest id itself.
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 (names from model metadata)
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def copy_objects(model, objects):
    """``bulk_create`` by COPY: unsaved instances in, their rows written in one stream, their
    primary keys set. Field defaults and ``auto_now`` apply as in ``save``; model ``save`` methods
    and signals do not run (as with ``bulk_create``)."""
    objects = list(objects)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        setattr(obj, meta.pk.attname, pk)

    # COPY's text form takes the Python values of plain columns as they are (dates, decimals, ids,
    # text); JSON is encoded here, and any other kind of field goes through its own preparation.
    connection_ = connections[DEFAULT_DB_ALIAS]
    copying = connection_.vendor == "postgresql"  # SQLite gets every value prepared by its field
    prepare = [
        (
            field,
            "json"
            if isinstance(field, models.JSONField)
            else "raw"
            if copying and isinstance(field, PLAIN)
            else "prep",
        )
        for field in fields
    ]

    def row(obj):
        values = [obj.pk]
        for field, how in prepare:
            value = field.pre_save(obj, add=True)
            if how == "raw" or value is None:
                values.append(value)
            elif how == "json":
                values.append(json.dumps(value, cls=field.encoder, ensure_ascii=False))
            else:
                values.append(field.get_db_prep_save(value, connection_))
        return values

    copy_rows(meta.db_table, [meta.pk.column, *(f.column for f in fields)], (row(obj) for obj in objects))
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias
    return objects
