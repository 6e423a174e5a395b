"""村党组织书记、副书记 are full members of that village's Party organization
(《中国共产党农村基层组织工作条例》); every way of appointing goes through tenure_start."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cadres import rules, services
from cadres.choices import PostKind, Stage
from cadres.models import Tenure
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db
D = datetime.date
RULE = "根据《中国共产党农村基层组织工作条例》，村党组织书记、副书记须由本村党组织的正式党员担任"


@pytest.fixture
def neighbour_branch(township, committee):
    neighbour = factories.VillageFactory(township=township, name="张庄村")
    return factories.village_branch(neighbour, "中共张庄村支部委员会", committee)


def _member(branch, stage, **dates):
    return factories.PartyMemberFactory(organization=branch, stage=stage, **dates)


def _appoint(actor, person, village, post=PostKind.VILLAGE_SECRETARY):
    return services.tenure_start(
        actor=actor, person=person, post=post, township=village.township, village=village, started_on=D(2024, 1, 1)
    )


@pytest.mark.parametrize("post", [PostKind.VILLAGE_SECRETARY, PostKind.VILLAGE_DEPUTY_SECRETARY])
def test_a_full_member_of_the_village_organization_is_appointed(admin_user, village, branch, post):
    person = _member(branch, Stage.FULL).person
    tenure = _appoint(admin_user, person, village, post)
    assert (tenure.person_id, tenure.post, tenure.village_id) == (person.pk, post, village.pk)
    assert AuditEvent.objects.filter(target_type="cadres.tenure", target_id=str(tenure.pk)).exists()


def _refused(actor, person, village, post=PostKind.VILLAGE_SECRETARY):
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        _appoint(actor, person, village, post)
    message = " ".join(caught.value.messages)
    assert RULE in message
    assert f"{person.name}不是本村党组织的正式党员" in message
    assert not Tenure.objects.exists()
    assert AuditEvent.objects.count() == audits
    return message


@pytest.mark.parametrize("post", [PostKind.VILLAGE_SECRETARY, PostKind.VILLAGE_DEPUTY_SECRETARY])
def test_a_person_who_is_not_a_party_member_is_refused(admin_user, township, village, branch, post):
    person = factories.PersonFactory(township=township, village=village)
    assert "不是党员" in _refused(admin_user, person, village, post)


def test_an_activist_is_refused(admin_user, village, branch):
    activist = _member(branch, Stage.ACTIVIST, candidate_on=None, admitted_on=None, confirmed_on=None)
    _refused(admin_user, activist.person, village)


def test_an_applicant_and_a_candidate_are_refused(admin_user, village, branch):
    applicant = _member(
        branch, Stage.APPLICANT, activist_on=None, candidate_on=None, admitted_on=None, confirmed_on=None
    )
    candidate = _member(branch, Stage.CANDIDATE, admitted_on=None, confirmed_on=None)
    _refused(admin_user, applicant.person, village)
    _refused(admin_user, candidate.person, village, PostKind.VILLAGE_DEPUTY_SECRETARY)


@pytest.mark.parametrize("post", [PostKind.VILLAGE_SECRETARY, PostKind.VILLAGE_DEPUTY_SECRETARY])
def test_a_probationary_member_is_refused(admin_user, village, branch, post):
    probationary = _member(branch, Stage.PROBATIONARY, confirmed_on=None, probation_end=D(2026, 12, 1))
    assert "预备党员" in _refused(admin_user, probationary.person, village, post)


def test_a_full_member_of_another_villages_organization_is_refused(admin_user, village, branch, neighbour_branch):
    outsider = _member(neighbour_branch, Stage.FULL)
    assert "组织关系不在本村党组织" in _refused(admin_user, outsider.person, village)


def test_a_former_member_of_the_village_is_refused(admin_user, village, branch):
    former = _member(branch, Stage.FULL, is_active=False, left_on=D(2023, 6, 1), leave_reason="transfer_out")
    _refused(admin_user, former.person, village)


def test_a_member_of_a_joint_branch_covering_the_village_is_appointed(admin_user, township, village, neighbour_branch):
    neighbour_branch.joint_villages.add(village)
    member = _member(neighbour_branch, Stage.FULL)
    assert _appoint(admin_user, member.person, village).village_id == village.pk


def test_posts_open_to_non_members_are_not_checked(admin_user, township, village, branch):
    person = factories.PersonFactory(township=township, village=village)
    for post in (PostKind.COMMITTEE_DIRECTOR, PostKind.VILLAGE_MEMBER, PostKind.SUPERVISION_DIRECTOR):
        _appoint(admin_user, person, village, post)
    assert Tenure.objects.filter(person=person).count() == 3


def test_the_tenure_form_shows_the_refusal(client, admin_user, township, village, branch):
    person = factories.PersonFactory(township=township, village=village)
    client.force_login(admin_user)
    response = client.post(
        reverse("tenure-start", args=[person.pk]),
        {
            "post": PostKind.VILLAGE_SECRETARY,
            "township": township.pk,
            "village": village.pk,
            "started_on": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert RULE in response.content.decode()
    assert not Tenure.objects.exists()


@pytest.mark.parametrize(
    ("stage", "in_village"),
    [(None, False), (Stage.APPLICANT, True), (Stage.ACTIVIST, True), (Stage.CANDIDATE, True)]
    + [(Stage.PROBATIONARY, True), (Stage.FULL, False)],
)
def test_the_rule_refuses_all_but_a_full_member_of_the_village(stage, in_village):
    with pytest.raises(rules.RuleBreach, match="须由本村党组织的正式党员担任"):
        rules.check_village_party_post(
            post=PostKind.VILLAGE_SECRETARY, name="张三", stage=stage, in_village_organization=in_village
        )
    rules.check_village_party_post(
        post=PostKind.VILLAGE_SECRETARY, name="张三", stage=Stage.FULL, in_village_organization=True
    )
    rules.check_village_party_post(
        post=PostKind.COMMITTEE_DIRECTOR, name="张三", stage=stage, in_village_organization=in_village
    )
