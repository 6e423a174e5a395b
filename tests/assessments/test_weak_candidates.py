"""软弱涣散 candidates the records point at (DOMAIN §6): they read reports and ratings, so they are the
assessment's; the designation's own workflow is tested in tests/villages/test_weak.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import Grade, ReportStatus
from assessments.models import AnnualRating, MonthlyReport
from tests import factories
from townships.models import CountySetting
from villages.models import WeakDesignation

pytestmark = pytest.mark.django_db


def test_candidates_come_from_the_records(client, admin_user, township, village, other_village):
    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    MonthlyReport.objects.create(
        village=village,
        township=township,
        year=last.year,
        month=last.month,
        status=ReportStatus.APPROVED,
        values={"satisfaction": 95, "petitions": 7},  # the typed value is not read: the survey is
    )
    organization = factories.PartyOrganizationFactory(township=township, village=village)
    # 40 valid ballots, 18 满意: 18 ÷ 40 = 45 % < 60 %
    factories.satisfaction_survey(organization, admin_user, held_on=last, very=18, not_=22)
    person = factories.PersonFactory(township=other_village.township, village=other_village)
    AnnualRating.objects.create(
        person=person,
        village=other_village,
        township=other_village.township,
        year=2025,
        daily=500,
        total=500,
        grade=Grade.INCOMPETENT,
        reason="x",
        rank_in_county=99,
    )
    client.force_login(admin_user)
    page = client.get(reverse("weak-list")).content.decode()
    assert "满意度测评满意率 45.00%" in page and "信访集中" in page and "最后一名" in page
    response = client.post(
        reverse("weak-list"), {"village": village.pk, "reason": "满意度低、信访集中", "source": "low_satisfaction"}
    )
    designation = WeakDesignation.objects.get(village=village)
    assert response.status_code == 302 and designation.designated_by == admin_user
    assert (
        "满意度低"
        not in client.get(reverse("weak-list")).content.decode().split("系统提示的候选")[-1].split("人工认定理由")[0]
    )


def test_the_thresholds_are_county_settings(client, admin_user, county, township, village):
    """A surveyed satisfaction of 55% and 3 petitions are no lead by default (below 60%: yes; 3 < 5: no), but are once
    the county lowers the petitions threshold to 3 and the satisfaction line to 50%."""
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    MonthlyReport.objects.create(
        village=village,
        township=township,
        year=last.year,
        month=last.month,
        status=ReportStatus.APPROVED,
        values={"satisfaction": 55, "petitions": 3},
    )
    organization = factories.PartyOrganizationFactory(township=township, village=village)
    factories.satisfaction_survey(organization, admin_user, held_on=last, very=11, fairly=11, not_=18)  # 22 ÷ 40
    client.force_login(admin_user)
    candidates = client.get(reverse("weak-list")).context["candidates"]
    (row,) = [c for c in candidates if c["village_id"] == village.pk]
    codes = {code for code, _text in row["reasons"]}
    assert "low_satisfaction" in codes and "petitions" not in codes
    CountySetting.objects.create(county=county, key="weak.petitions_at_least", value=3)
    CountySetting.objects.create(county=county, key="weak.satisfaction_below", value=50)
    candidates = client.get(reverse("weak-list")).context["candidates"]
    (row,) = [c for c in candidates if c["village_id"] == village.pk]
    codes = {code for code, _text in row["reasons"]}
    assert "petitions" in codes and "low_satisfaction" not in codes
