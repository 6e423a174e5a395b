"""Issue 10, check 5 ("0 alterable"): on PostgreSQL the audit trail is append-only.

A trigger (townships/migrations/0005_audit_immutable.py) refuses UPDATE, DELETE and TRUNCATE on
the audit table, whether through the ORM or raw SQL. The one change it lets through is Django's
own on_delete=SET_NULL when a user is deleted: actor_id becomes NULL and nothing else changes,
so the user's audit rows survive the account with actor_name still naming them.
"""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from tests import factories
from tests.conftest import AUDIT_TRUNCATE_TRIGGER
from tests.integration.conftest import application_role
from townships.choices import AuditAction
from townships.models import AuditEvent, User
from townships.services import audit_record

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REFUSED = "audit rows cannot be altered"


def columns(event_id):
    """Every column of one audit row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_jsonb(t) FROM townships_auditevent t WHERE id = %s", [event_id])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None  # Django leaves jsonb undecoded on raw cursors


def refused(attempt):
    """Run one attempt in a savepoint; True when the database refused it with the trigger's message."""
    try:
        with transaction.atomic():
            attempt()
    except DatabaseError as exc:
        assert REFUSED in str(exc), exc
        return True
    return False


def raw(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@pytest.fixture
def event(county):
    actor = factories.county_admin(county, username="auditor")
    return audit_record(actor=actor, action=AuditAction.EXPORT, target=county, detail={"rows": 12})


def test_updates_are_refused_through_the_orm_and_raw_sql(event):
    before = columns(event.pk)

    def save():
        event.target_repr = "改过的"
        event.save()

    assert refused(save)
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGIN))
    assert refused(raw("UPDATE townships_auditevent SET detail = '{}'::jsonb WHERE id = %s", [event.pk]))
    assert refused(
        raw("UPDATE townships_auditevent SET created_at = now() - interval '1 year' WHERE id = %s", [event.pk])
    )
    # Clearing the actor is allowed only on its own: not together with another change...
    assert refused(raw("UPDATE townships_auditevent SET actor_id = NULL, actor_name = 'x' WHERE id = %s", [event.pk]))
    # ...and the actor cannot be moved to another user.
    other = factories.county_viewer(event.actor.county, username="someone-else")
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(actor=other))
    assert columns(event.pk) == before


def test_a_row_without_actor_cannot_be_given_one(county, admin_user):
    anonymous = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, detail={"username": "nobody"})
    assert refused(lambda: AuditEvent.objects.filter(pk=anonymous.pk).update(actor=admin_user))


def test_deletes_are_refused_through_the_orm_and_raw_sql(event):
    assert refused(event.delete)
    assert refused(AuditEvent.objects.all().delete)
    assert refused(raw("DELETE FROM townships_auditevent WHERE id = %s", [event.pk]))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_truncate_is_refused_even_when_the_session_opts_in(event):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else "pending trigger events" of this test's inserts
            # The test database disables the truncate trigger so `flush` works between tests
            # (tests/conftest.py); production never does. Enabled here, inside this savepoint.
            cursor.execute(f"ALTER TABLE townships_auditevent ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}")
            # A session's opt-in (honoured before migration 0009) changes nothing any more.
            cursor.execute("SET LOCAL app.allow_audit_truncate = 'on'")
            cursor.execute("TRUNCATE townships_auditevent")

    assert refused(truncate)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_user_keeps_their_audit_rows_with_the_name(county, event):
    actor = event.actor
    other = audit_record(actor=actor, action=AuditAction.LOGIN, request=None)
    before = {pk: columns(pk) for pk in (event.pk, other.pk)}

    actor.delete()

    assert not User.objects.filter(pk=actor.pk).exists()
    for pk, old in before.items():
        new = columns(pk)
        assert new["actor_id"] is None
        assert new["actor_name"] == "auditor"
        assert {k: v for k, v in new.items() if k != "actor_id"} == {k: v for k, v in old.items() if k != "actor_id"}


def test_figure_audit_rows_alterable(event, figure):
    before = columns(event.pk)

    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else "pending trigger events" of this test's inserts
            cursor.execute(f"ALTER TABLE townships_auditevent ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}")
            cursor.execute("SET LOCAL app.allow_audit_truncate = 'on'")
            cursor.execute("TRUNCATE townships_auditevent")

    attempts = {
        "update": raw("UPDATE townships_auditevent SET actor_name = 'someone' WHERE id = %s", [event.pk]),
        "delete": raw("DELETE FROM townships_auditevent WHERE id = %s", [event.pk]),
        "truncate": truncate,
    }
    altered = [name for name, attempt in attempts.items() if not refused(attempt)]
    assert columns(event.pk) == before
    figure("audit rows alterable", f"{len(altered)} of {len(attempts)} attempts ({', '.join(attempts)})")
    assert altered == []


APP_ROLE = "audit_app_probe"


@pytest.fixture
def app_role(db):
    """The production split (README, "Production"): an application role that does not own the tables,
    given its privileges by ``grant_app_role`` as the owner (here the test suite's superuser)."""
    return application_role(APP_ROLE)


def as_app_role(sql, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            cursor.execute(sql, params)

    return run


def denied_by_privileges(attempt):
    """True when the database refused the attempt for want of a privilege (not by the trigger)."""
    try:
        with transaction.atomic():
            attempt()
    except DatabaseError as exc:
        assert "permission denied" in str(exc) or "must be owner" in str(exc), exc
        return True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    return False


def test_the_application_role_cannot_update_delete_truncate_or_alter_the_audit_table(app_role, event):
    before = columns(event.pk)
    attempts = {
        "update": as_app_role("UPDATE townships_auditevent SET actor_name = 'someone' WHERE id = %s", [event.pk]),
        "delete": as_app_role("DELETE FROM townships_auditevent WHERE id = %s", [event.pk]),
        "truncate": as_app_role("SET LOCAL app.allow_audit_truncate = 'on'; TRUNCATE townships_auditevent"),
        "disable trigger": as_app_role("ALTER TABLE townships_auditevent DISABLE TRIGGER ALL"),
        "drop trigger": as_app_role("DROP TRIGGER townships_auditevent_no_update_delete ON townships_auditevent"),
        "alter": as_app_role("ALTER TABLE townships_auditevent ADD COLUMN note text"),
        "replace the function": as_app_role(
            "CREATE OR REPLACE FUNCTION townships_auditevent_immutable() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
        ),
    }
    allowed = [name for name, attempt in attempts.items() if not denied_by_privileges(attempt)]
    assert allowed == []
    assert columns(event.pk) == before


def test_the_application_role_appends_reads_and_lets_a_deleted_account_keep_its_name(app_role, event):
    actor = event.actor

    def work():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        new = audit_record(actor=actor, action=AuditAction.LOGIN)
        assert AuditEvent.objects.filter(pk__in=[event.pk, new.pk]).count() == 2
        actor.delete()  # on_delete=SET_NULL clears actor_id on both rows: the one update allowed
        return new

    try:
        with transaction.atomic():
            new = work()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert columns(new.pk)["actor_id"] is None and columns(new.pk)["actor_name"] == "auditor"
