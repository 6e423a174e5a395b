"""The landing pages that combine every app (assessments/views/dashboards.py)."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_county_home_shows_the_county_at_a_glance(client, admin_user, many_townships, django_assert_num_queries):
    client.force_login(admin_user)
    client.get(reverse("home"))  # the first view computes and stores the alerts (beat does it every 15 minutes)
    # session, user, village totals, organization counts, townships; the stored alerts (4: the
    # townships in scope, which are fresh, the rows, their time); the assessment dashboard (14, from
    # stored scores, with the month's coverage: active villages and scored ones, and the townships'
    # own scores); the to-do (5: reports to review, the year's runs, years to sign, flags to decide,
    # 约谈 to decide, record or follow up; 述职评议 ties at the cap on 好, 1 more); the 换届 card (2: the counts, the first five); then the idle-timeout
    # session save (savepoint, update, release).
    with django_assert_num_queries(34):
        response = client.get(reverse("home"))
    for township in many_townships:
        factories.VillageFactory(township=township)
    with django_assert_num_queries(34):
        client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "全县概览" in page and "换届提醒" in page
    assert all(t.name in page for t in many_townships)


def test_township_staff_land_on_their_township(client, staff_user, township):
    client.force_login(staff_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("township-detail", args=[township.pk])
