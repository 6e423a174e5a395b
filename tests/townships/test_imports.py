"""The import skeleton itself, on a tiny spec: county settings written from a two-column sheet."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from openpyxl import Workbook

from townships.imports import CountColumn, LabelColumn, RowForm, TextColumn, WorkbookImport
from townships.models import AuditEvent, CountySetting, ImportBatch

pytestmark = pytest.mark.django_db
SHEET = "参数表"


class SettingRowForm(RowForm):
    key = TextColumn(label="参数", error_messages={"required": "参数不能为空。"})
    value = CountColumn(label="数值")
    unit = LabelColumn(
        label="单位", choices={"个": "piece", "（人）": "person"}, required=False, invalid="单位应为：%(choices)s。"
    )

    def clean_key(self):
        key = self.cleaned_data["key"]
        if key == "坏":
            raise ValidationError("参数“坏”不可用。")
        return key

    def clean(self):
        data = super().clean()
        if data.get("value") == 13:
            raise ValidationError("整行不可用。")
        return data


class SettingsImport(WorkbookImport):
    sheet = SHEET
    form_class = SettingRowForm
    kind = "settings-test"

    def prepare(self):
        self.completes = []

    def check_rows(self, rows, *, complete):
        self.completes.append(complete)
        return []

    def write(self, rows):
        # One row at a time, so a failure part-way has already written the rows before it.
        for row in rows:
            CountySetting.objects.create(
                county_id=self.township.county_id, key=row.data["key"], value=row.data["value"]
            )
        return len(rows)


def upload(rows, *, title=False, sheet=SHEET, name="settings.xlsx"):
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    if title:
        ws.append(["城关镇参数表"])
        ws.merge_cells("A1:C1")
        ws.append([])
    ws.append(["参数", "数值", "单位"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(user, township, file):
    file.seek(0)
    return SettingsImport(actor=user, township=township, upload=file).run()


def good(i):
    return [f"参数{i}", i, "个"]


def nothing_written():
    return not CountySetting.objects.exists() and not ImportBatch.objects.exists() and not AuditEvent.objects.exists()


def test_a_valid_file_writes_every_row_the_batch_and_the_audit_record(staff_user, township):
    result = run(staff_user, township, upload([good(i) for i in range(3)]))
    assert (result.ok, result.rows, result.created, result.skipped) == (True, 3, 3, 0)
    assert sorted(CountySetting.objects.values_list("key", "value")) == [("参数0", 0), ("参数1", 1), ("参数2", 2)]
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.township, batch.rows, batch.created) == ("settings-test", township, 3, 3)
    assert AuditEvent.objects.get().detail["kind"] == "settings-test"


@pytest.mark.parametrize("bad_index", [0, 2, 4], ids=["first", "middle", "last"])
def test_one_bad_row_anywhere_writes_nothing_and_is_the_only_row_reported(staff_user, township, bad_index):
    rows = [good(i) for i in range(5)]
    rows[bad_index] = [f"参数{bad_index}", -1, "个"]
    result = run(staff_user, township, upload(rows))
    assert not result.ok and result.rows == 5
    assert [(e.row, e.column) for e in result.errors] == [(bad_index + 2, "数值")]
    assert result.errors[0].message == "请填写不小于 0 的整数。"
    assert "共 1 处错误" in result.message
    assert nothing_written()


def test_every_bad_row_and_cell_is_reported_in_sheet_order_with_its_real_row_number(staff_user, township):
    rows = [["坏", "x", "个"], good(1), [None, 2, "斤"], good(3), ["参数4", 13, None]]
    result = run(staff_user, township, upload(rows, title=True))
    # Title on row 1, blank row 2, header row 3: the data starts on row 4.
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (4, "参数", "参数“坏”不可用。"),
        (4, "数值", "请填写不小于 0 的整数。"),
        (6, "参数", "参数不能为空。"),
        (6, "单位", "单位应为：个、(人)。"),
        (8, "—", "整行不可用。"),
    ]
    assert "工作表“参数表”第 4 行“参数”列" in result.errors[0].as_text()
    assert nothing_written()


def test_checks_across_rows_are_told_whether_every_row_passed(staff_user, township):
    importer = SettingsImport(actor=staff_user, township=township, upload=upload([good(1), ["参数2", -2, None]]))
    importer.run()
    assert importer.completes == [False]
    importer = SettingsImport(actor=staff_user, township=township, upload=upload([good(1)]))
    importer.run()
    assert importer.completes == [True]


def test_labels_clean_to_their_values_and_empty_rows_are_passed_over(staff_user, township):
    importer = SettingsImport(actor=staff_user, township=township, upload=upload([["参数1", 1, "(人)"], [], good(2)]))
    rows = importer.read()
    importer.prepare()
    valid, errors = importer.validate(rows)
    assert errors == []
    assert [(r.number, r.data) for r in valid] == [
        (2, {"key": "参数1", "value": 1, "unit": "person"}),
        (4, {"key": "参数2", "value": 2, "unit": "piece"}),
    ]


def test_the_same_file_twice_adds_nothing_the_second_time(staff_user, township):
    file = upload([good(i) for i in range(3)])
    assert run(staff_user, township, file).ok
    again = run(staff_user, township, file)
    assert again.ok and again.already_imported and again.created == 0
    assert (CountySetting.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.count()) == (3, 1, 1)


def test_a_file_another_township_imported_is_refused_as_theirs(staff_user, other_staff_user, township, other_township):
    file = upload([good(i) for i in range(3)])
    assert run(other_staff_user, other_township, file).ok
    result = run(staff_user, township, file)
    assert not result.ok and not result.already_imported
    assert result.message == "该文件已由青石乡导入，不是本乡镇（城关镇）的文件。"
    assert ImportBatch.objects.get().township == other_township
    assert AuditEvent.objects.count() == 1


def test_a_write_failing_part_way_keeps_nothing(staff_user, township):
    CountySetting.objects.create(county=township.county, key="参数2", value=0)
    result = run(staff_user, township, upload([good(i) for i in range(4)]))
    assert not result.ok and "所有记录均未导入" in result.message
    assert list(CountySetting.objects.values_list("key", flat=True)) == ["参数2"]
    assert not ImportBatch.objects.exists() and not AuditEvent.objects.exists()


def test_a_service_refusal_during_the_write_keeps_nothing(staff_user, township, monkeypatch):
    write = SettingsImport.write

    def refuse_the_last(self, rows):
        write(self, rows[:-1])
        raise ValidationError("服务拒绝。")

    monkeypatch.setattr(SettingsImport, "write", refuse_the_last)
    result = run(staff_user, township, upload([good(i) for i in range(3)]))
    assert (result.ok, result.message) == (False, "服务拒绝。")
    assert nothing_written()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("x.xlsx", b"not a zip"), "不是有效的 Excel"),
        (upload([good(1)], sheet="别的表"), "找不到工作表“参数表”，请使用系统提供的模板。"),
    ],
    ids=["not-a-workbook", "wrong-sheet"],
)
def test_unreadable_files_are_refused_whole(staff_user, township, file, message):
    result = run(staff_user, township, file)
    assert not result.ok and message in result.message and result.errors == []
    assert nothing_written()


def test_a_header_missing_from_the_first_rows_is_refused(staff_user, township):
    workbook = Workbook()
    workbook.active.title = SHEET
    workbook.active.append(["参数", "数量"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(staff_user, township, SimpleUploadedFile("s.xlsx", buffer.getvalue()))
    assert not result.ok and "缺少列：数值、单位" in result.message
    assert nothing_written()


def test_the_row_form_names_its_columns_in_order():
    assert SettingRowForm.headers() == ["参数", "数值", "单位"]


def test_an_integrity_error_is_reported_not_raised(staff_user, township, monkeypatch):
    def clash(self, rows):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(SettingsImport, "write", clash)
    result = run(staff_user, township, upload([good(1)]))
    assert not result.ok and "冲突" in result.message
    assert nothing_written()
