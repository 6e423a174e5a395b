"""村干部报酬: the standards' checks, a period computed from the records, approved with an opinion and
locked, reopened only by a decision, changes after approval told to the county, the pages scoped and
audited, the finance workbook, and pinned query counts. Amounts are worked from the rule by hand."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessments.choices import AssessmentMessageKind as MessageKind
from assessments.choices import Grade, PayPeriodState
from assessments.models import AnnualRating, PayLine, PayPeriod, PayStandard
from assessments.services import pay as pay_services
from cadres.choices import PostKind
from cadres.services import tenure_end, tenure_start
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent, CountySetting, Message

pytestmark = pytest.mark.django_db
COEFFICIENTS = {"excellent": "1.2", "competent": "1.0", "basic": "0.8", "incompetent": "0"}


def values(**overrides):
    return {
        "name": "县委办〔2026〕1号",
        "effective_from": datetime.date(2026, 1, 1),
        "effective_to": None,
        "one_shoulder_month": Decimal(1560),
        "principal_month": Decimal(1500),
        "deputy_month": Decimal(1300),
        "performance_share": Decimal("0.3"),
        "unrated": Decimal(1),
        "mode": "grade",
        "rhythm": "half",
        "coefficients": COEFFICIENTS,
        "bands": [],
    } | overrides


def rate(village, person, grade, year=2025, signer=None):
    return AnnualRating.objects.create(
        person=person,
        village=village,
        township=village.township,
        year=year,
        daily=Decimal(800),
        total=Decimal(800),
        grade=grade,
        reason="测试",
        signed_off_by=signer,
    )


@pytest.fixture
def world(county, township, other_township, admin_user):
    """A standard from 2026; 东村's secretary (since 2021) rated 优秀 for 2025 and signed; 西村's
    secretary (another township) with no rating."""
    pay_services.pay_standard_save(actor=admin_user, county=county, values=values())
    east = factories.village_with_secretary(township, "东村")
    west = factories.village_with_secretary(other_township, "西村")
    secretary = east.tenures.get().person
    rate(east, secretary, Grade.EXCELLENT, signer=admin_user)
    return {"east": east, "west": west, "secretary": secretary}


def test_a_standard_is_checked_whole_before_anything_is_written(admin_user, county):
    pay_services.pay_standard_save(
        actor=admin_user, county=county, values=values(effective_to=datetime.date(2026, 12, 31))
    )
    bad = [
        (values(effective_from=datetime.date(2026, 7, 1)), "重叠"),  # overlaps the first
        (values(effective_from=datetime.date(2027, 1, 1), coefficients=COEFFICIENTS | {"basic": "-0.5"}), "0 到 9.99"),
        (values(effective_from=datetime.date(2027, 1, 1), performance_share=Decimal("1.5")), "0 到 1"),
        (values(effective_from=datetime.date(2027, 1, 1), effective_to=datetime.date(2026, 12, 1)), "不能早于"),
        (values(effective_from=datetime.date(2027, 1, 1), mode="band"), "至少要设一档"),
        (values(effective_from=datetime.date(2027, 1, 1), name=" "), "标准名称"),
    ]
    for data, message in bad:
        with pytest.raises(ValidationError) as refused:
            pay_services.pay_standard_save(actor=admin_user, county=county, values=data)
        assert message in str(refused.value), (message, refused.value)
    assert PayStandard.objects.count() == 1


def test_a_period_is_computed_approved_locked_and_reopened_only_by_a_decision(world, admin_user, staff_user, county):
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    line = PayLine.objects.get(period=period, person=world["secretary"])
    # 书记（单设）all of January–June at 1500: base 1050 × 6 = 6300.00; performance standard 450 × 6 =
    # 2700.00 × 1.2 (2025 优秀, signed) = 3240.00; total 9540.00 over 181 days.
    assert (line.days, line.base, line.performance, line.total) == (
        181,
        Decimal("6300.00"),
        Decimal("3240.00"),
        Decimal("9540.00"),
    )
    assert (line.grade, line.rating_year, line.villages) == (Grade.EXCELLENT, 2025, ["东村"])
    other = PayLine.objects.get(period=period, township=world["west"].township)
    assert other.coefficient == 1 and other.total == Decimal("9000.00")  # no rating: 1.0 → 1500 × 6

    with pytest.raises(ValidationError, match="审定意见"):
        pay_services.pay_period_approve(actor=admin_user, period=period, opinion=" ")
    pay_services.pay_period_approve(actor=admin_user, period=period, opinion="经核对无误")
    period.refresh_from_db()
    assert period.state == PayPeriodState.APPROVED
    assert AuditEvent.objects.filter(action=AuditAction.APPROVE, target_id=str(period.pk)).exists()
    told = Message.objects.get(recipient=staff_user, kind=MessageKind.PAY_APPROVED)
    assert told.title == "2026年上半年村干部报酬已审定"
    # Locked: no recompute, no deduction, no change to the standard it read.
    with pytest.raises(ValidationError, match="已审定并锁定"):
        pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    with pytest.raises(ValidationError, match="已审定并锁定"):
        pay_services.pay_deduction_add(
            actor=admin_user, period=period, person=line.person, township=line.township, amount=100, reason="x"
        )
    standard = PayStandard.objects.get()
    with pytest.raises(ValidationError, match="不能修改"):
        pay_services.pay_standard_save(
            actor=admin_user, county=county, standard=standard, values=values(principal_month=Decimal(1800))
        )
    # Ending it after the settled half-year and adding a new one is how a standard changes.
    pay_services.pay_standard_save(
        actor=admin_user, county=county, standard=standard, values=values(effective_to=datetime.date(2026, 8, 31))
    )
    with pytest.raises(ValidationError, match="重叠"):  # nor may a new one reach back into the settled half
        pay_services.pay_standard_save(
            actor=admin_user,
            county=county,
            values=values(effective_from=datetime.date(2026, 6, 1), effective_to=datetime.date(2026, 6, 30)),
        )

    with pytest.raises(ValidationError, match="理由"):
        pay_services.pay_period_reopen(actor=admin_user, period=period, reason="")
    pay_services.pay_period_reopen(actor=admin_user, period=period, reason="补录扣减")
    pay_services.pay_deduction_add(
        actor=admin_user,
        period=period,
        person=line.person,
        township=line.township,
        amount=Decimal(200),
        reason="违反村务公开",
    )
    line = PayLine.objects.get(period=period, person=world["secretary"])
    assert (line.deductions, line.total) == (Decimal("200.00"), Decimal("9340.00"))


def test_a_change_after_approval_is_told_once_and_never_recomputed(world, admin_user, county):
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    pay_services.pay_period_approve(actor=admin_user, period=period, opinion="同意")
    tenure = world["secretary"].tenures.get()
    tenure_end(actor=admin_user, tenure=tenure, ended_on=datetime.date(2026, 5, 1), reason="辞职")
    period.refresh_from_db()
    assert "离任" in period.changed_since and period.state == PayPeriodState.APPROVED
    assert PayLine.objects.get(period=period, person=world["secretary"]).total == Decimal("9540.00")  # unchanged
    assert Message.objects.filter(recipient=admin_user, kind=MessageKind.PAY_CHANGED).count() == 1
    # The same change told again (beat, a retry) is not a second message.
    pay_services.pay_inputs_changed(
        county_id=county.pk, person_ids=[tenure.person_id], what=period.changed_since.split(" ", 1)[1], since=None
    )
    assert Message.objects.filter(recipient=admin_user, kind=MessageKind.PAY_CHANGED).count() == 1
    # Reopened and computed again: January–April whole and 1–30 May... the last day in office is 30 April.
    pay_services.pay_period_reopen(actor=admin_user, period=period, reason="任职变动")
    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    line = PayLine.objects.get(period=period, person=world["secretary"])
    # January–April at 1500: base 1050 × 4 = 4200.00; performance 450 × 4 = 1800 × 1.2 = 2160.00; 6360.00.
    assert (line.days, line.total) == (120, Decimal("6360.00"))
    period.refresh_from_db()
    assert period.changed_since == ""


def test_a_post_taken_after_an_open_period_was_computed_marks_it(world, admin_user, county, township):
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=2)
    south = factories.VillageFactory(township=township, name="南村")
    director = factories.PersonFactory(township=township, village=south, name="郑主任")
    tenure_start(
        actor=admin_user,
        person=director,
        post=PostKind.COMMITTEE_DIRECTOR,
        township=township,
        village=south,
        started_on=datetime.date(2026, 10, 1),
    )
    period.refresh_from_db()
    # Not on the period's lines yet, but a paid post from 1 October: the open period says so (no
    # message: only an approved period asks the county for a decision).
    assert "郑主任" in period.changed_since and period.state != PayPeriodState.APPROVED
    assert not Message.objects.filter(kind=MessageKind.PAY_CHANGED).exists()
    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=2)
    line = PayLine.objects.get(period=period, person=director)
    # 主任（单设）October–December, three whole months at 1500: base 1050 × 3 = 3150.00; performance
    # 450 × 3 = 1350.00 × 1.0 (no rating) = 1350.00; total 4500.00 over 92 days.
    assert (line.days, line.base, line.performance, line.total) == (
        92,
        Decimal("3150.00"),
        Decimal("1350.00"),
        Decimal("4500.00"),
    )


def test_a_period_must_follow_the_standards_rhythm_and_have_one(admin_user, county, world):
    with pytest.raises(ValidationError, match="每半年结算"):
        pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=0)
    with pytest.raises(ValidationError, match="没有适用的报酬标准"):
        pay_services.pay_period_compute(actor=admin_user, county=county, year=2025, half=2)
    assert not PayPeriod.objects.exists()


def test_pages_are_scoped_audited_and_a_viewer_needs_the_setting(
    client, world, admin_user, staff_user, viewer_user, county
):
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    own = PayLine.objects.get(period=period, person=world["secretary"])
    foreign = PayLine.objects.exclude(pk=own.pk).get(period=period)
    client.force_login(staff_user)
    page = client.get(reverse("pay-line-list"), {"period": period.pk}).content.decode()
    assert own.person.name in page and foreign.person.name not in page
    assert client.get(reverse("pay-line", args=[foreign.pk])).status_code == 404
    detail = client.get(reverse("pay-line", args=[own.pk])).content.decode()
    assert "绩效标准 2700 元 × 1.2 = 3240 元" in detail
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_AMOUNT, target_id=str(own.pk)).exists()
    assert client.post(reverse("pay-period", args=[2026, 1]), {"recompute": "1"}).status_code == 403

    client.force_login(viewer_user)
    assert client.get(reverse("pay-period", args=[2026, 1])).status_code == 403
    assert client.get(reverse("pay-line-list")).status_code == 403
    CountySetting.objects.create(county=county, key="pay.viewer_sees_amounts", value="1")
    assert client.get(reverse("pay-period", args=[2026, 1])).status_code == 200

    client.force_login(admin_user)
    response = client.post(reverse("pay-period", args=[2026, 1]), {"approve": "1", "opinion": "同意"})
    assert response.status_code == 200 and "请勾选确认后再审定" in response.content.decode()  # one click is not enough
    assert PayPeriod.objects.get().state == PayPeriodState.OPEN
    client.post(reverse("pay-period", args=[2026, 1]), {"approve": "1", "opinion": "同意", "confirm": "on"})
    assert PayPeriod.objects.get().state == PayPeriodState.APPROVED


def test_the_finance_workbook_has_a_title_subtotals_and_says_whether_it_is_final(client, world, admin_user, county):
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    client.force_login(admin_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("pay-finance-export", args=[2026, 1])).content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"{county.name}2026年上半年村干部报酬测算表" and "未审定" in rows[1][0]
    assert rows[2][:4] == ["序号", "乡镇", "村（社区）", "姓名"]
    labels = [r[0] for r in rows[3:] if r and r[0] is not None]
    assert labels.count("小计") == 2 and "合计" in labels
    grand = next(r for r in rows if r[0] == "合计")
    assert Decimal(str(grand[11])) == Decimal("18540.00")  # 9540.00 + 9000.00
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, target_id=str(period.pk)).exists()
    pay_services.pay_period_approve(actor=admin_user, period=period, opinion="同意")
    sheet = load_workbook(io.BytesIO(client.get(reverse("pay-finance-export", args=[2026, 1])).content)).active
    assert sheet["A2"].value.startswith("单位：元　　已审定")


@pytest.mark.parametrize("name", ["pay-line-list", "pay-period", "pay-home"])
def test_the_pay_pages_query_counts_do_not_grow_with_people(client, world, admin_user, county, township, name):
    args = [2026, 1] if name == "pay-period" else []
    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse(name, args=args)).status_code == 200
    for i in range(5):
        village = factories.village_with_secretary(township, f"加{i}村")
        factories.TenureFactory(village=village, post=PostKind.VILLAGE_MEMBER, started_on=datetime.date(2024, 1, 1))
    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    assert PayLine.objects.count() == 12
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse(name, args=args)).status_code == 200
    assert len(second) == len(first), [q["sql"] for q in second.captured_queries]


def test_a_secretary_of_two_villages_has_one_line_and_the_person_page_shows_it(client, county, township, admin_user):
    """联村任职: secretary of 南村 (since 2021) and of 北村 from 1 March 2026: one line, paid once a day as
    书记（单设）at 1500 for January–June, no rating (1.0): 9000.00, both villages named."""
    pay_services.pay_standard_save(actor=admin_user, county=county, values=values())
    south = factories.village_with_secretary(township, "南村")
    person = south.tenures.get().person
    north = factories.VillageFactory(township=township, name="北村")
    factories.TenureFactory(village=north, person=person, started_on=datetime.date(2026, 3, 1))
    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    (line,) = PayLine.objects.filter(period=period, person=person)
    assert (line.total, line.villages) == (Decimal("9000.00"), ["北村", "南村"])
    client.force_login(admin_user)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    # Both current posts, and the one pay line naming both villages.
    assert "村党组织书记 · 南村" in page and "村党组织书记 · 北村" in page
    assert 'id="person-pay"' in page and "<td>北村、南村</td>" in page and "9000.00" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_AMOUNT, target_id=str(person.pk)).exists()


def test_the_api_serves_pay_lines_scoped_audited_and_only_to_those_who_may_see_amounts(
    world, admin_user, staff_user, viewer_user, county
):
    """东村's secretary, 书记（单设） all of January–June 2026 at 1500 a month, 30 % performance, 2025 优秀
    (1.2): base 9000 × 0.7 = 6300.00, performance 2700.00 × 1.2 = 3240.00, total 9540.00."""
    from rest_framework.test import APIClient

    period = pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    own = PayLine.objects.get(period=period, person=world["secretary"])
    foreign = PayLine.objects.exclude(pk=own.pk).get(period=period)
    api = APIClient()
    factories.use_token(api, staff_user)
    body = api.get(reverse("api:pay-line-list"), {"period": period.pk}).json()
    assert [row["person_name"] for row in body["results"]] == [own.person.name]
    (row,) = body["results"]
    assert (row["base"], row["performance"], row["total"], row["final"]) == ("6300.00", "3240.00", "9540.00", False)
    assert api.get(reverse("api:pay-line-detail", args=[foreign.pk])).status_code == 404
    assert api.get(reverse("api:pay-line-detail", args=[own.pk])).json()["coefficient"] == "1.20"
    events = AuditEvent.objects.filter(action=AuditAction.VIEW_AMOUNT, actor=staff_user)
    assert events.filter(target_id=str(own.pk)).count() == 1 and events.count() == 2
    # A name typed into the filter is not written into the audit trail.
    api.get(reverse("api:pay-line-list"), {"name": own.person.name})
    assert events.latest("pk").detail["filters"] == "name=*"
    # The period list says when the sheet is final.
    periods = api.get(reverse("api:pay-period-list")).json()["results"]
    assert [(p["label"], p["state"], p["starts_on"], p["ends_on"]) for p in periods] == [
        ("2026年上半年", "open", "2026-01-01", "2026-06-30")
    ]

    factories.use_token(api, viewer_user)
    assert api.get(reverse("api:pay-line-list")).status_code == 403
    assert api.get(reverse("api:pay-line-detail", args=[own.pk])).status_code == 403
    CountySetting.objects.create(county=county, key="pay.viewer_sees_amounts", value="1")
    assert api.get(reverse("api:pay-line-list")).json()["count"] == 2


def test_the_pay_lines_endpoints_query_count_is_pinned(world, admin_user, county, township):
    from rest_framework.test import APIClient

    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    api = APIClient()
    factories.use_token(api, admin_user)
    for i in range(5):
        factories.village_with_secretary(township, f"加{i}村")
    pay_services.pay_period_compute(actor=admin_user, county=county, year=2026, half=1)
    api.get(reverse("api:pay-line-list"))  # the token is looked up once, then cached
    with CaptureQueriesContext(connection) as queries:
        assert api.get(reverse("api:pay-line-list")).json()["count"] == 7
    # The count, the page (lines with period, person and township joined), the audit row.
    assert len(queries) == 3, [q["sql"] for q in queries.captured_queries]
