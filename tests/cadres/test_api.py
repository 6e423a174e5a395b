import datetime

import pytest
from knox.models import AuthToken

from cadres.choices import PostKind
from cadres.models import Appraisal, AppraisalRating
from tests import factories
from villages.choices import OrganizationKind
from villages.models import Matter, MatterStepRecord

pytestmark = pytest.mark.django_db
D = datetime.date
ENDPOINTS = ["people", "members", "tenures", "meetings", "appraisals", "matters"]


def _branch(village, name):
    return factories.branch_with_committee(village, name, f"{name}党委")


def _records(branch, n):
    members = [factories.PartyMemberFactory(organization=branch) for _ in range(n)]
    for member in members:
        factories.TenureFactory(person=member.person, post=PostKind.VILLAGE_MEMBER, village=branch.village)
        factories.MeetingFactory(organization=branch, topic=f"t{member.pk}")
        matter = Matter.objects.create(village=branch.village, township=branch.township, title=f"m{member.pk}")
        MatterStepRecord.objects.create(matter=matter, step=1, done_on=D(2026, 1, 2))
        appraisal = Appraisal.objects.create(
            organization=factories.PartyOrganizationFactory(
                township=branch.township, parent=branch, kind=OrganizationKind.GROUP, name=f"g{member.pk}"
            ),
            township=branch.township,
            year=2025,
            held_on=D(2025, 12, 1),
        )
        AppraisalRating.objects.create(appraisal=appraisal, member=member, rating="qualified")
    return members


@pytest.fixture
def data(township, village, other_township, other_village):
    mine = _records(_branch(village, "李家村支部"), 3)
    theirs = _records(_branch(other_village, "王庄村支部"), 2)
    return mine, theirs


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_records_endpoints_are_scoped_and_pinned(
    api, staff_user, data, township, village, endpoint, django_assert_num_queries
):
    api.force_authenticate(staff_user)
    with django_assert_num_queries(3 if endpoint in ("appraisals", "matters") else 2):  # count, page (+ prefetch)
        response = api.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    _records(_branch(village, "再来一个支部"), 4)
    with django_assert_num_queries(3 if endpoint in ("appraisals", "matters") else 2):
        assert api.get(f"/api/v1/{endpoint}/").json()["count"] == 7


def test_another_townships_records_are_404(api, staff_user, data):
    _mine, theirs = data
    api.force_authenticate(staff_user)
    assert api.get(f"/api/v1/members/{theirs[0].pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{theirs[0].person_id}/").status_code == 404


def test_personal_data_is_masked_for_every_api_client(api, county, data):
    mine, _theirs = data
    client_user = factories.api_client_user(county)
    _instance, token = AuthToken.objects.create(user=client_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = (
        api.get("/api/v1/people/", {"page_size": 500}).content.decode()
        + api.get("/api/v1/members/", {"page_size": 500}).content.decode()
    )
    for member in mine:
        assert member.person.id_number not in body
        assert member.person.id_number_masked in body
        assert member.person.phone not in body


def test_member_filters_match_the_page(api, admin_user, data):
    api.force_authenticate(admin_user)
    assert api.get("/api/v1/members/", {"stage": "full"}).json()["count"] == 5
    assert api.get("/api/v1/members/", {"stage": "astronaut"}).status_code == 400
    assert api.get("/api/v1/meetings/", {"held_after": "2026-02-01"}).json()["count"] == 0
    assert api.get("/api/v1/meetings/", {"held_after": "not-a-date"}).status_code == 400
