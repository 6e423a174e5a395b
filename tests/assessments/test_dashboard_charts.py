"""The landing pages' charts read stored scores; their figures are worked by hand here.

The demo scheme's full points per area (leaves, bonus excluded): 抓党建 400, 守底线 250, 强产业 200,
惠民生 150 (assessments/demo.py SCHEME)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import Category, PeriodKind, Target
from assessments.demo import create_scheme
from assessments.models import Score
from assessments.selectors import county_dashboard, township_dashboard
from assessments.views.dashboards import heatmap_rows
from tests import factories

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 3


@pytest.fixture
def scored(county, township, other_township):
    scheme = create_scheme(county=county, year=YEAR)

    def score(township, name, total, party, month=MONTH):
        village = factories.VillageFactory(township=township, name=name)
        return Score.objects.create(
            target=Target.VILLAGE_SECRETARY,
            village=village,
            township=township,
            scheme=scheme,
            period_kind=PeriodKind.MONTH,
            year=YEAR,
            period=month,
            total=total,
            by_category={Category.PARTY_BUILDING: str(party), Category.BOTTOM_LINES: "250"},
            computed_at=timezone.now(),
        )

    score(township, "甲村", 800, 300)
    score(township, "乙村", 900, 360)
    score(other_township, "丙村", 700, 240)
    score(other_township, "丙二村", 600, 200, month=MONTH - 1)


def test_the_township_trend_and_areas_against_the_county(scored, township):
    view = township_dashboard(township=township, year=YEAR, month=MONTH)
    # February: only 青石乡 was scored (600): no figure for 城关镇. March: 城关镇 (800+900)/2 = 850,
    # the county (800+900+700)/3 = 800.
    assert view["trend"] == [[MONTH - 1, None, 600.0], [MONTH, 850.0, 800.0]]
    areas = {label: (own, county) for label, own, county in view["areas"]}
    # 抓党建: 城关镇 (300+360)/2 = 330 of 400 = 82.5%; county (300+360+240)/3 = 300 of 400 = 75.0%.
    assert areas["抓党建"] == (82.5, 75.0)
    assert areas["守底线"] == (100.0, 100.0)
    assert areas["强产业"] == (None, None)  # no score has the area: no figure, not 0


def test_the_heatmap_table_lists_every_township_with_its_shares(scored, admin_user, township, other_township):
    dashboard = county_dashboard(user=admin_user, year=YEAR, month=MONTH)
    rows = {name: shares for _pk, name, shares in heatmap_rows(dashboard)}
    assert rows["城关镇"][:2] == [82.5, 100.0]
    assert rows["青石乡"][:2] == [60.0, 100.0]  # 240 of 400


def test_the_pages_give_their_charts_a_text_alternative(client, scored, admin_user, staff_user, township):
    client.force_login(admin_user)
    home = client.get(reverse("home"), {"year": YEAR, "month": MONTH}).content.decode()
    assert 'role="img"' in home and "各乡镇四个方面得分率热力图" in home
    assert f"township={township.pk}&amp;sort=rank" in home or f"township={township.pk}&sort=rank" in home
    client.force_login(staff_user)
    page = client.get(reverse("township-detail", args=[township.pk]), {"year": YEAR, "month": MONTH}).content.decode()
    assert 'id="chart-township-trend"' in page and "<td>3月</td>" in page and "850.0" in page
    assert "82.5" in page
