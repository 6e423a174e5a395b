"""The one skeleton every Excel import follows.

An import states its sheet, a Django form for one row (the columns are the form's
fields, the column headers their labels) and how to write the rows; the skeleton
does the rest, the same way for every workbook:

1. digest the upload (SHA-256) and open it with the protections of ``townships.xlsx``;
2. find the header row and read the rows under it;
3. refuse a file another township imported, and add nothing for a file already imported;
4. check every row with its form, collecting each error with its real row number and
   column header, then the checks that span rows (``check_rows``);
5. only when there is no error at all, write every row, the import batch and the audit
   record in one transaction, so a file goes in whole or not at all.
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AuditAction, MessageKind
from .models import ImportBatch
from .services import audit_record, notify
from .xlsx import CellError, WorkbookRejected, iter_sheet_rows, normalize_cell, open_workbook, parse_date

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    ok: bool
    errors: list = field(default_factory=list)  # CellError
    message: str = ""
    rows: int = 0
    created: int = 0
    skipped: int = 0
    already_imported: bool = False


@dataclass(frozen=True)
class ImportRow:
    """A row that passed its form: the sheet's row number and the form's cleaned data."""

    number: int
    data: dict


def file_digest(upload):
    """The SHA-256 of an uploaded file, read in chunks; the file is left at its start."""
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def previous_batch(county_id, kind, sha):
    """The batch that already brought in this very file (None if none did)."""
    return ImportBatch.objects.filter(county_id=county_id, kind=kind, sha256=sha).select_related("township").first()


def another_townships_file(previous, township):
    """The refusal when the same file was imported by another township (None otherwise).

    Checked before "already imported": for this township the file is not a duplicate
    but someone else's, and saying "已导入" would hide that."""
    if previous is None or previous.township_id in (None, township.pk):
        return None
    return ImportResult(
        ok=False,
        message=_("该文件已由%(t)s导入，不是本乡镇（%(own)s）的文件。")
        % {"t": previous.township.name, "own": township.name},
    )


# --- Columns ------------------------------------------------------------------
# Cells arrive normalized (townships.xlsx.normalize_cell): text is NFKC and trimmed,
# numbers and dates keep the type Excel stored them as. Every column's messages are
# given by the form declaring it, since they name what the column holds.


class RowForm(forms.Form):
    """One row of a workbook. Each field is a column, its label the column header.

    ``importer`` is the WorkbookImport running, for the lookups it prepared once
    (organizations, villages) and the state that spans rows (numbers seen so far)."""

    def __init__(self, data, *, importer=None, row=0):
        super().__init__(data)
        self.importer = importer
        self.row = row

    def rebind(self, data, *, row):
        """The same form for the next row. Constructing a form deep-copies every field, which
        for a 20,000-row roster costs more than the checks themselves; the fields hold no state
        of a row, so one form checks them all."""
        self.data, self.is_bound, self.row = data, True, row
        self._errors = None
        self._bound_fields_cache = {}
        return self

    @classmethod
    def headers(cls):
        return [str(f.label) for f in cls.base_fields.values()]

    @classmethod
    def header_spellings(cls):
        """The headers as the reader looks for them: a field's ``aliases`` (older headers) after its label."""
        return [
            (str(f.label), *map(str, f.aliases)) if getattr(f, "aliases", ()) else str(f.label)
            for f in cls.base_fields.values()
        ]

    @classmethod
    def data_from(cls, values):
        """The form data of a row read as {header: value}."""
        return {name: values.get(str(f.label)) for name, f in cls.base_fields.items()}


class RawColumn(forms.Field):
    """A cell as read, for a clean_<field> method to judge (a number where text was wanted, say)."""


class TextColumn(forms.CharField):
    """Text; numbers typed into it become their text. Empty is ""."""


class DateColumn(forms.Field):
    """A date written 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日 or as an Excel date cell."""

    def to_python(self, value):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class LabelColumn(forms.Field):
    """A choice written as its label (男, 正式党员); cleans to the stored value.

    ``choices`` maps labels to values; ``invalid`` is the message for anything else
    (and for an empty required cell), with %(choices)s standing for the labels.
    An empty optional cell cleans to ``default``."""

    def __init__(self, *, choices, invalid, default="", **kwargs):
        super().__init__(**kwargs)
        # Keys normalized like the cells (NFKC turns （） into ()).
        self.choices = {normalize_cell(str(label)): value for label, value in choices.items()}
        self.invalid = invalid
        self.default = default

    def to_python(self, value):
        if value in self.empty_values:
            if self.required:
                raise self._invalid()
            return self.default
        key = normalize_cell(str(value))
        if key not in self.choices:
            raise self._invalid()
        return self.choices[key]

    def _invalid(self):
        return ValidationError(self.invalid, params={"choices": "、".join(self.choices)})


class CountColumn(forms.Field):
    """A whole number not below zero (a head count); empty is refused with the same message."""

    default_error_messages = {"invalid": gettext_lazy("请填写不小于 0 的整数。")}

    def to_python(self, value):
        try:
            count = int(value)
            if count < 0 or count != float(value):
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"]) from None
        return count


# --- The skeleton -------------------------------------------------------------


class WorkbookImport:
    """One run of an import of one sheet. Subclasses set ``sheet`` and ``form_class`` and
    implement ``write``; the other hooks have defaults that suit most imports.

    ``kind`` names the import in ImportBatch (one kind per period where the period
    matters); an import without a kind records no batch and never says "already
    imported" (a scheme replaces its draft each time)."""

    sheet = ""
    form_class = RowForm
    kind = None
    missing_sheet_hint = gettext_lazy("请使用系统提供的模板。")

    def __init__(self, *, actor, upload, township=None, request=None):
        self.actor = actor
        self.upload = upload
        self.township = township
        self.request = request
        self.sha256 = ""

    # Hooks -------------------------------------------------------------------

    def check_workbook(self, workbook):
        """Raise WorkbookRejected when the workbook as a whole is not for this import."""

    def refusal(self):
        """A message when nothing may be imported now (a closed month); None otherwise."""
        return None

    def prepare(self):
        """Look up once what the row forms check against."""

    def check_rows(self, rows, *, complete):
        """CellErrors of checks spanning the rows that passed their forms. ``complete`` is
        False when some rows failed, so checks of the set as a whole should wait."""
        return []

    def write(self, rows):
        """Write the rows (all of them valid) inside the import's transaction; return how
        many records were created. Rows skipped as already on record count as skipped."""
        raise NotImplementedError

    def audit_target(self):
        return self.township

    def audit_detail(self, *, rows, created):
        return {"kind": self.kind, "rows": rows, "created": created, "sha256": self.sha256}

    def already_imported_message(self, previous):
        return _("此文件已导入过，本次未重复添加任何记录。")

    def errors_message(self, count):
        return _("共 %(n)s 处错误，所有记录均未导入。请修改后重新上传。") % {"n": count}

    def conflict_message(self):
        return _("导入时与已有记录冲突（可能有人同时导入了同一文件），所有记录均未导入，请重试。")

    def database_error_message(self):
        return _("导入时数据库出错，所有记录均未导入。请稍后重试；如仍失败，请联系系统管理员。")

    def success_message(self, created, skipped):
        return _("导入成功：新增 %(c)s 条，已有记录跳过 %(s)s 条。") % {"c": created, "s": skipped}

    # The run -----------------------------------------------------------------

    def cell_error(self, row, column, message):
        return CellError(self.sheet, row, column, message)

    def read(self):
        """The sheet's rows as [(row number, {header: value})]; raises WorkbookRejected."""
        workbook = open_workbook(self.upload)
        try:
            if self.sheet not in workbook.sheetnames:
                raise WorkbookRejected(
                    _("找不到工作表“%(sheet)s”，%(hint)s") % {"sheet": self.sheet, "hint": self.missing_sheet_hint}
                )
            # Whose file it is comes before "already imported": another township's file,
            # imported by that township, must be refused as theirs, not as a duplicate.
            self.check_workbook(workbook)
            return list(iter_sheet_rows(workbook[self.sheet], self.form_class.header_spellings()))
        finally:
            workbook.close()

    def validate(self, rows):
        """Every row through its form, then the checks across rows: (valid rows, errors)."""
        valid, errors = [], []
        form = self.form_class(None, importer=self)
        for number, values in rows:
            form.rebind(self.form_class.data_from(values), row=number)
            if form.is_valid():
                valid.append(ImportRow(number, form.cleaned_data))
                continue
            for name, problems in form.errors.as_data().items():
                column = "—" if name == NON_FIELD_ERRORS else str(form.fields[name].label)
                for problem in problems:
                    errors.extend(self.cell_error(number, column, message) for message in problem.messages)
        errors.extend(self.check_rows(valid, complete=not errors))
        headers = self.form_class.headers()
        errors.sort(key=lambda e: (e.row, headers.index(e.column) if e.column in headers else len(headers)))
        return valid, errors

    def run(self):
        if self.kind:
            self.sha256 = file_digest(self.upload)
        try:
            rows = self.read()
        except WorkbookRejected as exc:
            return ImportResult(ok=False, message=str(exc))
        if self.kind:
            previous = previous_batch(self.township.county_id, self.kind, self.sha256)
            if refusal := another_townships_file(previous, self.township):
                return refusal
            if previous is not None:
                return ImportResult(ok=True, already_imported=True, message=self.already_imported_message(previous))
        if message := self.refusal():
            return ImportResult(ok=False, message=message)
        self.prepare()
        valid, errors = self.validate(rows)
        if errors:
            return ImportResult(ok=False, errors=errors, rows=len(rows), message=self.errors_message(len(errors)))
        try:
            with transaction.atomic():
                created = self.write(valid)
                if self.kind:
                    ImportBatch.objects.create(
                        county_id=self.township.county_id,
                        township=self.township,
                        kind=self.kind,
                        sha256=self.sha256,
                        filename=(getattr(self.upload, "name", "") or "")[:200],
                        rows=len(rows),
                        created=created,
                        created_by=self.actor if getattr(self.actor, "is_authenticated", False) else None,
                    )
                audit_record(
                    actor=self.actor,
                    action=AuditAction.IMPORT,
                    target=self.audit_target(),
                    detail=self.audit_detail(rows=len(rows), created=created),
                    request=self.request,
                )
                if getattr(self.actor, "is_authenticated", False):
                    name = getattr(self.upload, "name", "") or ""
                    notify(
                        [self.actor],
                        kind=MessageKind.IMPORT_FINISHED,
                        title=_("导入完成：%(f)s，共 %(r)s 行，新增 %(c)s 条")
                        % {"f": name, "r": len(rows), "c": created},
                    )
        except IntegrityError:
            # The batch's unique file, or a record someone else just wrote: nothing was kept.
            return ImportResult(ok=False, message=self.conflict_message())
        except DatabaseError as exc:
            # Any other database failure (disk full, a lost connection) rolled the whole file
            # back: say so rather than answer 500. Only the error's kind is logged: a
            # database's message can quote the row's values (ID numbers).
            logger.error(
                "import %s for township %s rolled back: %s (sqlstate %s)",
                self.kind or type(self).__name__,
                self.township.pk if self.township else "-",
                type(exc).__name__,
                getattr(exc, "pgcode", None) or getattr(getattr(exc, "__cause__", None), "pgcode", None) or "-",
            )
            return ImportResult(ok=False, message=self.database_error_message())
        except ValidationError as exc:
            return ImportResult(ok=False, message=" ".join(exc.messages))
        skipped = len(valid) - created
        return ImportResult(
            ok=True, rows=len(rows), created=created, skipped=skipped, message=self.success_message(created, skipped)
        )
