"""Check 7 on PostgreSQL: the 2,000-row roster import is atomic and idempotent on the real database.

The same cases as tests/security/test_import_atomicity.py, committed for real (no test
transaction around them), so the rollback is PostgreSQL's own."""

import pytest
from django.db import DatabaseError, IntegrityError

from cadres.imports import roster as cadres_imports
from cadres.imports import roster_import
from cadres.models import PartyMember, Person
from tests.security.test_import_atomicity import (
    FIRST,
    LAST,
    MIDDLE,
    NOTHING,
    ROWS,
    fail_after,
    make_branch,
    roster_bytes,
    upload,
    written,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_roster_import_is_atomic_and_idempotent_on_postgresql(monkeypatch, staff_user, township, village, figure):
    make_branch(township, village)
    for bad_row in (FIRST, MIDDLE, LAST):
        result = roster_import(actor=staff_user, township=township, upload=upload(roster_bytes(bad_row)))
        assert not result.ok
        assert [(e.row, e.column) for e in result.errors] == [(bad_row, "性别")]
        assert written() == NOTHING
    good = roster_bytes()
    for model, error in (
        (Person, IntegrityError("duplicate key value violates unique constraint")),
        (PartyMember, DatabaseError("could not extend file: No space left on device")),
    ):
        with monkeypatch.context() as patch:
            patch.setattr(cadres_imports, "copy_objects", fail_after(model, 1234, error))
            result = roster_import(actor=staff_user, township=township, upload=upload(good))
        assert not result.ok and "所有记录均未导入" in result.message
        assert written() == NOTHING
    first = roster_import(actor=staff_user, township=township, upload=upload(good))
    assert first.ok and first.created == ROWS
    again = roster_import(actor=staff_user, township=township, upload=upload(good, "again.xlsx"))
    assert again.ok and again.already_imported and again.created == 0
    assert written()["people"] == ROWS and written()["batches"] == 1
    figure("imports (PostgreSQL)", f"0 written for 3 bad-row files and 2 injected failures; {first.created} then 0 new")
