"""The daily work of issue 12, in a real browser: a returned report reaching the township's to-do
and messages, a reveal found in the audit log, a year's ratings signed, a deduction edited and its
effect previewed, error pages, and a township page on a phone."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services
from assessments.choices import Grade, ReportStatus, RunKind
from assessments.models import AnnualRating, RatingSignOff, Scheme, ScoringRun
from tests import factories
from tests.assessments.test_services import good_values
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD
from townships.dates import add_years
from townships.models import AuditEvent, Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accept_confirmations(page):
    page.on("dialog", lambda dialog: dialog.accept())


def logout(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state("networkidle")


def test_a_returned_report_reaches_the_townships_to_do_and_messages(page, live_server, world):  # noqa: F811
    village = world["villages"][0]
    today = timezone.localdate()
    # A report for the current month, submitted early: the old to-do (pinned to last month) missed it.
    report = services.report_save(
        actor=world["staff"], village=village, year=today.year, month=today.month, values=good_values()
    )
    services.report_submit(actor=world["staff"], report=report)

    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/reports/{report.pk}/")
    page.fill("#id_reason", "集体经济收入与台账不符")
    page.click("button[name=return]")
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    logout(page)

    login(page, live_server, "town-b", TEST_PASSWORD)
    to_do = page.locator(".card", has_text="被退回待修改").first.inner_text()
    assert f"李家村 {today.year}年{today.month}月" in to_do and "集体经济收入与台账不符" in to_do
    assert page.get_attribute("a[href$='/messages/']", "aria-label") == "消息中心，1 条未读"
    shot(page, "township-to-do")
    page.click("a[href$='/messages/']")
    page.wait_for_load_state("networkidle")
    assert "月报被退回" in page.content()
    shot(page, "messages")
    page.click("text=全部标为已读")
    page.wait_for_load_state("networkidle")
    assert not Message.objects.filter(recipient=world["staff"], read_at__isnull=True).exists()


def test_the_county_finds_who_saw_a_persons_data(page, live_server, world):  # noqa: F811
    person = factories.PersonFactory(township=world["township"], village=world["villages"][0], name="张秀英")
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/records/people/{person.pk}/")
    page.click("text=显示完整身份证号和电话")
    page.wait_for_load_state("networkidle")
    # From the person's page to the audit log's record of that reveal: one click.
    page.click("text=谁查看过此人的信息")
    page.wait_for_load_state("networkidle")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "组织部" in rows.first.inner_text() and "张秀英" in rows.first.inner_text()
    assert "查看完整个人信息" in rows.first.inner_text()
    shot(page, "audit-log")
    # A nonsense date says so in Chinese and lists nothing.
    page.goto(f"{live_server.url}/audit/?since=2026-13-45")
    assert "有效的日期" in page.content()
    assert AuditEvent.objects.filter(action="reveal", target_id=str(person.pk)).count() == 1


def test_signing_a_year_shows_what_is_signed_then_asks(page, live_server, world):  # noqa: F811
    township = world["township"]
    for index, (village, grade) in enumerate(
        zip(world["villages"], [Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC], strict=True)
    ):
        tenure = village.tenures.get()
        AnnualRating.objects.create(
            person_id=tenure.person_id,
            village=village,
            township=township,
            year=2025,
            daily=Decimal(900 - index * 100),
            total=Decimal(900 - index * 100),
            grade=grade,
            reason="按得分定等",
            rank_in_county=index + 1,
        )
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/ratings/")
    assert page.locator("text=核对并审定").count() == 1  # one per year, not one per rating
    page.click("text=核对并审定")
    page.wait_for_load_state("networkidle")
    assert "优秀名单（1 人）" in page.content() and "李家村" in page.content()
    page.click("button[type=submit]:has-text('审定 2025 年度评定结果')")  # no opinion: the browser stops it
    assert not RatingSignOff.objects.exists()
    page.fill("#opinion", "经部务会研究，同意。")
    page.check("#confirm")
    shot(page, "rating-sign")
    page.click("button[type=submit]:has-text('审定 2025 年度评定结果')")
    page.wait_for_load_state("networkidle")
    assert "2025 年度评定已由 组织部" in page.content()
    assert RatingSignOff.objects.get().opinion == "经部务会研究，同意。"


def test_a_deduction_edited_and_previewed_before_publishing(page, live_server, world):  # noqa: F811
    year, month, admin = world["year"], world["month"], world["admin"]
    for village, incidents in zip(world["villages"], [1, 0, 2], strict=True):
        report = services.report_save(
            actor=admin, village=village, year=year, month=month, values=good_values(safety_incidents=incidents)
        )
        services.report_submit(actor=admin, report=report)
        services.report_review(actor=admin, report=report, approve=True)
    county_id = world["township"].county_id
    if not ScoringRun.objects.filter(county_id=county_id, year=year, period=month, status="succeeded").exists():
        run = services.scoring_run_start(
            actor=admin, county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month, enqueue=False
        )
        services.run_synchronously(run)
    scheme = Scheme.objects.get(county_id=county_id, year=year)
    accept_confirmations(page)
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/schemes/{scheme.pk}/")
    page.click("text=生成新版本")
    page.wait_for_load_state("networkidle")
    page.locator("tr", has_text="B04").locator("text=编辑").click()
    page.wait_for_load_state("networkidle")
    assert page.is_visible("#id_per_event") and not page.is_visible("#id_target")  # only the method's parameters
    assert "JSON" not in page.content()
    page.fill("#id_per_event", "60")
    shot(page, "indicator-form")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "每次扣 60 分" in page.content()
    page.click("text=试算：看排名变化")
    page.wait_for_load_state("networkidle")
    assert "3 个村中，2 个村的得分或名次发生变化" in page.content()
    assert "石桥村：名次 3 → 2" in page.content()
    shot(page, "scheme-what-if")


def test_error_pages_speak_chinese_in_the_layout(page, live_server, world):  # noqa: F811
    login(page, live_server, "town-b", TEST_PASSWORD)
    response = page.goto(f"{live_server.url}/assessment/reports/999999/")
    assert response.status == 404
    assert "页面不存在" in page.content() and "Not Found" not in page.content()
    page.goto(f"{live_server.url}/audit/")
    assert "页面不存在" in page.content()  # the audit log does not exist for a township user
    shot(page, "error-404")


def test_the_township_page_fits_a_phone(browser, live_server, world):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    login(phone, live_server, "town-b", TEST_PASSWORD)
    assert "待办" in phone.content()
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    shot(phone, "township-landing-phone")
    context.close()


def test_a_term_that_has_ended_is_flagged_and_an_election_starts_the_next(page, live_server, world):  # noqa: F811
    from villages.models import PartyOrganization

    today = timezone.localdate()
    village = world["villages"][0]
    committee = factories.PartyOrganizationFactory(
        township=world["township"], name="柳河镇党委", term_start=today, term_end=add_years(today, 5)
    )
    organization = factories.PartyOrganizationFactory(
        township=world["township"],
        village=village,
        parent=committee,
        name="李家村党支部",
        kind="branch",
        term_start=add_years(today, -5) - datetime.timedelta(days=30),
        term_end=today - datetime.timedelta(days=30),
    )
    accept_confirmations(page)
    login(page, live_server, "town-b", TEST_PASSWORD)
    card = page.locator(".terms-due-card").inner_text()
    assert "已届满 1" in card and "李家村党支部" in card
    page.click(".terms-due-card >> text=李家村党支部")
    page.wait_for_load_state("networkidle")
    elected = today - datetime.timedelta(days=2)
    page.fill("input[name=elected_on]", elected.isoformat())
    shot(page, "organization-election")
    page.click("text=记录换届选举")
    page.wait_for_load_state("networkidle")
    organization = PartyOrganization.objects.get(pk=organization.pk)
    assert organization.term_start == elected
    assert organization.term_end == add_years(elected, 5)  # the date rule's own cases: tests/villages/test_terms.py
    page.goto(f"{live_server.url}/")
    assert "没有已届满或半年内届满的党组织" in page.locator(".terms-due-card").inner_text()


def test_a_village_is_picked_by_typing_its_name_never_an_id(page, live_server, world):  # noqa: F811
    for village in world["villages"]:
        factories.PartyMemberFactory(
            person__township=world["township"],
            person__village=village,
            person__name=f"{village.name[:2]}党员",
            township=world["township"],
            village=village,
        )
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/records/members/")
    assert "编号" not in page.locator("form.card").inner_text()
    page.fill("#id_village_search", "王庄")
    options = page.locator("#id_village option").all_inner_texts()
    assert options == ["全部", "柳河镇 / 王庄村"]  # what is typed narrows the names; 全部 stays
    page.select_option("#id_village", label="柳河镇 / 王庄村")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "王庄党员" in rows.first.inner_text()
    shot(page, "searchable-filter")
