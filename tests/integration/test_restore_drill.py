"""Issue 10, check 13: the backup and restore drill, on the test database so CI proves it.

The same drill as `make restore-drill` (tests/drills/restore.py) on a small demo county: pg_dump -Fc
the test database, pg_restore it into a fresh one, compare every table's row count and checksum,
sequences and schema objects, and smoke-test the restored copy in a separate process.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.drills.restore import Result, Server, backup_and_restore, compare, drop_database, smoke_check, snapshot

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_celery():
    """load_demo scores the demo months; in-process here, as in `make run`, so no worker is needed."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def server():
    return Server.from_settings(connection.settings_dict)


@pytest.fixture
def restored(server):
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    drop_database(server, name)


def test_a_dump_restores_to_an_identical_working_database(eager_celery, server, restored, tmp_path, figure):
    call_command("load_demo", "--force", "--townships", "2", "--villages-per-township", "3", stdout=io.StringIO())
    source = connection.settings_dict["NAME"]

    result = backup_and_restore(server, source, restored, str(tmp_path))
    assert result.ok, "\n".join(result.mismatches)
    assert result.matched == result.tables > 40
    assert result.rows > 1000

    # The comparison is not vacuous: one changed name in one row of the copy is caught.
    copy = server.connect(restored)
    with copy.cursor() as cursor:
        cursor.execute(
            "UPDATE townships_township SET name = name || '（改）' WHERE id = (SELECT min(id) FROM townships_township)"
        )
    copy.close()
    tampered = Result()
    compare(snapshot(server, source), snapshot(server, restored), tampered)
    assert [m.split(":")[0] for m in tampered.mismatches] == ["table public.townships_township"]

    # The copy works: check, migrations, a demo login and pages, ORM counts, the audit trigger.
    smoke = smoke_check(server, restored, result)
    assert result.ok, "\n".join(result.mismatches)
    assert "'home': 200" in smoke
    figure("restore drill", result.figure())
