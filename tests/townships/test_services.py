import pytest
from django.core.exceptions import ValidationError

from tests import factories
from townships.choices import AuditAction, Role
from townships.models import AuditEvent, Township, User
from townships.services import township_create, township_refresh_totals, township_set_active, township_update

pytestmark = pytest.mark.django_db


def test_township_create_audits(admin_user, county):
    township = township_create(actor=admin_user, county=county, name="柳河镇", kind="town")
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (event.target_id, event.actor_name) == (str(township.pk), admin_user.username)


def test_duplicate_township_name_in_county_is_refused(admin_user, township):
    with pytest.raises(ValidationError) as exc:
        township_create(actor=admin_user, county=township.county, name=township.name, kind="town")
    assert "本县已有同名乡镇" in str(exc.value)
    assert Township.objects.filter(name=township.name).count() == 1


def test_township_update_changes_and_audits(admin_user, township):
    township_update(actor=admin_user, township=township, name="城关街道", kind="subdistrict")
    township.refresh_from_db()
    assert township.name == "城关街道"
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).detail["name"] == ["城关镇", "城关街道"]


def test_a_township_with_active_villages_cannot_be_deactivated(admin_user, village):
    with pytest.raises(ValidationError):
        township_set_active(actor=admin_user, township=village.township, active=False)
    assert Township.objects.get(pk=village.township_id).is_active


def test_an_empty_township_can_be_deactivated_and_restored(admin_user, township):
    township_set_active(actor=admin_user, township=township, active=False)
    assert not Township.objects.get(pk=township.pk).is_active
    township_set_active(actor=admin_user, township=township, active=True)
    assert Township.objects.get(pk=township.pk).is_active
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == ["deactivate", "reactivate"]


def test_refresh_totals_counts_only_active_villages(township, django_assert_num_queries):
    factories.VillageFactory(township=township, population=100, households=30)
    factories.VillageFactory(township=township, population=200, households=60)
    factories.VillageFactory(township=township, population=999, households=999, is_active=False)
    empty = factories.TownshipFactory(county=township.county)
    with django_assert_num_queries(2):  # one aggregate, one bulk update, whatever the number of townships
        assert township_refresh_totals(township_ids=[township.pk, empty.pk]) == 2
    township.refresh_from_db()
    empty.refresh_from_db()
    assert (township.village_count, township.population, township.households) == (2, 300, 90)
    assert (empty.village_count, empty.population) == (0, 0)
    assert empty.totals_refreshed_at is not None


def test_township_staff_must_be_bound_to_a_township(county):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="loose", role=Role.TOWNSHIP_STAFF, county=county, township=None)
