"""The flows a county and a township go through, in a real browser."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments.choices import ReportStatus
from assessments.demo import create_scheme
from assessments.metrics import METRICS, REPORTED_CODES
from assessments.models import MonthlyReport, Score
from cadres.choices import PostKind
from cadres.models import Tenure
from tests import factories
from tests.browser.conftest import login, shot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    county = factories.CountyFactory(name="浏览器测试县")
    create_scheme(county=county, year=last.year)
    township = factories.TownshipFactory(county=county, name="柳河镇")
    villages = []
    for name in ("李家村", "王庄村", "石桥村"):
        village = factories.VillageFactory(township=township, name=name)
        person = factories.PersonFactory(township=township, village=village)
        Tenure.objects.create(
            person=person,
            post=PostKind.VILLAGE_SECRETARY,
            township=township,
            village=village,
            started_on=datetime.date(2021, 10, 1),
        )
        villages.append(village)
    admin = factories.county_admin(county, username="county-b", first_name="组织部")
    staff = factories.township_staff(township, username="town-b", first_name="柳河镇党建办")
    return {
        "year": last.year,
        "month": last.month,
        "township": township,
        "villages": villages,
        "admin": admin,
        "staff": staff,
    }


def test_a_month_from_filing_to_an_explained_scorecard(page, live_server, world, tmp_path):
    year, month, township = world["year"], world["month"], world["township"]
    first, *others = world["villages"]

    # A township user logs in and files one village's report by form.
    login(page, live_server, "town-b", TEST_PASSWORD)
    assert "柳河镇" in page.content()
    shot(page, "township-landing")
    page.goto(f"{live_server.url}/assessment/reports/{first.pk}/{year}/{month}/")
    for code in REPORTED_CODES:
        page.fill(f"#id_{code}", "2" if code == "petitions" else ("90" if METRICS[code].kind == "percent" else "0"))
    shot(page, "report-form")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert MonthlyReport.objects.get(village=first).status == ReportStatus.SUBMITTED

    # ... and the other villages by workbook: download the template, fill it, upload it.
    page.goto(f"{live_server.url}/assessment/reports/import/?year={year}&month={month}&township={township.pk}")
    with page.expect_download() as download_info:
        page.click("text=下载模板")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["月度报表"]
    sheet.delete_rows(2, sheet.max_row)
    for village in others:
        sheet.append([village.name, *[(95 if METRICS[c].kind == "percent" else 0) for c in REPORTED_CODES]])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    page.set_input_files("input[type=file]", str(filled))
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已导入并报送 2 个村" in page.content()
    assert MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 3

    # A county user selects the page's three submitted reports in the review queue, confirms the
    # batch and approves them together; the approval that completes the month starts the scoring run.
    page.click("form[action$='/logout/'] button")
    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/reports/review/?status=submitted")
    page.check("#select-all")
    page.click("#bulk-approve button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "确认审核通过这 3 份" in page.content()
    assert MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 3  # nothing yet
    shot(page, "report-bulk-confirm")
    page.click("button[name=approve][form=bulk-confirm]")
    page.wait_for_load_state("networkidle")
    assert "已审核通过 3 份月报" in page.content()
    assert MonthlyReport.objects.filter(status=ReportStatus.APPROVED).count() == 3
    assert Score.objects.filter(year=year, period=month).count() == 3

    # The dashboard draws its charts in Chinese.
    page.goto(f"{live_server.url}/?year={year}&month={month}")
    page.wait_for_selector("#chart-trend canvas")
    assert "全县概览" in page.content() and "本月月报进度" in page.content()
    # Value axes start at zero: a bar or a line drawn from 800 would exaggerate a 10-point gap.
    axis_minimums = page.evaluate(
        """() => ["chart-trend", "chart-ranking"].map((id) => {
            const option = echarts.getInstanceByDom(document.getElementById(id)).getOption();
            const axis = option.yAxis[0].type === "value" ? option.yAxis[0] : option.xAxis[0];
            return axis.min;
        })"""
    )
    assert axis_minimums == [0, 0]
    shot(page, "county-dashboard")

    # A village scorecard explains the deduction.
    score = Score.objects.get(village=first, year=year, period=month)
    page.goto(f"{live_server.url}/assessment/scores/{score.pk}/")
    row = page.locator("tr", has_text="B01")
    assert "扣 10 分" in row.inner_text()
    shot(page, "scorecard")

    # And the ranking exports to Excel.
    page.goto(f"{live_server.url}/assessment/scores/?year={year}&period={month}")
    with page.expect_download() as download_info:
        page.click("text=导出 Excel")
    exported = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active
    assert {exported.cell(row=r, column=4).value for r in range(2, 5)} == {"李家村", "王庄村", "石桥村"}
    shot(page, "ranking")


def test_the_api_docs_render_under_the_content_security_policy(page, live_server):
    """Swagger UI's start-up script comes from the docs view (the split view): with the CSP's
    script-src 'self' the operations must still render (the page fixture fails on any block)."""
    county = factories.CountyFactory(name="文档县")
    factories.county_admin(county, username="docs-admin")
    login(page, live_server, "docs-admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
