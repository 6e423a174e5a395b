"""What the ballot workbooks share: one row per rater group (测评主体), the rows of one tally saved together."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from townships.imports import WorkbookImport


class GroupRowsImport(WorkbookImport):
    """A workbook of ballots, one row per rater group: the rows with the same ``tally_key`` are one
    tally; a group given twice for it is refused, and a tally the service refuses names all its rows.

    A subclass says what a tally is (``tally_key``), how a row's option counts read (``counts``),
    how a tally is saved (``save_tally``) and how a repeated group is told (``same_group_message``,
    with ``%(n)s`` the row it repeats)."""

    same_group_message = ""

    def tally_key(self, data):
        raise NotImplementedError

    def counts(self, data):
        raise NotImplementedError

    def save_tally(self, first, groups):
        raise NotImplementedError

    def check_rows(self, rows, *, complete):
        errors, seen = [], {}
        for row in rows:
            key = (self.tally_key(row.data), row.data["group"])
            if key in seen:
                errors.append(self.cell_error(row.number, "测评主体", self.same_group_message % {"n": seen[key]}))
            seen.setdefault(key, row.number)
        return errors

    def write(self, rows):
        tallies = {}
        for row in rows:
            tallies.setdefault(self.tally_key(row.data), []).append(row)
        for group_rows in tallies.values():
            groups = [
                {
                    "code": r.data["group"],
                    "issued": r.data["issued"],
                    "returned": r.data["returned"],
                    "invalid": r.data["invalid"],
                    "counts": self.counts(r.data),
                }
                for r in group_rows
            ]
            try:
                self.save_tally(group_rows[0].data, groups)
            except ValidationError as exc:
                numbers = "、".join(str(r.number) for r in group_rows)
                raise ValidationError(
                    _("第 %(rows)s 行：%(m)s") % {"rows": numbers, "m": "；".join(exc.messages)}
                ) from None
        return len(tallies)
