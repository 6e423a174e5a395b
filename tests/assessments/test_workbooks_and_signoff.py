import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import imports, services
from assessments.choices import SchemeStatus
from assessments.demo import create_scheme
from assessments.models import AnnualRating, Bulletin, Indicator
from tests import factories
from townships.models import AuditEvent, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(county, admin_user):
    active = create_scheme(county=county, year=2026)
    return services.scheme_copy(actor=admin_user, scheme=active, year=2027)


def exported(client, scheme):
    return load_workbook(io.BytesIO(client.get(reverse("scheme-export", args=[scheme.pk])).content))


def upload(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("scheme.xlsx", buffer.getvalue())


def test_a_scheme_round_trips_through_excel_with_an_edit(client, admin_user, draft):
    client.force_login(admin_user)
    workbook = exported(client, draft)
    sheet = workbook[imports.SCHEME_SHEET]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "B01":
            row[6].value = '{"per_event": 8}'
    result = imports.scheme_import(actor=admin_user, scheme=draft, upload=upload(workbook))
    assert result.ok, [e.as_text() for e in result.errors]
    assert Indicator.objects.get(scheme=draft, code="B01").params == {"per_event": 8}
    assert services.scheme_problems(draft) == []


def test_a_workbook_whose_points_do_not_add_up_changes_nothing(client, admin_user, draft):
    client.force_login(admin_user)
    workbook = exported(client, draft)
    sheet = workbook[imports.SCHEME_SHEET]
    sheet.cell(row=2, column=4).value = "999"
    sheet.cell(row=3, column=6).value = "no_such_metric"
    before = list(draft.indicators.values_list("code", "max_points"))
    result = imports.scheme_import(actor=admin_user, scheme=draft, upload=upload(workbook))
    assert not result.ok
    texts = " ".join(e.message for e in result.errors)
    assert "不存在" in texts
    assert list(draft.indicators.values_list("code", "max_points")) == before


def test_active_schemes_are_not_replaced_by_a_workbook(client, admin_user, county, draft):
    active = draft.based_on
    client.force_login(admin_user)
    result = imports.scheme_import(actor=admin_user, scheme=active, upload=upload(exported(client, active)))
    assert not result.ok and active.status == SchemeStatus.ACTIVE


def test_annual_grades_take_effect_when_signed_off(client, admin_user, viewer_user, county, township):
    village = factories.VillageFactory(township=township)
    person = factories.PersonFactory(township=township, village=village)
    AnnualRating.objects.create(
        person=person,
        village=village,
        township=township,
        year=2025,
        daily=950,
        total=950,
        grade="excellent",
        reason="x",
    )
    client.force_login(viewer_user)
    assert client.post(reverse("rating-list"), {"year": 2025}).status_code == 403
    assert client.get(reverse("rating-sign", args=[2025])).status_code == 403
    client.force_login(admin_user)
    assert reverse("rating-sign", args=[2025]) in client.get(reverse("rating-list")).content.decode()
    # A POST on the list signs nothing: it leads to the year's summary.
    assert client.post(reverse("rating-list"), {"year": 2025})["Location"] == reverse("rating-sign", args=[2025])
    assert AnnualRating.objects.get().signed_off_by is None
    page = client.get(reverse("rating-sign", args=[2025]))
    client.post(
        reverse("rating-sign", args=[2025]), {"opinion": "同意", "confirm": "1", "digest": page.context["digest"]}
    )
    rating = AnnualRating.objects.get()
    assert rating.signed_off_by == admin_user
    assert AuditEvent.objects.filter(action="approve", detail__annual_ratings=2025).exists()


def test_a_bulletin_is_the_countys_until_published_then_every_townships_whole_on_page_and_in_excel(
    client, staff_user, admin_user, viewer_user, county, township, other_township
):
    """A 季度通报 is a circular: the county reads the draft; once published, a township reads all of
    it (other townships' villages too, in the rows, the movers and the left-out list), and the page
    and the workbook list the same villages."""
    bulletin = Bulletin.objects.create(
        county=county,
        year=2026,
        quarter=1,
        data={
            "months": [1, 2, 3],
            "targets": [
                {
                    "target": "village",
                    "label": "村（社区）",
                    "rows": [
                        {
                            "village_id": 1,
                            "village": "本乡村",
                            "township_id": township.pk,
                            "township": township.name,
                            "months": [790, 800, 810],
                            "average": 800,
                            "change": 20,
                            "veto": False,
                            "veto_reason": "",
                            "rank_in_county": 1,
                            "rank_in_township": 1,
                            "categories": {},
                        },
                        {
                            "village_id": 2,
                            "village": "外乡村",
                            "township_id": other_township.pk,
                            "township": other_township.name,
                            "months": [700, 700, 700],
                            "average": 700,
                            "change": 0,
                            "veto": False,
                            "veto_reason": "",
                            "rank_in_county": 2,
                            "rank_in_township": 1,
                            "categories": {},
                        },
                    ],
                    "up": [{"village": "本乡村", "township": township.name, "change": 20}],
                    "down": [{"village": "外乡退步村", "township": other_township.name, "change": -30}],
                    "lagging": [
                        {"village": "外乡村", "township": other_township.name, "category": "抓党建", "points": 100}
                    ],
                    "category_averages": {},
                    "left_out": [
                        {
                            "village": "外乡缺报村",
                            "township_id": other_township.pk,
                            "township": other_township.name,
                            "missing": ["2月"],
                        }
                    ],
                }
            ],
        },
    )
    detail, export = reverse("bulletin-detail", args=[2026, 1]), reverse("bulletin-export", args=[2026, 1])
    client.force_login(staff_user)
    assert client.get(detail).status_code == 404 and client.get(export).status_code == 404  # a draft
    assert "2026年第1季度通报" not in client.get(reverse("bulletin-list")).content.decode()
    assert client.post(detail).status_code == 404  # nor can it publish what it cannot see
    client.force_login(viewer_user)
    assert client.get(detail).status_code == 200
    assert client.post(detail).status_code == 403
    client.force_login(admin_user)
    page = client.get(detail).content.decode()
    assert "未发布" in page and "发布通报" in page
    assert client.post(detail).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.published_by == admin_user
    assert AuditEvent.objects.filter(action="approve", detail__bulletin="2026-Q1", detail__published=True).exists()
    assert Message.objects.get(recipient=staff_user).title == "2026年第1季度通报已发布"

    client.force_login(staff_user)
    assert "2026年第1季度通报" in client.get(reverse("bulletin-list")).content.decode()
    listed = load_workbook(io.BytesIO(client.get(reverse("bulletin-list-export")).content)).active
    assert [c.value for c in listed[2]][0::2] == [
        "2026年第1季度通报",
        f"{timezone.localtime(bulletin.published_at):%Y-%m-%d} 发布",
    ]
    page = client.get(detail).content.decode()
    assert "发布通报" not in page and client.post(detail).status_code == 403  # only the county publishes
    villages = {"本乡村", "外乡村", "外乡缺报村", "外乡退步村"}
    assert all(v in page for v in villages)
    cells = {
        str(c.value) for row in load_workbook(io.BytesIO(client.get(export).content)).active.iter_rows() for c in row
    }
    assert {"本乡村", "外乡村", "外乡缺报村"} <= cells  # the ranked and the left-out rows, as on the page
    assert client.get(reverse("bulletin-detail", args=[2026, 4])).status_code == 404
