"""Set-based writes for the large paths (scoring, the demo generator, imports).

``copy_rows`` streams rows into a table with PostgreSQL's COPY (one statement, no per-row
objects or foreign-key round trips from Python); on SQLite (``make run``) the same call is
one ``executemany``. ``staging_table`` gives a per-transaction temporary table to COPY into and
then ``INSERT … SELECT`` from, so that a write which needs joins (an upsert, an id lookup) is
still a few statements whatever the size.
"""

import io
import json
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection

COPY_BUFFER = 4 * 1024 * 1024  # flush the COPY stream every 4 MB


def _text_field(value):
    """One value in COPY's text format: \\N for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Decimal | int | float):
        return str(value)
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def copy_rows(table, columns, rows):
    """Write ``rows`` (tuples in ``columns`` order) into ``table``; returns how many were written.

    JSON columns take dicts and lists; everything else its Python value. Runs inside the caller's
    transaction.
    """
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(columns))
            batch = [tuple(_sqlite_value(v) for v in row) for row in rows]
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)  # noqa: S608
            return len(batch)
        raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_text_field(v) for v in row))
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
