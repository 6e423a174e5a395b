"""The audit trigger no longer honours a session's opt-in to TRUNCATE (app.allow_audit_truncate).

Any session could set that variable, including the application's. Now UPDATE, DELETE and TRUNCATE
are refused whatever the session says; the one update allowed stays the clearing of actor_id when
an account is deleted. The test suite, which empties every table between transactional tests,
disables the truncate trigger in its own throwaway database (tests/conftest.py); production never
does, and the application's role (grant_app_role) does not own the table, so it cannot either.
"""

from django.db import migrations

TABLE = "townships_auditevent"

FUNCTION = """
CREATE OR REPLACE FUNCTION townships_auditevent_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        -- The actor's account is being deleted (on_delete=SET_NULL); actor_name keeps the name.
        RETURN NEW;
    END IF;{truncate}
    RAISE EXCEPTION 'audit rows cannot be altered: % on {table} refused (审计记录不可修改或删除)', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit events are append-only; only clearing actor_id when the user is deleted is allowed.';
END
$$;
"""

# What migration 0005 had, for going back: a session could opt in to TRUNCATE.
OPT_IN = """
    IF TG_OP = 'TRUNCATE' AND current_setting('app.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(table=TABLE, truncate=""), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(table=TABLE, truncate=OPT_IN), params=None)


class Migration(migrations.Migration):
    dependencies = [("townships", "0008_messages")]

    operations = [migrations.RunPython(forwards, backwards)]
