"""Issue 22 in a real browser: the county sets a pay standard, computes the first half-year, opens a
person's working, approves it with an opinion after a confirmation and downloads the finance sheet;
the 七一 list is drawn from the signed ratings, a proposal decided after a confirmation, and the
decided list printed."""

from decimal import Decimal

import pytest

from assessments.models import AnnualRating, Honour, PayLine, PayPeriod
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_county_sets_a_standard_computes_approves_and_exports_pay(page, live_server, world):  # noqa: F811
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/pay/")
    page.click("text=新增标准")
    page.wait_for_load_state("networkidle")
    page.fill("#id_name", "县委办〔2026〕3号")
    page.fill("#id_effective_from", "2026-01-01")
    page.click("main button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    assert "一肩挑 1560.00 元/月" in page.content()  # the seed's figures are the defaults
    page.fill("#id_year", "2026")
    page.select_option("#id_half", "1")
    page.click("main button:has-text('测算')")
    page.wait_for_load_state("networkidle")
    period = PayPeriod.objects.get()
    # Three secretaries (单设) all half-year, no rating: 1500 × 6 = 9000.00 each.
    assert "27,000.00" in page.content() or "27000.00" in page.content()
    shot(page, "pay-period")
    page.click("text=逐人明细与计算过程")
    page.wait_for_load_state("networkidle")
    first = PayLine.objects.filter(period=period).order_by("person__name").first()
    page.click(f"a:text-is('{first.person.name}')")
    page.wait_for_load_state("networkidle")
    assert "2026年1月 书记或主任（单设）：1500 元 × 31/31 天 = 1500 元" in page.content()
    shot(page, "pay-line")
    page.go_back()
    page.goto(f"{live_server.url}/assessment/pay/2026/1/")
    page.fill("#id_opinion", "经核对无误，同意发放。")
    page.click("button[name=approve]")  # the confirmation box is required: the browser stops it
    page.wait_for_load_state("networkidle")
    assert PayPeriod.objects.get().state == "open"
    page.check("#id_confirm")
    page.click("button[name=approve]")
    page.wait_for_load_state("networkidle")
    assert "已审定" in page.locator("h1").inner_text() and PayPeriod.objects.get().state == "approved"
    with page.expect_download() as download:
        page.click("text=财务报表（Excel）")
    assert download.value.suggested_filename.endswith("村干部报酬测算表.xlsx")


def test_the_july_first_list_is_drawn_decided_and_printed(page, live_server, world):  # noqa: F811
    admin = world["admin"]
    for village, total in zip(world["villages"], (950, 930, 820), strict=True):
        person = village.tenures.get().person
        AnnualRating.objects.create(
            person=person, village=village, township=village.township, year=2025, daily=Decimal(total),
            total=Decimal(total), grade="excellent" if total > 900 else "competent", reason="测试",
            signed_off_by=admin,
        )  # fmt: skip
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/honours/")
    page.fill("#id_year", "2026")
    page.click("text=按考核结果生成提名名单")
    page.wait_for_load_state("networkidle")
    assert "优秀村党组织书记 2 人" in page.content()
    shot(page, "honour-list")
    honour = Honour.objects.filter(kind="excellent_secretary").order_by("-pk").first()
    page.goto(f"{live_server.url}/assessment/honours/{honour.pk}/")
    page.select_option("#id_decision", "approve")
    page.fill("#id_opinion", "事迹突出，同意表彰。")
    page.click("main button:has-text('提交决定')")
    page.wait_for_load_state("networkidle")
    assert Honour.objects.get(pk=honour.pk).state == "proposed"  # not without the confirmation
    page.check("#id_confirm")
    page.click("main button:has-text('提交决定')")
    page.wait_for_load_state("networkidle")
    assert Honour.objects.get(pk=honour.pk).state == "approved"
    page.goto(f"{live_server.url}/assessment/honours/2026/print/")
    assert honour.person.name in page.locator("main").inner_text()
    shot(page, "honour-print")
