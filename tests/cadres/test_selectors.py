import datetime

import pytest

from cadres.choices import MeetingKind, PostKind, Stage
from cadres.models import Meeting, MobileRecord, Tenure
from cadres.selectors import AlertCode, alerts_for, meeting_compliance, pipeline_due
from tests import factories
from townships.county_settings import settings_for
from townships.models import Township
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

pytestmark = pytest.mark.django_db
D = datetime.date


def _meet(org, kind, day):
    return Meeting.objects.create(
        organization=org,
        township=org.township,
        village=org.village,
        kind=kind,
        held_on=day,
        topic=f"{kind}{day}",
        entitled=5,
        present=5,
    )


def test_compliance_counts_each_unit_and_extra_meetings_do_not_cover_a_missed_month(branch, county):
    for month in (1, 2, 3):
        _meet(branch, MeetingKind.PARTY_DAY, D(2026, month, 10))
    _meet(branch, MeetingKind.BRANCH_COMMITTEE, D(2026, 1, 5))
    _meet(branch, MeetingKind.BRANCH_COMMITTEE, D(2026, 1, 25))  # two in January, none in Feb/Mar
    _meet(branch, MeetingKind.BRANCH_GENERAL, D(2026, 2, 1))
    result = meeting_compliance(
        organizations=PartyOrganization.objects.all(),
        start=D(2026, 1, 1),
        end=D(2026, 3, 31),
        conf=settings_for(county.pk),
    )
    (org,) = result
    by_kind = {k.kind: k for k in org.kinds}
    assert (by_kind["party_day"].expected, by_kind["party_day"].held) == (3, 3)
    assert (by_kind["branch_committee"].expected, by_kind["branch_committee"].held) == (3, 1)
    assert by_kind["branch_committee"].missing == ["2026年2月", "2026年3月"]
    assert (by_kind["branch_general"].expected, by_kind["branch_general"].held) == (1, 1)
    assert (by_kind["lecture"].expected, by_kind["lecture"].held) == (1, 0)
    assert "life_meeting" not in by_kind  # the year is not over by March
    assert "group" not in by_kind  # branches don't owe group meetings


def test_compliance_query_count_does_not_grow_with_organizations(county, township, django_assert_num_queries):
    for i in range(5):
        village = factories.VillageFactory(township=township)
        org = factories.PartyOrganizationFactory(
            township=township, village=village, kind=OrganizationKind.COMMITTEE, name=f"村党委{i}"
        )
        _meet(org, MeetingKind.PARTY_DAY, D(2026, 1, 3))
    conf = settings_for(county.pk)
    with django_assert_num_queries(2):
        result = meeting_compliance(
            organizations=PartyOrganization.objects.all(), start=D(2026, 1, 1), end=D(2026, 12, 31), conf=conf
        )
    assert len(result) == 5


def test_due_lists(branch, county):
    today = D(2026, 11, 24)
    eligible = factories.PartyMemberFactory(
        organization=branch, stage=Stage.ACTIVIST, activist_on=D(2025, 11, 20), last_reviewed_on=D(2026, 8, 1)
    )
    not_yet = factories.PartyMemberFactory(
        organization=branch, stage=Stage.ACTIVIST, activist_on=D(2026, 1, 5), last_reviewed_on=D(2026, 1, 5)
    )
    late_talk = factories.PartyMemberFactory(
        organization=branch, stage=Stage.APPLICANT, applied_on=D(2026, 9, 1), talked_on=None
    )
    overdue = factories.PartyMemberFactory(organization=branch, stage=Stage.PROBATIONARY, probation_end=D(2026, 10, 1))
    due = pipeline_due(members=branch.members.all(), today=today, conf=settings_for(county.pk))
    assert due.candidate_eligible == [eligible]
    assert late_talk in due.talk_overdue
    assert not_yet in due.review_overdue
    assert due.probation_overdue == [overdue]


def test_alerts_find_vacancy_lost_contact_aging_and_family_applicants(county, township, village, branch):
    today = D(2026, 11, 24)
    old = D(1950, 1, 1)
    for _ in range(3):
        factories.PartyMemberFactory(organization=branch, person__birth_date=old, admitted_on=D(2015, 1, 1))
    lost = factories.PartyMemberFactory(organization=branch, person__birth_date=old, admitted_on=D(2015, 1, 1))
    MobileRecord.objects.create(
        member=lost, township=township, destination="广东省东莞市", since=D(2025, 1, 1), last_contact_on=D(2025, 3, 1)
    )
    secretary = factories.PersonFactory(township=township)
    Tenure.objects.create(
        person=secretary,
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=village,
        started_on=D(2021, 1, 1),
        ended_on=D(2026, 5, 1),
    )
    for _ in range(2):
        person = factories.PersonFactory(township=township, village=village, household_address="李家村三组12号")
        person.household_key = "李家村三组12号"
        person.save()
        factories.PartyMemberFactory(
            organization=branch, person=person, stage=Stage.APPLICANT, applied_on=D(2026, 4, 1), admitted_on=None
        )
    codes = {a.code for a in alerts_for(townships=Township.objects.all(), today=today)}
    assert {
        AlertCode.NO_NEW_MEMBER,
        AlertCode.NO_CANDIDATE,
        AlertCode.AGING,
        AlertCode.NO_YOUNG_MEMBER,
        AlertCode.LOST_CONTACT,
        AlertCode.SECRETARY_VACANT,
        AlertCode.MEETINGS_MISSING,
        AlertCode.FAMILY_APPLICANTS,
        AlertCode.PIPELINE_OVERDUE,
    } <= codes


def test_a_healthy_village_raises_no_alerts(county, township, village, branch):
    today = D(2026, 11, 24)
    for i in range(4):
        factories.PartyMemberFactory(
            organization=branch,
            person__birth_date=D(1985 + i, 1, 1),
            admitted_on=D(2025, 6, 1),
            candidate_on=D(2025, 3, 1),
        )
    Tenure.objects.create(
        person=factories.PersonFactory(township=township),
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=village,
        started_on=D(2021, 1, 1),
    )
    for kind in (MeetingKind.PARTY_DAY, MeetingKind.BRANCH_COMMITTEE):
        _meet(branch, kind, D(2026, 10, 15))
    assert alerts_for(townships=Township.objects.all(), today=today) == []


def test_alerts_run_a_fixed_number_of_queries(county, township, django_assert_max_num_queries):
    for i in range(6):
        village = factories.VillageFactory(township=township)
        org = factories.PartyOrganizationFactory(
            township=township, village=village, kind=OrganizationKind.COMMITTEE, name=f"党委{i}"
        )
        factories.PartyMemberFactory(organization=org)
    with django_assert_max_num_queries(11):
        alerts = alerts_for(townships=Township.objects.all(), today=D(2026, 11, 24))
    assert len({a.village_id for a in alerts}) == 6
