import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent, Township
from villages.choices import OrganizationKind
from villages.models import PartyOrganization, Village
from villages.services import (
    organization_create,
    organization_set_active,
    organization_update,
    village_create,
    village_set_active,
    village_update,
)

pytestmark = pytest.mark.django_db


def _committee(township, name="中共城关镇委员会"):
    return PartyOrganization.objects.create(township=township, name=name, kind=OrganizationKind.COMMITTEE)


def _branch(admin_user, committee, name, **where):
    """A branch under ``committee``, in the committee's township."""
    return organization_create(
        actor=admin_user,
        name=name,
        kind=OrganizationKind.BRANCH,
        parent=committee,
        township=committee.township,
        **where,
    )


def test_village_create_audits_and_refreshes_township_totals(admin_user, township, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        village = village_create(actor=admin_user, township=township, name="石桥村", households=300, population=1000)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(village.pk)).count() == 1
    township.refresh_from_db()
    assert (township.village_count, township.population, township.households) == (1, 1000, 300)


def test_duplicate_village_name_in_a_township_is_refused_in_chinese(admin_user, village):
    with pytest.raises(ValidationError) as exc:
        village_create(actor=admin_user, township=village.township, name=village.name)
    assert "本乡镇已有同名村（社区）" in str(exc.value)
    assert Village.objects.filter(name=village.name).count() == 1


def test_same_village_name_in_another_township_is_fine(admin_user, village, other_township):
    village_create(actor=admin_user, township=other_township, name=village.name)
    assert Village.objects.filter(name=village.name).count() == 2


def test_village_attached_to_another_countys_township_is_refused(admin_user, other_county):
    foreign_township = factories.TownshipFactory(county=other_county)
    with pytest.raises(ValidationError) as exc:
        village_create(actor=admin_user, township=foreign_township, name="外县村")
    assert "不属于本县" in str(exc.value)
    assert not Village.objects.filter(name="外县村").exists()


def test_village_update_records_the_changed_fields(admin_user, village):
    village_update(actor=admin_user, village=village, population=2222)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(village.pk))
    assert event.detail == {"population": ["1500", "2222"]}


def test_village_update_without_change_writes_no_audit(admin_user, village):
    village_update(actor=admin_user, village=village, population=village.population)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_negative_counts_are_refused(admin_user, township):
    with pytest.raises(ValidationError):
        village_create(actor=admin_user, township=township, name="负数村", population=-5)
    assert not Village.objects.filter(name="负数村").exists()


def test_deactivated_village_leaves_township_totals(admin_user, village, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        village_set_active(actor=admin_user, village=village, active=False)
    village.refresh_from_db()
    assert village.is_active is False
    township = Township.objects.get(pk=village.township_id)
    assert township.village_count == 0
    assert AuditEvent.objects.filter(action=AuditAction.DEACTIVATE).count() == 1


def test_branch_under_township_committee(admin_user, township, village):
    committee = _committee(township)
    branch = _branch(admin_user, committee, "中共李家村支部委员会", village=village)
    assert branch.parent == committee


def test_a_group_cannot_sit_directly_under_a_committee(admin_user, township):
    committee = _committee(township)
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=admin_user, name="第一党小组", kind=OrganizationKind.GROUP, parent=committee, township=township
        )
    assert "党小组不能设在党委之下" in str(exc.value)
    assert not PartyOrganization.objects.filter(name="第一党小组").exists()


def test_a_branch_needs_a_parent(admin_user, township):
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=admin_user, name="孤立支部", kind=OrganizationKind.BRANCH, township=township)
    assert "必须有上级组织" in str(exc.value)


def test_a_cycle_in_the_tree_is_refused(admin_user, township):
    top = _committee(township)
    village_committee = organization_create(
        actor=admin_user, name="中共某村委员会", kind=OrganizationKind.COMMITTEE, parent=top, township=township
    )
    with pytest.raises(ValidationError) as exc:
        organization_update(actor=admin_user, organization=top, parent=village_committee)
    assert "不能成环" in str(exc.value)
    top.refresh_from_db()
    assert top.parent_id is None


def test_the_parent_must_be_in_the_same_township(admin_user, township, other_township):
    foreign_committee = _committee(other_township, name="中共青石乡委员会")
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=admin_user, name="某支部", kind=OrganizationKind.BRANCH, parent=foreign_committee, township=township
        )
    assert "同一乡镇" in str(exc.value)


def test_joint_branch_covers_villages_of_its_township(admin_user, township, village):
    committee = _committee(township)
    neighbour = factories.VillageFactory(township=township, name="张湾村")
    branch = _branch(admin_user, committee, "李家村张湾村联合党支部", village=village, joint_villages=[neighbour])
    assert list(branch.joint_villages.all()) == [neighbour]


def test_joint_branch_refuses_a_village_of_another_township(admin_user, township, village, other_village):
    committee = _committee(township)
    with pytest.raises(ValidationError):
        _branch(admin_user, committee, "跨乡联合党支部", village=village, joint_villages=[other_village])
    assert not PartyOrganization.objects.filter(name="跨乡联合党支部").exists()


def test_duplicate_name_under_one_parent_is_refused(admin_user, township):
    committee = _committee(township)
    _branch(admin_user, committee, "机关支部")
    with pytest.raises(ValidationError):
        _branch(admin_user, committee, "机关支部")


def test_deactivating_an_organization_with_active_children_is_refused(admin_user, township):
    committee = _committee(township)
    _branch(admin_user, committee, "机关支部")
    with pytest.raises(ValidationError):
        organization_set_active(actor=admin_user, organization=committee, active=False)
    committee.refresh_from_db()
    assert committee.is_active


def test_database_refuses_a_parentless_branch_even_without_the_service(township):
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyOrganization.objects.create(township=township, name="绕过服务", kind=OrganizationKind.BRANCH)


def test_database_refuses_term_end_before_start(township):
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        PartyOrganization.objects.create(
            township=township,
            name="任期错误",
            kind=OrganizationKind.COMMITTEE,
            term_start=datetime.date(2026, 1, 1),
            term_end=datetime.date(2021, 1, 1),
        )
