"""Issue 21 in a real browser: the county enters a township Party secretary's 述职评议 ballots in one
form and sees the composite and grade with the working."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.choices import PeriodKind, SchemeStatus, Target
from assessments.models import DutyReview, Scheme, Score
from cadres.choices import PostKind
from cadres.models import Tenure
from tests import factories
from tests.browser.conftest import login, shot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every group all 好 but 乡镇班子成员 (all 较好): (85 × 100 + 15 × 80) ÷ 100 = 97.00.
GROUPS = ("county_committee", "departments", "leaders", "secretaries", "representatives")


def test_the_county_enters_a_township_secretarys_ballots_and_reads_the_grade(page, live_server):
    year = timezone.localdate().year - 1
    county = factories.CountyFactory(name="述职测试县")
    township = factories.TownshipFactory(county=county, name="柳河镇")
    person = factories.PersonFactory(township=township, name="张书记")
    Tenure.objects.create(
        person=person, township=township, village=None, post=PostKind.PARTY_SECRETARY,
        started_on=datetime.date(year - 3, 1, 1),
    )  # fmt: skip
    scheme = Scheme.objects.create(
        county=county, year=year, target=Target.TOWNSHIP, name="乡镇考核", status=SchemeStatus.ACTIVE, full_marks=1000
    )
    Score.objects.create(
        target=Target.TOWNSHIP, township=township, scheme=scheme, period_kind=PeriodKind.YEAR, year=year,
        period=1, total=Decimal(880), computed_at=timezone.now(),
    )  # fmt: skip
    factories.county_admin(county, username="duty-admin", first_name="组织部")

    login(page, live_server, "duty-admin", TEST_PASSWORD)
    page.goto(f"{live_server.url}/assessment/duty/townships/")
    page.click("text=录入述职评议")
    page.select_option("select[name=township]", label="柳河镇")
    page.select_option("select[name=person]", label="柳河镇 · 张书记")
    page.fill("input[name=year]", str(year))
    page.fill("input[name=reported_on]", f"{year}-12-28")
    page.fill("input[name=meeting]", "全县党委书记抓基层党建述职评议会")
    page.fill("textarea[name=comment]", "抓基层党建责任落实")
    for code in GROUPS:
        for field in ("issued", "returned"):
            page.fill(f"input[name='n-{code}__{field}']", "10")
        page.fill(f"input[name='n-{code}__invalid']", "0")
        page.fill(f"input[name='n-{code}__{'fair' if code == 'leaders' else 'good'}']", "10")
    shot(page, "duty-form")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    review = DutyReview.objects.get()
    assert page.url.endswith(f"/assessment/duty/{review.pk}/")
    # 年度考核 880 × 100 ÷ 1000 = 88; (97 × 40 + 88 × 60) ÷ 100 = (3880 + 5280) ÷ 100 = 91.60 → 好 (≥ 90)
    assert page.locator("#duty-score").inner_text() == "97.00"
    assert page.locator("#duty-composite").inner_text() == "91.60"
    assert page.locator("#duty-grade").inner_text() == "好"
    working = page.locator("#duty-working").inner_text()
    assert "年度考核折合百分 = 880 × 100 ÷ 满分 1000 = 88.00" in working
    assert "综合得分 = (述职测评 97.00 × 40 + 年度考核 88.00 × 60) ÷ 100 = 91.60" in working
    assert page.locator("#duty-groups tbody tr").count() == 5
    shot(page, "duty-detail")

    page.goto(f"{live_server.url}/assessment/duty/townships/?year={year}")
    row = page.locator("tr", has_text="张书记").inner_text()
    assert "91.60" in row and "好" in row
    shot(page, "duty-township-summary")
