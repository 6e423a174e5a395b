"""Stored alerts (issue 11): the landing pages read alerts computed by beat (or on a page's first
view, or once they are older than ALERTS_MAX_AGE_MINUTES), with the time they were computed, in a
fixed number of queries whatever the number of villages."""

import datetime

import pytest
from django.utils import timezone

from cadres import services
from cadres.choices import PostKind
from cadres.models import AlertRefresh, StoredAlert
from cadres.selectors import AlertCode, alerts_for
from tests import factories
from townships.models import Township
from villages.choices import OrganizationKind

pytestmark = pytest.mark.django_db


def _villages(township, n):
    for i in range(n):
        village = factories.VillageFactory(township=township, name=f"存{i}村")
        org = factories.PartyOrganizationFactory(
            township=township, village=village, kind=OrganizationKind.COMMITTEE, name=f"存{i}村党委"
        )
        factories.PartyMemberFactory(organization=org)


def test_stored_alerts_are_the_computed_ones_with_their_time(county, township, other_township):
    _villages(township, 3)
    _villages(other_township, 2)
    before = timezone.now()
    alerts, computed_at = services.current_alerts(townships=Township.objects.all())
    assert alerts == alerts_for(townships=Township.objects.all(), today=timezone.localdate())
    assert alerts and computed_at >= before
    assert StoredAlert.objects.count() == len(alerts)


@pytest.mark.parametrize("villages", [1, 12])
def test_reading_stored_alerts_takes_four_queries_whatever_the_size(
    county, township, villages, django_assert_num_queries
):
    _villages(township, villages)
    services.alerts_refresh(townships=Township.objects.all())
    # townships in scope, which are fresh, the alert rows (names joined), the oldest computation time
    with django_assert_num_queries(4):
        alerts, _at = services.current_alerts(townships=Township.objects.all())
    assert len({a.village_id for a in alerts}) == villages


def test_alerts_older_than_the_limit_are_computed_again(county, township, settings):
    _villages(township, 1)
    services.alerts_refresh(townships=Township.objects.all())
    village = township.villages.get()
    assert AlertCode.SECRETARY_VACANT in {a.code for a in StoredAlert.objects.all()}
    # A secretary takes office: the stored alert stays until the next computation.
    factories.TenureFactory(
        person=factories.PersonFactory(township=township),
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=village,
        started_on=datetime.date(2024, 1, 1),
    )
    alerts, _at = services.current_alerts(townships=Township.objects.all())
    assert AlertCode.SECRETARY_VACANT in {a.code for a in alerts}
    old = timezone.now() - datetime.timedelta(minutes=settings.ALERTS_MAX_AGE_MINUTES + 1)
    AlertRefresh.objects.update(computed_at=old)
    alerts, computed_at = services.current_alerts(townships=Township.objects.all())
    assert AlertCode.SECRETARY_VACANT not in {a.code for a in alerts}
    assert computed_at > old


def test_beat_refreshes_every_active_county(county, township):
    _villages(township, 2)
    other = factories.CountyFactory(name="别县")
    _villages(factories.TownshipFactory(county=other, name="别镇"), 1)
    stored = services.alerts_refresh_all()
    assert stored == StoredAlert.objects.count() > 0
    assert AlertRefresh.objects.count() == Township.objects.count()
