"""离任生活补贴 pages and writes: the roster scoped to the township (another township's person is a
404), a viewer without the setting sees no amounts, views of amounts and exports audited, query
counts pinned, bad input refused with a Chinese message and nothing written, tenure changes shown
on the roster. The rule's numbers are in tests/golden/cases/allowance.toml."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cadres.choices import PostKind
from cadres.models import AllowanceChange, AllowanceDisqualification, AllowanceStop, AllowanceTable, Tenure
from cadres.services import allowance as services
from cadres.services import tenure_end, tenure_start
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent, CountySetting

pytestmark = pytest.mark.django_db
BANDS = [(20, Decimal(525), Decimal(505), Decimal(485)), (3, Decimal(465), Decimal(445), Decimal(425))]
MONTH = "2026-07"


def retired(township, name, *, years=20, post=PostKind.VILLAGE_SECRETARY, birth=datetime.date(1950, 1, 1), seq=0):
    """A former cadre of ``township`` who left on 2020-01-01 after ``years`` years."""
    village = factories.VillageFactory(township=township, name=f"{name}村")
    person = factories.PersonFactory(
        township=township,
        village=village,
        name=name,
        birth_date=birth,
        id_number=factories.make_id_number(birth, seq + 7, region="320183"),
    )
    Tenure.objects.create(
        person=person,
        post=post,
        township=township,
        village=village,
        started_on=datetime.date(2020 - years, 1, 1),
        ended_on=datetime.date(2020, 1, 1),
    )
    return person


@pytest.fixture
def world(county, township, other_township, admin_user):
    services.allowance_table_save(
        actor=admin_user, county=county, name="句容标准", effective_from=datetime.date(2020, 1, 1), bands=BANDS
    )
    return {"own": retired(township, "张老书记"), "foreign": retired(other_township, "李老主任", seq=1)}


def test_the_roster_lists_the_townships_own_recipients_with_a_total_and_is_audited(client, world, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("allowance-roster"), {"month": MONTH}).content.decode()
    assert "张老书记" in page and "李老主任" not in page
    assert "525" in page and "20 年以上" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_AMOUNT, detail__allowance_roster=MONTH).exists()
    assert client.get(reverse("allowance-person", args=[world["foreign"].pk])).status_code == 404
    assert client.get(reverse("allowance-person", args=[world["own"].pk])).status_code == 200


def test_the_county_sees_every_township_and_the_export_is_audited(client, world, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("allowance-export"), {"month": MONTH})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    names = [r[3] for r in rows[1:-1]]
    assert sorted(names) == ["张老书记", "李老主任"]
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][-1])) == Decimal(1050)  # 525 + 525
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, detail__list="allowance-roster")
    assert event.detail["rows"] == 2 and event.detail["amounts"] is True


def test_a_viewer_sees_amounts_only_where_the_county_allows_it(client, world, viewer_user, county):
    client.force_login(viewer_user)
    page = client.get(reverse("allowance-roster"), {"month": MONTH}).content.decode()
    assert "张老书记" in page and "525" not in page and "您的账户不显示金额" in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_AMOUNT).exists()
    sheet = load_workbook(io.BytesIO(client.get(reverse("allowance-export")).content)).active
    assert "月补贴（元）" not in [c.value for c in sheet[1]]
    CountySetting.objects.create(county=county, key="allowance.viewer_sees_amounts", value="1")
    page = client.get(reverse("allowance-roster"), {"month": MONTH}).content.decode()
    assert "525" in page
    assert client.post(reverse("allowance-tables"), {"create": "1"}).status_code == 403


def test_a_village_login_sees_nothing(client, world, village):
    client.force_login(factories.village_staff(village, username="v1"))
    assert client.get(reverse("allowance-roster")).status_code in (403, 404)
    assert client.get(reverse("allowance-person", args=[world["own"].pk])).status_code in (403, 404)


def test_the_person_page_shows_the_allowance_status(client, world, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("person-detail", args=[world["own"].pk])).content.decode()
    assert "离任生活补贴" in page and "20 年以上" in page


def test_overlapping_tables_are_refused_and_nothing_is_written(admin_user, county, world):
    with pytest.raises(ValidationError) as error:
        services.allowance_table_save(
            actor=admin_user, county=county, name="新标准", effective_from=datetime.date(2026, 1, 1), bands=BANDS
        )
    assert "重叠" in str(error.value)
    assert AllowanceTable.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        services.parse_bands("20 525 505\n")
    assert "第 1 行" in str(error.value)


def test_the_tables_page_shows_the_message_in_place(client, admin_user, world):
    client.force_login(admin_user)
    response = client.post(
        reverse("allowance-tables"),
        {"create": "1", "name": "新标准", "effective_from": "2026-01-01", "bands": "20 600 580 560"},
    )
    assert response.status_code == 200 and "重叠" in response.content.decode()
    assert AllowanceTable.objects.count() == 1


def test_a_stop_before_the_person_left_is_refused(admin_user, world):
    person = world["own"]
    with pytest.raises(ValidationError) as error:
        services.allowance_stop(actor=admin_user, person=person, kind="death", stopped_on=datetime.date(2019, 6, 1))
    assert "早于" in str(error.value)
    assert not AllowanceStop.objects.exists()


def test_a_disqualification_needs_a_reason(client, staff_user, world):
    client.force_login(staff_user)
    response = client.post(
        reverse("allowance-person", args=[world["own"].pk]),
        {
            "disqualify": "1",
            "disqualify-kind": "party",
            "disqualify-occurred_on": "2025-01-01",
            "disqualify-reason": "",
        },
    )
    assert response.status_code == 200 and "请填写事由" in response.content.decode()
    assert not AllowanceDisqualification.objects.exists()


def test_a_stop_takes_the_person_off_the_roster_from_the_next_month(client, staff_user, world):
    client.force_login(staff_user)
    response = client.post(
        reverse("allowance-person", args=[world["own"].pk]),
        {"stop": "1", "stop-kind": "death", "stop-stopped_on": "2026-03-05", "stop-reason": "病故"},
    )
    assert response.status_code == 302
    assert "张老书记" in client.get(reverse("allowance-roster"), {"month": "2026-03"}).content.decode()
    page = client.get(reverse("allowance-roster"), {"month": "2026-04"}).content.decode()
    assert "本月无符合条件的人员" in page and "病故" in page  # gone from the list, in the history


def test_tenure_changes_are_shown_since_the_last_visit(client, admin_user, staff_user, world, township):
    client.force_login(staff_user)
    client.get(reverse("allowance-roster"))
    village = factories.VillageFactory(township=township, name="新村")
    tenure = tenure_start(
        actor=admin_user,
        person=world["own"],
        post=PostKind.VILLAGE_MEMBER,
        township=township,
        village=village,
        started_on=datetime.date(2026, 2, 1),
    )
    assert AllowanceChange.objects.filter(person=world["own"]).count() == 1
    page = client.get(reverse("allowance-roster"), {"month": MONTH}).content.decode()
    assert "自上次查看后变化" in page and "张老书记 自 2026-02-01 任" in page
    assert "20 年以上" not in page  # back in office: off the roster
    tenure_end(actor=admin_user, tenure=tenure, ended_on=datetime.date(2026, 5, 1))
    page = client.get(reverse("allowance-roster"), {"month": MONTH}).content.decode()
    assert "于 2026-05-01 离任" in page and "自 2026-02-01 任" not in page  # only what is new since
    assert "张老书记" in page


@pytest.mark.parametrize("name", ["allowance-roster", "allowance-export", "allowance-tables"])
def test_the_query_counts_do_not_grow_with_people(client, world, admin_user, township, name):
    client.force_login(admin_user)
    client.get(reverse(name), {"month": MONTH})  # the first visit records when the roster was seen
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse(name), {"month": MONTH}).status_code == 200
    for i in range(6):
        person = retired(township, f"加{i}", years=3 + i, post=PostKind.VILLAGE_MEMBER, seq=10 + i)
        if i == 0:
            services.allowance_disqualify(
                actor=admin_user, person=person, kind="recall", occurred_on=datetime.date(2025, 1, 1), reason="罢免"
            )
            services.allowance_stop(
                actor=admin_user, person=world["foreign"], kind="public_post", stopped_on=datetime.date(2025, 1, 1)
            )
    AllowanceChange.objects.create(person=world["own"], since=datetime.date(2026, 1, 1), what="测试变动")
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse(name), {"month": MONTH}).status_code == 200
    assert len(second) == len(first), [q["sql"] for q in second.captured_queries]


def test_the_demo_has_recipients_one_turning_60_one_too_young_one_disqualified_one_stopped():
    import random

    from cadres.demo import generate_records
    from cadres.models import Person
    from cadres.selectors.allowance import assess_people
    from villages.demo import Size, generate_registry

    rng = random.Random(7)
    counties, _summary = generate_registry(
        rng=rng, size=Size(counties=1, townships_per_county=2, villages_per_township=2)
    )
    county = counties[0]
    today = datetime.date(2026, 6, 15)
    generate_records(rng=rng, counties=[county], today=today)
    people = Person.objects.filter(township__county=county, tenures__end_reason="正常离任").values("pk")
    rows = assess_people(people=people, county_id=county.pk, month=(2026, 6))
    assert len(rows) == 7
    paid = sorted(row.result.amount for row in rows if row.result.eligible)
    assert paid == [Decimal(425), Decimal(465), Decimal(505), Decimal(525)]  # 7 years 委员, 13 主任, 16 and 21 书记
    reasons = [" ".join(row.result.reasons) for row in rows if not row.result.eligible]
    assert any("年满 60 周岁" in r for r in reasons)
    assert any("党纪处分" in r for r in reasons)
    assert any("去世" in r for r in reasons)
    turning = next(row for row in rows if row.result.first_month == (2026, 6))
    assert turning.result.eligible and turning.result.amount == Decimal(505)
    assert AllowanceTable.objects.filter(county=county).count() == 1
