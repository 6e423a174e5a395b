"""Satisfaction surveys (满意度测评): recording, bad input (nothing written), pages, the API, the
ranking with a tie and the year-on-year change. The arithmetic itself is in tests/golden."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.choices import SurveyMethod, SurveyPurpose, TallyTarget
from assessments.models import BallotGroup, BallotTally
from assessments.services.surveys import survey_save
from cadres.choices import PostKind
from tests import factories
from townships.models import AuditEvent, CountySetting

pytestmark = pytest.mark.django_db

HELD = datetime.date(2025, 12, 15)


@pytest.fixture
def organization(township, village):
    return factories.PartyOrganizationFactory(township=township, village=village, name="李家村党支部")


@pytest.fixture
def other_organization(other_township, other_village):
    return factories.PartyOrganizationFactory(township=other_township, village=other_village, name="王庄村党支部")


def _group(code="villagers", issued=40, returned=40, invalid=0, very=20, fairly=10, basic=6, not_=4):
    return {
        "code": code,
        "issued": issued,
        "returned": returned,
        "invalid": invalid,
        "counts": {"very": very, "fairly": fairly, "basic": basic, "not": not_},
    }


def _save(actor, organization, groups, **kwargs):
    return survey_save(
        actor=actor,
        target_kind=kwargs.pop("target_kind", TallyTarget.ORGANIZATION),
        organization=organization,
        year=kwargs.pop("year", 2025),
        held_on=kwargs.pop("held_on", HELD),
        purpose=SurveyPurpose.SANPING,
        method=SurveyMethod.MEETING,
        groups=groups,
        **kwargs,
    )


def test_a_survey_is_recorded_with_its_result_and_audited(staff_user, organization):
    tally = _save(staff_user, organization, [_group(), _group("members", 20, 19, 1, 10, 5, 2, 1)])
    # valid 40 + 18 = 58; rate (20 + 10 + 10 + 5) ÷ 58 = 45 ÷ 58 = 77.586… → 77.59
    # score (30 × 100 + 15 × 80 + 8 × 60 + 5 × 0) ÷ 58 = (3000 + 1200 + 480) ÷ 58 = 80.689… → 80.69
    assert (tally.valid, tally.rate, tally.score, tally.band) == (58, Decimal("77.59"), Decimal("80.69"), "fairly")
    assert [g.code for g in tally.groups.all()] == ["members", "villagers"] or tally.groups.count() == 2
    assert tally.village_id == organization.village_id and tally.township_id == organization.township_id
    assert AuditEvent.objects.filter(action="create", target_id=str(tally.pk)).count() == 1


@pytest.mark.parametrize(
    ("groups", "field", "message"),
    [
        ([_group(very=21)], "groups", "各选项票数合计 41，应等于有效票 40"),
        ([_group(issued=30)], "groups", "收回票数 40 多于发出票数 30"),
        ([_group(returned=5, invalid=6, very=0, fairly=0, basic=0, not_=0)], "groups", "无效票数 6 多于收回票数 5"),
        ([_group(code="aliens")], "groups", "没有“aliens”这一测评主体"),
        ([_group(), _group()], "groups", "重复填写"),
        ([], "groups", "至少填写一个测评主体"),
    ],
)
def test_counts_that_do_not_add_up_are_refused_and_nothing_is_written(staff_user, organization, groups, field, message):
    with pytest.raises(ValidationError) as caught:
        _save(staff_user, organization, groups)
    assert message in " ".join(caught.value.message_dict[field])
    assert BallotTally.objects.count() == 0 and BallotGroup.objects.count() == 0


def test_a_wrong_date_or_person_is_refused(staff_user, organization, village):
    with pytest.raises(ValidationError, match="应在 2025 年内"):
        _save(staff_user, organization, [_group()], held_on=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _save(staff_user, organization, [_group()], year=2099, held_on=datetime.date(2099, 1, 1))
    person = factories.PersonFactory(township=village.township, village=village)
    with pytest.raises(ValidationError, match="未任该村党组织书记"):
        _save(staff_user, organization, [_group()], target_kind=TallyTarget.SECRETARY, person=person)
    factories.TenureFactory(
        person=person,
        township=village.township,
        village=village,
        post=PostKind.VILLAGE_SECRETARY,
        started_on=datetime.date(2021, 1, 1),
    )
    tally = _save(staff_user, organization, [_group()], target_kind=TallyTarget.SECRETARY, person=person)
    assert tally.target_name.endswith(person.name)
    # The year-end 三评 may be held in the first months of the next year.
    assert _save(staff_user, organization, [_group()], held_on=datetime.date(2026, 1, 20)).year == 2025


def test_a_survey_for_another_township_is_refused(staff_user, other_organization):
    with pytest.raises(ValidationError, match="不能为其他乡镇录入测评"):
        _save(staff_user, other_organization, [_group()])
    assert BallotTally.objects.count() == 0


def test_below_the_minimum_sample_there_is_no_rate_and_the_reason_is_shown(client, staff_user, organization):
    tally = _save(staff_user, organization, [_group(issued=20, returned=20, very=10, fairly=5, basic=3, not_=2)])
    assert tally.rate is None and tally.score is None and tally.band == ""
    client.force_login(staff_user)
    page = client.get(reverse("survey-detail", args=[tally.pk])).content.decode()
    assert "有效票 20 张，少于最低样本 30 张" in page


def test_the_form_records_a_survey_from_the_count_grid(client, staff_user, organization):
    client.force_login(staff_user)
    assert client.get(reverse("survey-create")).status_code == 200
    data = {
        "target_kind": "organization",
        "organization": organization.pk,
        "year": 2025,
        "held_on": "2025-12-15",
        "purpose": "sanping",
        "method": "meeting",
        "n-villagers__issued": 50,
        "n-villagers__returned": 48,
        "n-villagers__invalid": 3,
        "n-villagers__very": 25,
        "n-villagers__fairly": 10,
        "n-villagers__basic": 6,
        "n-villagers__not": 4,
    }
    response = client.post(reverse("survey-create"), data)
    tally = BallotTally.objects.get()
    assert response.status_code == 302 and response.url == reverse("survey-detail", args=[tally.pk])
    # valid 45; rate 35 ÷ 45 = 77.78 %; score (2500 + 800 + 360) ÷ 45 = 81.33
    assert (tally.valid, tally.rate, tally.score) == (45, Decimal("77.78"), Decimal("81.33"))
    page = client.get(reverse("survey-detail", args=[tally.pk])).content.decode()
    assert "77.78%" in page and "满意率 =（满意+比较满意）35 ÷ 有效票 45" in page
    data["n-villagers__not"] = 5
    response = client.post(reverse("survey-create"), data)
    assert response.status_code == 200 and "各选项票数合计 46，应等于有效票 45" in response.content.decode()
    assert BallotTally.objects.count() == 1


def test_viewers_cannot_record_and_other_townships_get_404(
    client, viewer_user, other_staff_user, staff_user, organization
):
    tally = _save(staff_user, organization, [_group()])
    client.force_login(viewer_user)
    assert client.get(reverse("survey-create")).status_code == 403
    assert client.get(reverse("survey-detail", args=[tally.pk])).status_code == 200
    client.force_login(other_staff_user)
    assert client.get(reverse("survey-detail", args=[tally.pk])).status_code == 404
    assert client.get(reverse("survey-edit", args=[tally.pk])).status_code == 404
    assert str(tally.village.name) not in client.get(reverse("survey-list")).content.decode()


def _surveys(n, actor, township, start=0):
    for i in range(start, start + n):
        village = factories.VillageFactory(township=township, name=f"测评{i}村")
        org = factories.PartyOrganizationFactory(township=township, village=village, name=f"测评{i}村党支部")
        _save(actor, org, [_group(), _group("members", 10, 10, 0, 5, 5, 0, 0)])


def _queries(client, url):
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_page_the_ranking_and_the_api_make_a_fixed_number_of_queries(
    client, admin_user, township, django_assert_num_queries
):
    from rest_framework.test import APIClient

    _surveys(2, admin_user, township)
    client.force_login(admin_user)
    api = APIClient()
    api.force_authenticate(admin_user)
    urls = [reverse("survey-list"), reverse("survey-ranking") + "?year=2025"]
    small = [_queries(client, url) for url in urls]

    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert api.get(reverse("api:survey-list")).status_code == 200
    small_api = len(captured)
    _surveys(6, admin_user, township, start=2)
    assert [_queries(client, url) for url in urls] == small
    with django_assert_num_queries(small_api):
        assert api.get(reverse("api:survey-list")).json()["count"] == 8
    # Pinned: session, user, count, page, the filter's township and village choices, and the session's
    # save (3: savepoint, update, release) on the list page; session, user, villages, surveys, the
    # county's settings and the session's save on the ranking; count, page and groups on the API.
    assert small == [9, 8] and small_api == 3


def test_the_ranking_shares_a_tie_and_shows_the_change_from_last_year(client, admin_user, township):
    rows = {}
    for name, this_year, last_year in (("甲村", 36, 30), ("乙村", 36, None), ("丙村", 18, 24), ("丁村", None, None)):
        village = factories.VillageFactory(township=township, name=name)
        org = factories.PartyOrganizationFactory(township=township, village=village, name=f"{name}党支部")
        rows[name] = org
        if this_year is not None:  # of 40 valid ballots, this_year 满意
            _save(admin_user, org, [_group(very=this_year, fairly=0, basic=0, not_=40 - this_year)])
        if last_year is not None:
            _save(
                admin_user,
                org,
                [_group(very=last_year, fairly=0, basic=0, not_=40 - last_year)],
                year=2024,
                held_on=datetime.date(2024, 12, 15),
            )
    client.force_login(admin_user)
    response = client.get(reverse("survey-ranking"), {"year": 2025})
    ranked = {r.village: r for r in response.context["rows"]}
    # 甲 36/40 = 90 %, 乙 36/40 = 90 % → both 1st; 丙 18/40 = 45 % → 3rd; 丁 no survey → unranked
    assert (ranked["甲村"].rank, ranked["乙村"].rank, ranked["丙村"].rank, ranked["丁村"].rank) == (1, 1, 3, None)
    # change from last year: 甲 90 − 75 (30/40) = +15; 丙 45 − 60 (24/40) = −15; 乙 had none
    assert ranked["甲村"].change == Decimal("15.00") and ranked["丙村"].change == Decimal("-15.00")
    assert ranked["乙村"].change is None
    # below the county's line (60 % by default): 丙 only; the line is a setting
    assert [r.village for r in response.context["below"]] == ["丙村"]
    CountySetting.objects.create(county=township.county, key="weak.satisfaction_below", value=95)
    below = client.get(reverse("survey-ranking"), {"year": 2025}).context["below"]
    assert {r.village for r in below} == {"甲村", "乙村", "丙村"}
    export = client.get(reverse("survey-ranking-export"), {"year": 2025})
    assert export.status_code == 200 and AuditEvent.objects.filter(action="export").exists()


def test_closing_a_rectification_can_require_an_acceptance_survey_above_the_line(
    admin_user, staff_user, township, village, organization
):
    from django.utils import timezone

    from assessments.choices import SurveyPurpose
    from villages.services import weak_accept, weak_add_step, weak_designate

    today = timezone.localdate()
    designation = weak_designate(actor=admin_user, village=village, year=today.year, reason="书记空缺")
    weak_add_step(actor=staff_user, designation=designation, done_on=today, description="选优配强")
    CountySetting.objects.create(county=township.county, key="weak.closing_survey_at_least", value=70)

    def acceptance(very):  # of 40 valid ballots
        survey_save(
            actor=staff_user,
            target_kind=TallyTarget.ORGANIZATION,
            organization=organization,
            year=today.year,
            held_on=today,
            purpose=SurveyPurpose.RECTIFICATION,
            method=SurveyMethod.DOOR,
            groups=[_group(very=very, fairly=0, basic=0, not_=40 - very)],
        )

    with pytest.raises(ValidationError, match="尚无测评记录"):
        weak_accept(actor=admin_user, designation=designation, note="验收合格")
    acceptance(26)  # 26 ÷ 40 = 65 % < 70 %
    with pytest.raises(ValidationError, match="满意率 65.00%，未达到 70%"):
        weak_accept(actor=admin_user, designation=designation, note="验收合格")
    acceptance(28)  # 28 ÷ 40 = 70 %: reaches the line
    assert weak_accept(actor=admin_user, designation=designation, note="验收合格").status == "accepted"


def test_a_village_logins_survey_waits_for_its_township_before_it_counts(
    client, staff_user, village, organization, django_capture_on_commit_callbacks
):
    from assessments.metrics import MetricPeriod, read_derived
    from assessments.services.surveys import SURVEY_ENTRY
    from townships.county_settings import settings_for
    from townships.models import Message
    from townships.review import entry_kind
    from townships.services import village_entry_decide

    login = factories.village_staff(village, username="village-li")
    client.force_login(login)
    assert client.get(reverse("survey-create")).status_code == 200
    data = {
        "target_kind": "organization",
        "organization": organization.pk,
        "year": 2025,
        "held_on": "2025-12-15",
        "purpose": "sanping",
        "method": "meeting",
        "n-villagers__issued": 40,
        "n-villagers__returned": 40,
        "n-villagers__invalid": 0,
        "n-villagers__very": 30,
        "n-villagers__fairly": 6,
        "n-villagers__basic": 4,
        "n-villagers__not": 0,
    }
    assert client.post(reverse("survey-create"), data).status_code == 302
    tally = BallotTally.objects.get()
    assert tally.status == "pending" and tally.entered_by == login
    assert Message.objects.filter(recipient=staff_user, title__contains="满意度测评").count() == 1
    period = MetricPeriod(township_ids=[village.township_id], year=2026, month=1, conf=settings_for(None))
    assert village.pk not in read_derived(period, ["satisfaction_rate"])["satisfaction_rate"]  # not yet counted
    assert client.get(reverse("survey-list")).status_code == 404  # the village's allowlist: no lists
    assert client.get(reverse("survey-edit", args=[tally.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        village_entry_decide(actor=staff_user, kind=entry_kind(SURVEY_ENTRY), entry=tally, approve=True)
    tally.refresh_from_db()
    assert tally.status == "approved" and tally.reviewed_by == staff_user
    # 36 ÷ 40 = 90 %
    assert read_derived(period, ["satisfaction_rate"])["satisfaction_rate"][village.pk] == 90.0
