"""Issue 21 in a real browser: the county reads last quarter's townships' ranking, prints it on A4
and exports it to Excel; the figures are those worked by hand in tests/golden/cases/township_scores.toml."""

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login, shot
from tests.factories import TEST_PASSWORD
from tests.golden.test_township_scores import CASE, _build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_quarter_ranking_is_printable_and_exportable(page, live_server, tmp_path):
    county, _months = _build()
    login(page, live_server, county.admin.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/townships/?kind=quarter&year={CASE['year']}&period=1")
    table = page.locator("main table").first.inner_text()
    # 西乡 90 (1st), 东镇 80 (2nd), 南镇 100 but vetoed (3rd); 北乡 missed February: unranked.
    assert table.index("西乡") < table.index("东镇") < table.index("南镇")
    assert "90.00" in table and "80.00" in table
    assert "北乡：2月（无村评分）" in page.locator("main").inner_text()
    shot(page, "township-ranking")

    # Print: the controls go, the table stays.
    page.emulate_media(media="print")
    assert not page.locator("text=导出 Excel").is_visible()
    assert page.locator("main table").first.is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.click("text=导出 Excel")
    path = tmp_path / "ranking.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[:2] for r in rows[1:4]] == [(1, "西乡"), (2, "东镇"), (3, "南镇")]
    assert rows[4][1] == "北乡" and "未排名" in rows[4][5]

    # Switching to the month shows the latest month's ranking, with the change from the month before.
    with page.expect_navigation():
        page.select_option("select[name=kind]", "month")
    assert "3月乡镇考核排名" in page.locator("h1").inner_text()
