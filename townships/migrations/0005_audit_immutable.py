"""On PostgreSQL, audit rows cannot be altered: a trigger refuses UPDATE, DELETE and TRUNCATE.

The one update allowed is the one Django makes when a user is deleted: AuditEvent.actor is
on_delete=SET_NULL, so the collector sets actor_id to NULL on that user's rows first. The
trigger lets exactly that through (actor_id from a value to NULL, every other column
unchanged) so the rows survive the account and actor_name still says who acted.

TRUNCATE is refused unless the session opted in with `SET app.allow_audit_truncate = 'on'`
(never done by the application). The test suite's database opts in (tests/conftest.py:
Django's `flush` after every transactional test truncates every table); a test proves the
refusal by setting it back to 'off'. Production databases never do.

SQLite (development) has no such trigger: the model admin and the services are the guard there.
"""

from django.db import migrations

TABLE = "townships_auditevent"

INSTALL = f"""
CREATE OR REPLACE FUNCTION townships_auditevent_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        -- The actor's account is being deleted (on_delete=SET_NULL); actor_name keeps the name.
        RETURN NEW;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('app.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit rows cannot be altered: % on {TABLE} refused (审计记录不可修改或删除)', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit events are append-only; only clearing actor_id when the user is deleted is allowed.';
END
$$;

DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE};
CREATE TRIGGER {TABLE}_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION townships_auditevent_immutable();

DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION townships_auditevent_immutable();
"""

UNINSTALL = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS townships_auditevent_immutable();
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    schema_editor.execute(INSTALL, params=None)  # no parameters: the % of RAISE stays as it is


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("townships", "0004_grade_bands_as_shares")]

    operations = [migrations.RunPython(install, uninstall)]
