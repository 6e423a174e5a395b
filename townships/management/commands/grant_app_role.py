"""Give the application's database role what it needs, and no power over the audit trail.

Production runs with two PostgreSQL roles (README, "Production"): the owner, which owns every
table and runs ``migrate`` and this command, and the application role that gunicorn and the
workers connect as. The application role reads and writes every table except the audit table,
where it may only INSERT and SELECT (plus clearing ``actor_id``, which Django's on_delete=SET_NULL
does when an account is deleted and the audit trigger checks). Not owning the table, it cannot
disable the trigger, drop it, ALTER or TRUNCATE the table. Run it after every ``migrate``; it is
idempotent, and default privileges cover tables later migrations add.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from townships.models import AuditEvent


def grant_statements(role, *, owner, audit_table):
    q = connection.ops.quote_name
    role, owner, audit = q(role), q(owner), q(audit_table)
    return [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {q(connection.settings_dict['NAME'])} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        # The audit trail: append and read; actor_id only so a deleted account's rows keep their name.
        f"REVOKE ALL ON {audit} FROM {role}",
        f"GRANT SELECT, INSERT ON {audit} TO {role}",
        f"GRANT UPDATE (actor_id) ON {audit} TO {role}",
    ]


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role its privileges (INSERT and SELECT only on the audit table)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role gunicorn and the Celery workers connect as")

    def handle(self, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (SQLite has no roles).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, 1 FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"Role {role!r} does not exist: CREATE ROLE {role} LOGIN PASSWORD '…' first.")
            owner = row[0]
            if owner == role:
                raise CommandError("Run this as the owner of the tables, not as the application role.")
            with transaction.atomic():
                for statement in grant_statements(role, owner=owner, audit_table=AuditEvent._meta.db_table):
                    cursor.execute(statement)
        self.stdout.write(f"{role}: every table read and written, {AuditEvent._meta.db_table} INSERT and SELECT only.")
