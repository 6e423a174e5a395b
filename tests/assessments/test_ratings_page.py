"""The annual ratings page: ties at the 优秀 quota are shown to the county and decided there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.choices import Grade
from assessments.models import AnnualRating
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def tied(township):
    """Ten rated secretaries; two tied on everything for the one 优秀 place (10 × 0.15 = 1.5 → 1)."""
    ratings = []
    for i in range(10):
        village = factories.village_with_secretary(township, f"评{i}村")
        person = village.tenures.get().person
        pending = i < 2
        ratings.append(
            AnnualRating.objects.create(
                person=person,
                village=village,
                township=township,
                year=YEAR,
                daily=Decimal(950 if pending else 800),
                total=Decimal(950 if pending else 800),
                grade=Grade.COMPETENT,
                reason="并列待定" if pending else "称职",
                tie_pending=pending,
            )
        )
    return ratings


def test_the_county_sees_the_tie_and_decides_it_with_an_opinion(client, admin_user, tied):
    client.force_login(admin_user)
    page = client.get(reverse("rating-list")).content.decode()
    assert "优秀名额边界并列" in page and tied[0].person.name in page
    client.post(reverse("rating-list"), {"ties": "1", "year": YEAR, "chosen": [tied[1].pk], "opinion": "实绩更突出"})
    grades = dict(AnnualRating.objects.filter(pk__in=[tied[0].pk, tied[1].pk]).values_list("pk", "grade"))
    assert grades == {tied[0].pk: Grade.COMPETENT, tied[1].pk: Grade.EXCELLENT}
    assert not AnnualRating.objects.filter(tie_pending=True).exists()
    assert AuditEvent.objects.filter(action="approve", detail__excellent_ties=YEAR).exists()


def test_a_decision_without_an_opinion_or_by_township_staff_changes_nothing(client, admin_user, staff_user, tied):
    client.force_login(admin_user)
    client.post(reverse("rating-list"), {"ties": "1", "year": YEAR, "chosen": [tied[1].pk], "opinion": " "})
    assert AnnualRating.objects.filter(tie_pending=True).count() == 2
    client.force_login(staff_user)
    response = client.post(reverse("rating-list"), {"ties": "1", "year": YEAR, "chosen": [tied[1].pk], "opinion": "x"})
    assert response.status_code == 403
    assert AnnualRating.objects.filter(tie_pending=True).count() == 2
    assert not AnnualRating.objects.filter(grade=Grade.EXCELLENT).exists()


def test_the_list_opens_on_the_latest_year_instead_of_mixing_years(client, admin_user, tied):
    """Ranks are per year: with 2025 and 2026 rated, the list without ?year= shows 2026 only."""
    village = factories.village_with_secretary(tied[0].township, "新年村")
    AnnualRating.objects.create(
        person=village.tenures.get().person,
        village=village,
        township=village.township,
        year=YEAR + 1,
        daily=Decimal(900),
        total=Decimal(900),
        grade=Grade.EXCELLENT,
        reason="优秀",
    )
    client.force_login(admin_user)
    response = client.get(reverse("rating-list"))
    listed = {row[3][0] for row in response.context["rows"]}  # the 书记 column
    assert listed == {village.tenures.get().person.name}
    assert response.context["filterset"].form["year"].value() == YEAR + 1
    assert len(client.get(reverse("rating-list"), {"year": YEAR}).context["rows"]) == 10
