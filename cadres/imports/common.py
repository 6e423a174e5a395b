"""What the roster and meetings imports share: organizations by name, the recorder, the template workbook."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from townships.xlsx import normalize_cell
from villages.models import PartyOrganization


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _recorder(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _organizations(township):
    """Organizations by name; names repeat under different parents (第一党小组), so the
    qualified "上级组织/名称" always works and the plain name only where it is unique."""
    orgs = list(PartyOrganization.objects.filter(township=township, is_active=True).select_related("village", "parent"))
    counts = {}
    for org in orgs:
        counts[org.name] = counts.get(org.name, 0) + 1
    found = {}
    for org in orgs:
        # Keys normalized like the cells (NFKC turns full-width characters half-width).
        if org.parent is not None:
            found[normalize_cell(f"{org.parent.name}/{org.name}")] = org
        if counts[org.name] == 1:
            found[normalize_cell(org.name)] = org
    return found


def _organization_named(importer, value):
    organization = importer.organizations.get(value or "")
    if organization is None:
        raise ValidationError(_("本乡镇没有名为“%(name)s”的党组织。") % {"name": value or ""})
    return organization


def _template(sheet_name, headers, example, text_columns, notes):
    """A template workbook: the header row, text-formatted columns, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if header in text_columns:
            # Text format so Excel keeps all 18 digits of an ID number.
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    guide = workbook.create_sheet("填写说明")
    guide.append(["列", "示例", "说明"])
    for header, value in zip(headers, example, strict=True):
        cell_value = str(value)
        guide.append([header, cell_value, notes.get(header, "")])
    for row in guide.iter_rows():
        for cell in row:
            cell.data_type = "s"
    return workbook
