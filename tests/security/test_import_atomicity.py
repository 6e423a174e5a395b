"""Check 7 (issue 10): the roster import is atomic and idempotent at 2,000 rows.

One bad row — first, in the middle, last — and nothing is written, with exactly that
row and column reported; a database error injected part-way through the write leaves
nothing behind (no rows, no ImportBatch) and answers a readable message; the good file
goes in whole once, and the same file again adds nothing.

The workbook is built here with openpyxl in the import template's column order
(``ROSTER_HEADERS``); the PostgreSQL pass is tests/integration/test_import_atomicity.py.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError
from openpyxl import Workbook

from cadres.imports import ROSTER_HEADERS, ROSTER_SHEET, roster_import
from cadres.imports import roster as cadres_imports
from cadres.models import MembershipEvent, PartyMember, Person
from tests import factories
from townships.models import AuditEvent, ImportBatch

# test_figure reads what the cases before it saw (OUTCOMES): under pytest-xdist the whole file
# runs on one worker, in file order (tests/xdist_plugin.py, GROUPS).
pytestmark = pytest.mark.django_db

ROWS = 2000
BRANCH = "中共李家村支部委员会"
# Sheet row numbers: the header is row 1, data rows 2 … ROWS + 1.
FIRST, MIDDLE, LAST = 2, 2 + ROWS // 2, ROWS + 1


def roster_row(i):
    """The i-th member (0-based) of a valid roster: a unique ID number with a valid check digit."""
    birth = datetime.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
    male = i % 3 != 0
    number = factories.make_id_number(birth, i, male=male, region=f"{410523 + i // 500}")
    row = {
        "姓名": f"党员{i:04d}",
        "性别": "男" if male else "女",
        "民族": "汉族",
        "出生日期": birth.isoformat(),
        "身份证号": number,
        "联系电话": f"139{i:08d}",
        "学历": "初中",
        "职业": "农民",
        "户籍地址": f"李家村{i % 9 + 1}组{i}号",
        "所在党组织": BRANCH,
        "发展阶段": "正式党员",
        "申请入党日期": "2008-03-01",
        "确定积极分子日期": "2008-09-01",
        "列为发展对象日期": "2009-10-01",
        "入党日期": "2010-01-10",
        "转正日期": "2011-01-15",
    }
    return [row[h] for h in ROSTER_HEADERS]


def roster_bytes(bad_row=None):
    """A 2,000-row roster; ``bad_row`` (a sheet row number) gets a gender that is neither 男 nor 女."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER_SHEET)
    sheet.append(ROSTER_HEADERS)
    for i in range(ROWS):
        row = roster_row(i)
        if i + 2 == bad_row:
            row[ROSTER_HEADERS.index("性别")] = "未知"
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data, name="roster.xlsx"):
    return SimpleUploadedFile(name, data)


def written():
    """Everything a roster import writes."""
    return {
        "people": Person.objects.count(),
        "members": PartyMember.objects.count(),
        "events": MembershipEvent.objects.count(),
        "batches": ImportBatch.objects.count(),
        "import audits": AuditEvent.objects.filter(action="import").count(),
    }


NOTHING = {"people": 0, "members": 0, "events": 0, "batches": 0, "import audits": 0}
# What each case saw, for the figure: case -> rows written (or created on the second pass).
OUTCOMES = {}


def make_branch(township, village):
    return factories.branch_with_committee(village, BRANCH, "中共城关镇委员会")


@pytest.fixture
def branch(township, village):
    return make_branch(township, village)


@pytest.fixture(scope="module")
def good_file():
    return roster_bytes()


def fail_after(model, n, error):
    """The import's bulk write (``copy_objects``), which for ``model`` writes the first ``n``
    objects, then raises ``error``: a database failure at row n of the write."""
    real = cadres_imports.copy_objects

    def copy_objects(target, objs):
        if target is not model:
            return real(target, objs)
        objs = list(objs)
        real(target, objs[:n])
        assert model.objects.count() == n  # the first n rows really reached the database
        raise error

    return copy_objects


def check_bad_row(staff_user, township, bad_row):
    result = roster_import(actor=staff_user, township=township, upload=upload(roster_bytes(bad_row)))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(bad_row, "性别")], [e.as_text() for e in result.errors]
    assert f"第 {bad_row} 行“性别”列" in result.errors[0].as_text()
    assert result.rows == ROWS
    assert written() == NOTHING
    OUTCOMES[f"bad row {bad_row}"] = sum(written().values())


@pytest.mark.parametrize("bad_row", [FIRST, MIDDLE, LAST], ids=["first", "middle", "last"])
def test_one_bad_row_writes_nothing_and_is_reported_exactly(staff_user, township, branch, bad_row):
    check_bad_row(staff_user, township, bad_row)


@pytest.mark.parametrize(
    ("model", "error"),
    [
        (Person, IntegrityError("duplicate key value violates unique constraint")),
        (PartyMember, DatabaseError("could not extend file: No space left on device")),
    ],
    ids=["integrity-people", "database-members"],
)
def test_a_database_error_during_the_write_leaves_nothing(
    monkeypatch, staff_user, township, branch, good_file, model, error
):
    monkeypatch.setattr(cadres_imports, "copy_objects", fail_after(model, 1234, error))
    result = roster_import(actor=staff_user, township=township, upload=upload(good_file))
    assert not result.ok and not result.errors
    assert "所有记录均未导入" in result.message, result.message
    assert written() == NOTHING
    OUTCOMES[f"injected {model.__name__}"] = sum(written().values())
    # The failure left no batch behind, so once the database is well the same file goes in.
    monkeypatch.undo()
    again = roster_import(actor=staff_user, township=township, upload=upload(good_file))
    assert again.ok and again.created == ROWS


def test_a_database_error_on_the_import_page_is_a_message_not_a_500(
    monkeypatch, client, staff_user, township, branch, good_file
):
    monkeypatch.setattr(cadres_imports, "copy_objects", fail_after(PartyMember, 700, DatabaseError("disk full")))
    client.force_login(staff_user)
    response = client.post("/records/members/import/", {"file": upload(good_file)})
    assert response.status_code == 200
    assert "所有记录均未导入" in response.content.decode()
    assert written() == NOTHING


def test_the_good_file_goes_in_once_and_again_adds_nothing(staff_user, township, branch, good_file):
    first = roster_import(actor=staff_user, township=township, upload=upload(good_file))
    assert first.ok, [e.as_text() for e in first.errors[:5]]
    assert (first.created, first.skipped) == (ROWS, 0)
    after_first = written()
    assert after_first == {"people": ROWS, "members": ROWS, "events": ROWS, "batches": 1, "import audits": 1}
    again = roster_import(actor=staff_user, township=township, upload=upload(good_file, "roster-again.xlsx"))
    assert again.ok and again.already_imported and again.created == 0
    assert "本次未重复添加任何记录" in again.message
    assert written() == after_first
    OUTCOMES["good file"], OUTCOMES["again"] = first.created, again.created
    # The same rows in a file saved anew (other bytes) add nothing either: on record by ID number.
    rebuilt = roster_import(actor=staff_user, township=township, upload=upload(roster_bytes(), "rebuilt.xlsx"))
    assert rebuilt.ok and (rebuilt.created, rebuilt.skipped) == (0, ROWS)
    assert written()["people"] == ROWS and written()["members"] == ROWS


def test_figure(figure):
    """The figure of check 7 from what the cases above saw (they run first, in file order)."""
    bad = [v for k, v in OUTCOMES.items() if k.startswith("bad row")]
    injected = [v for k, v in OUTCOMES.items() if k.startswith("injected")]
    if len(bad) < 3 or not injected or "again" not in OUTCOMES:
        pytest.skip("the figure needs every case of this file in the same run")
    figure(
        "imports",
        f"{sum(bad) + sum(injected)} written for {len(bad)} bad-row files and {len(injected)} injected failures; "
        f"{OUTCOMES['good file']} then {OUTCOMES['again']} new",
    )
