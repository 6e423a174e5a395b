import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests import factories
from townships.models import Township
from townships.scoping import can_edit_in_township, can_manage_registry, get_scoped_or_404, scope_for
from villages.models import PartyOrganization, Village

pytestmark = pytest.mark.django_db


def test_township_staff_sees_only_their_township(staff_user, village, other_village, township):
    assert list(scope_for(staff_user, Village.objects.all())) == [village]
    assert list(scope_for(staff_user, Township.objects.all())) == [township]


def test_county_staff_see_their_county_only(admin_user, village, other_village, other_county):
    foreign = factories.VillageFactory(township=factories.TownshipFactory(county=other_county))
    visible = set(scope_for(admin_user, Village.objects.all()))
    assert visible == {village, other_village}
    assert foreign not in visible


def test_api_client_is_county_scoped(county, village, other_county):
    foreign = factories.VillageFactory(township=factories.TownshipFactory(county=other_county))
    client = factories.api_client_user(county)
    assert set(scope_for(client, Village.objects.all())) == {village}
    assert foreign not in scope_for(client, Village.objects.all())


def test_anonymous_and_inactive_users_see_nothing(village, staff_user):
    assert not scope_for(AnonymousUser(), Village.objects.all()).exists()
    staff_user.is_active = False
    assert not scope_for(staff_user, Village.objects.all()).exists()


def test_user_without_county_sees_nothing(village):
    orphan = factories.UserFactory(county=None)
    assert not scope_for(orphan, Village.objects.all()).exists()


def test_out_of_scope_object_is_the_same_404_as_a_missing_one(staff_user, other_village):
    with pytest.raises(Http404):
        get_scoped_or_404(staff_user, Village.objects.all(), pk=other_village.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(staff_user, Village.objects.all(), pk=10**9)
    with pytest.raises(Http404):
        get_scoped_or_404(staff_user, Village.objects.all(), pk="not-a-number")


def test_organizations_are_scoped_by_their_township(staff_user, township, other_township):
    own = factories.PartyOrganizationFactory(township=township)
    factories.PartyOrganizationFactory(township=other_township)
    assert list(scope_for(staff_user, PartyOrganization.objects.all())) == [own]


def test_write_permissions_by_role(admin_user, viewer_user, staff_user, township, other_township):
    assert can_manage_registry(admin_user)
    assert not can_manage_registry(viewer_user)
    assert not can_manage_registry(staff_user)
    assert can_edit_in_township(admin_user, other_township.pk)
    assert can_edit_in_township(staff_user, township.pk)
    assert not can_edit_in_township(staff_user, other_township.pk)
    assert not can_edit_in_township(viewer_user, township.pk)
    assert not can_edit_in_township(AnonymousUser(), township.pk)
