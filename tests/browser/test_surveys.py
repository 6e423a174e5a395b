"""Issue 20 in a real browser: at year end a township imports its villages' satisfaction surveys
from a workbook, and a village's satisfaction rate shows in its scorecard through a scheme
indicator, with the working and the survey it came from."""

import pytest
from openpyxl import load_workbook

from assessments import services
from assessments.models import BallotTally, Score
from tests import factories
from tests.assessments.test_services import good_values
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_survey_workbook_reaches_the_scorecard(page, live_server, world, tmp_path):  # noqa: F811
    year, month, township = world["year"], world["month"], world["township"]
    first, *others = world["villages"]
    for village in world["villages"]:
        factories.PartyOrganizationFactory(township=township, village=village, name=f"{village.name}党支部")
        report = services.report_save(
            actor=world["staff"], village=village, year=year, month=month, values=good_values()
        )
        services.report_submit(actor=world["staff"], report=report)
        services.report_review(actor=world["admin"], report=report, approve=True)
    before = Score.objects.get(village=first, year=year, period=month, target="village_secretary")
    assert before.items.get(indicator__code="A10").points == 0  # no survey yet

    login(page, live_server, "town-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/surveys/import/")
    with page.expect_download() as download_info:
        page.click("text=下载模板")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook["满意度测评"]
    held = f"{year}-{month:02d}-01"
    # 李家村: 群众 50 valid (30 满意, 10 比较满意, 5 基本满意, 5 不满意) → rate 40 ÷ 50 = 80 %
    sheet.append([f"{first.name}党支部", year, held, "年终“三评”", "会议现场测评", "群众", 50, 50, 0, 30, 10, 5, 5])
    # 王庄村: two groups; 党员 20 valid: 10/5/5/0, 村民代表 20: 5/5/5/5 → (15 + 10) ÷ 40 = 62.5 %
    sheet.append([f"{others[0].name}党支部", year, held, "年终“三评”", "入户测评", "党员", 20, 20, 0, 10, 5, 5, 0])
    sheet.append([f"{others[0].name}党支部", year, held, "年终“三评”", "入户测评", "村民代表", 22, 21, 1, 5, 5, 5, 5])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    page.set_input_files("input[type=file]", str(filled))
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "导入成功：新增满意度测评 2 次" in page.content()
    assert BallotTally.objects.count() == 2
    shot(page, "survey-list")

    # The month the surveys feed was scored before them: it is scored again, and the scorecard's A10
    # (50 points, ratio on satisfaction_rate, target 100) reads 80 % → 50 × 80 ÷ 100 = 40.
    score = Score.objects.get(village=first, year=year, period=month, target="village_secretary")
    item = score.items.get(indicator__code="A10")
    assert item.points == 40 and float(item.metric_value) == 80.0
    page.goto(f"{live_server.url}/assessment/scores/{score.pk}/")
    row = page.locator("tr", has_text="A10").inner_text()
    assert "满意度测评" in row and "满意率 80.00%" in row and "40.00" in row
    page.locator("tr", has_text="A10").scroll_into_view_if_needed()
    shot(page, "scorecard-survey")
    page.click("text=满意率 80.00%")
    page.wait_for_load_state("networkidle")
    assert "满意率 =（满意+比较满意）40 ÷ 有效票 50" in page.content()
    shot(page, "survey-detail")

    page.goto(f"{live_server.url}/assessment/surveys/ranking/?year={year}")
    ranking = page.locator("table").inner_text()
    assert ranking.index(first.name) < ranking.index(others[0].name) and "62.50%" in ranking
    shot(page, "survey-ranking")
