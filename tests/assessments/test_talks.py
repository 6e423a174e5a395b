"""约谈 and the 整改台账: proposals from the results, the decision, the record and the follow-up, the
to-do lists and messages, the pages, the API, and every refusal (bad input, other townships, roles)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import AssessmentMessageKind, RectificationStatus, TalkCause, TalkLevel, TalkState
from assessments.models import Bulletin, RectificationItem, Talk
from assessments.selectors import county_todo, township_todo
from cadres.models import Tenure
from tests import factories
from townships.models import AuditEvent, CountySetting, Message
from villages.models import WeakDesignation

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _proposal(village, *, cause=TalkCause.LAST_IN_BULLETIN, period="2026Q1", person=None):
    person = person or Tenure.objects.filter(village=village).first().person
    return Talk.objects.create(
        person=person,
        township=village.township,
        village=village,
        level=TalkLevel.TOWNSHIP,
        cause=cause,
        year=int(period[:4]),
        period=period,
        reason="测试",
    )


@pytest.fixture
def secretaries(township):
    return [factories.village_with_secretary(township, name) for name in ("甲村", "乙村", "丙村")]


@pytest.fixture
def other_secretary(other_township):
    return factories.village_with_secretary(other_township, "丁村")


def _bulletin(county, year, quarter, ranks, *, published=True):
    rows = [
        {
            "village_id": v.pk,
            "village": v.name,
            "township_id": v.township_id,
            "township": v.township.name,
            "rank_in_township": rank,
            "rank_in_county": rank,
        }
        for v, rank in ranks
    ]
    return Bulletin.objects.create(
        county=county,
        year=year,
        quarter=quarter,
        data={"targets": [{"target": "village", "rows": rows}], "months": []},
        published_at=timezone.now() if published else None,
    )


# --- Proposals --------------------------------------------------------------------


def test_publishing_the_second_bulletin_with_a_village_last_proposes_one_talk_and_tells_once(
    county, admin_user, staff_user, other_staff_user, secretaries
):
    a, b, c = secretaries
    _bulletin(county, 2026, 1, [(a, 3), (b, 1), (c, 2)])
    draft = _bulletin(county, 2026, 2, [(a, 3), (b, 2), (c, 1)], published=False)
    assert not Talk.objects.exists()
    services.bulletin_publish(actor=admin_user, bulletin=draft)
    talk = Talk.objects.get()
    assert (talk.village, talk.cause, talk.period, talk.state) == (a, TalkCause.LAST_IN_BULLETIN, "2026Q2", "proposed")
    assert "连续 2 个季度乡镇内末位" in talk.reason
    services.talks_apply(county_id=county.pk, year=2026, quarter=2)  # the same results again
    assert Talk.objects.count() == 1
    told = Message.objects.filter(kind=AssessmentMessageKind.TALK_PENDING)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [admin_user.username, staff_user.username]
    )  # the county and the township that talks; not the other township


def test_a_new_secretary_inherits_no_last_place(county, secretaries, township):
    a, b, c = secretaries
    old = Tenure.objects.get(village=a)
    old.ended_on = datetime.date(2026, 4, 1)
    old.save()
    factories.TenureFactory(village=a, person=factories.PersonFactory(township=township), started_on=old.ended_on)
    _bulletin(county, 2026, 1, [(a, 3), (b, 1), (c, 2)])
    _bulletin(county, 2026, 2, [(a, 3), (b, 1), (c, 2)])
    assert services.talks_apply(county_id=county.pk, year=2026, quarter=2) == 0


def test_last_in_the_county_is_a_setting(county, secretaries, other_secretary):
    a, b, c = secretaries
    CountySetting.objects.create(county=county, key="talk.last_scope", value="county")
    for quarter in (1, 2):
        rows = [(a, 3), (b, 1), (c, 2), (other_secretary, 1)]
        _bulletin(county, 2026, quarter, rows)
    # In the county by rank_in_county: 甲 (3) is last in both quarters.
    services.talks_apply(county_id=county.pk, year=2026, quarter=2)
    assert list(Talk.objects.values_list("village", flat=True)) == [a.pk]


def test_petitions_above_the_threshold_in_a_quarter_propose_a_talk(county, secretaries):
    a, b, _c = secretaries
    for month, n in ((4, 2), (5, 2), (6, 2)):  # 6 > 5
        factories.MonthlyReportFactory(village=a, year=2026, month=month, values=factories.report_values(petitions=n))
    for month, n in ((4, 5), (5, 0), (6, 0)):  # 5, not above 5
        factories.MonthlyReportFactory(village=b, year=2026, month=month, values=factories.report_values(petitions=n))
    services.talks_apply(county_id=county.pk, year=2026, quarter=2)
    talk = Talk.objects.get()
    assert (talk.village, talk.cause, talk.period) == (a, TalkCause.PETITIONS, "2026Q2")
    assert "信访 6 件" in talk.reason


def test_a_weak_designation_proposes_a_talk_with_the_village_secretary(county, admin_user, secretaries):
    a = secretaries[0]
    WeakDesignation.objects.create(village=a, township=a.township, year=2025, reason="班子不团结")
    services.talks_apply(county_id=county.pk, year=2025)
    talk = Talk.objects.get()
    assert (talk.cause, talk.period, talk.person) == (TalkCause.WEAK, "2025", Tenure.objects.get(village=a).person)


# --- Decision, record, follow-up ----------------------------------------------------


def test_a_decision_without_an_opinion_is_refused_in_chinese_and_writes_nothing(admin_user, secretaries):
    talk = _proposal(secretaries[0])
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.talk_decide(actor=admin_user, talk=talk, decision="hold", opinion="  ")
    assert "请填写决定意见" in str(error.value)
    talk.refresh_from_db()
    assert (talk.state, talk.decision, talk.decided_by) == (TalkState.PROPOSED, "", None)
    assert AuditEvent.objects.count() == before


def test_a_proposal_is_decided_once_and_the_decision_is_audited(admin_user, staff_user, secretaries):
    talk = _proposal(secretaries[0])
    services.talk_decide(actor=staff_user, talk=talk, decision="hold", opinion="同意约谈")
    event = AuditEvent.objects.filter(target_type="assessments.talk", target_id=str(talk.pk)).get()
    assert event.detail["talk_decision"] == "hold" and event.detail["opinion"] == "同意约谈"
    with pytest.raises(ValidationError) as error:
        services.talk_decide(actor=admin_user, talk=talk, decision="dismiss", opinion="不予约谈")
    assert "不能执行此操作" in str(error.value)
    talk.refresh_from_db()
    assert (talk.state, talk.decision) == (TalkState.SCHEDULED, "hold")


def test_another_township_and_a_viewer_cannot_act(other_staff_user, viewer_user, secretaries):
    talk = _proposal(secretaries[0])
    for user in (other_staff_user, viewer_user):
        with pytest.raises(PermissionDenied):
            services.talk_decide(actor=user, talk=talk, decision="hold", opinion="同意")


def test_recording_sets_the_follow_up_which_reaches_the_township_todo_and_messages_once(
    county, admin_user, staff_user, township, secretaries
):
    talk = _proposal(secretaries[0])
    services.talk_decide(actor=admin_user, talk=talk, decision="hold", opinion="同意约谈")
    with pytest.raises(ValidationError) as error:
        services.talk_record(
            actor=admin_user,
            talk=talk,
            held_on=TODAY,
            talker="",
            content="",
            commitment="",
            follow_up_on=TODAY - datetime.timedelta(days=1),
            today=TODAY,
        )
    assert set(error.value.message_dict) == {"talker", "content", "follow_up_on"}
    follow_up = TODAY + datetime.timedelta(days=10)
    services.talk_record(
        actor=admin_user,
        talk=talk,
        held_on=TODAY,
        talker="镇党委书记",
        content="指出问题",
        commitment="一个月内整改",
        follow_up_on=follow_up,
        today=TODAY,
    )
    todo = township_todo(township=township, today=TODAY, alerts=[])["talks"]
    assert [t.pk for t in todo["follow_ups"]] == [talk.pk] and todo["count"] == 1
    services.talks_remind(today=TODAY)  # not due yet
    assert not Message.objects.filter(kind=AssessmentMessageKind.TALK_FOLLOW_UP).exists()
    services.talks_remind(today=follow_up)
    services.talks_remind(today=follow_up + datetime.timedelta(days=1))
    assert (
        Message.objects.get(kind=AssessmentMessageKind.TALK_FOLLOW_UP).recipient == staff_user
    )  # the township's office, once
    with pytest.raises(ValidationError):
        services.talk_follow_up(actor=staff_user, talk=talk, note="")
    services.talk_follow_up(actor=staff_user, talk=talk, note="已整改到位")
    talk.refresh_from_db()
    assert talk.state == TalkState.CLOSED and talk.closed_at is not None
    assert township_todo(township=township, today=TODAY, alerts=[])["talks"]["count"] == 0


def test_the_county_todo_counts_proposals_awaiting_a_decision(admin_user, secretaries, other_secretary):
    _proposal(secretaries[0])
    _proposal(other_secretary)
    assert county_todo(user=admin_user)["talks"]["proposed"] == 2


# --- Pages -------------------------------------------------------------------------


def test_the_decision_page_asks_for_a_confirmation_before_deciding(client, admin_user, secretaries):
    talk = _proposal(secretaries[0])
    client.force_login(admin_user)
    url = reverse("talk-decide", args=[talk.pk])
    response = client.post(url, {"decision": "hold", "opinion": ""})
    assert "请填写决定意见" in response.content.decode()
    response = client.post(url, {"decision": "hold", "opinion": "同意约谈"})
    assert response.status_code == 200 and "确认决定" in response.content.decode()
    talk.refresh_from_db()
    assert talk.state == TalkState.PROPOSED  # nothing decided before the confirmation
    response = client.post(url, {"decision": "hold", "opinion": "同意约谈", "confirmed": "1"})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.state == TalkState.SCHEDULED and talk.decided_by == admin_user
    # Deciding twice from the page: told, nothing changes.
    response = client.post(url, {"decision": "dismiss", "opinion": "x", "confirmed": "1"}, follow=True)
    assert "不能执行此操作" in response.content.decode()
    talk.refresh_from_db()
    assert talk.decision == "hold"


def test_the_record_and_follow_up_pages(client, staff_user, secretaries):
    talk = _proposal(secretaries[0])
    talk.state = TalkState.SCHEDULED
    talk.save()
    client.force_login(staff_user)
    today = timezone.localdate()
    response = client.post(
        reverse("talk-record", args=[talk.pk]),
        {
            "held_on": today.isoformat(),
            "talker": "镇党委书记",
            "content": "指出问题",
            "commitment": "按期整改",
            "follow_up_on": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    response = client.post(reverse("talk-follow-up", args=[talk.pk]), {"follow_up_note": "已整改"})
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.state == TalkState.CLOSED


def test_a_viewer_reads_but_may_not_decide(client, viewer_user, secretaries):
    talk = _proposal(secretaries[0])
    client.force_login(viewer_user)
    assert client.get(reverse("talk-detail", args=[talk.pk])).status_code == 200
    assert client.get(reverse("talk-decide", args=[talk.pk])).status_code == 403
    assert client.get(reverse("rectification-create")).status_code == 403


def test_another_townships_user_gets_404_on_every_route_and_never_sees_its_talks(
    client, other_staff_user, admin_user, secretaries
):
    talk = _proposal(secretaries[0])
    item = services.rectification_save(
        actor=admin_user,
        township=talk.township,
        problem="甲镇独有的整改问题",
        measure="措施",
        deadline=TODAY,
        responsible=talk.person,
        talk=None,
    )
    client.force_login(other_staff_user)
    for name, pk in (
        ("talk-detail", talk.pk),
        ("talk-decide", talk.pk),
        ("talk-record", talk.pk),
        ("talk-follow-up", talk.pk),
        ("rectification-edit", item.pk),
        ("rectification-close", item.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        if name != "talk-detail":  # a page that only shows answers a POST with 405 before looking
            assert client.post(reverse(name, args=[pk]), {}).status_code == 404, name
    assert client.get(reverse("rectification-create") + f"?talk={talk.pk}").status_code == 404
    page = client.get(reverse("talk-list")).content.decode()
    assert talk.person.name not in page
    assert "甲镇独有的整改问题" not in client.get(reverse("rectification-list")).content.decode()
    api = APIClient()
    api.force_authenticate(other_staff_user)
    assert api.get(reverse("api:talk-list")).json()["count"] == 0
    assert api.get(reverse("api:talk-detail", args=[talk.pk])).status_code == 404


def test_a_village_login_reaches_none_of_the_pages(client, secretaries):
    talk = _proposal(secretaries[0])
    client.force_login(factories.village_staff(secretaries[0]))
    for url in (reverse("talk-list"), reverse("talk-detail", args=[talk.pk]), reverse("rectification-list")):
        assert client.get(url).status_code == 404


def test_the_person_page_lists_their_talks(client, admin_user, other_staff_user, secretaries):
    talk = _proposal(secretaries[0])
    client.force_login(admin_user)
    page = client.get(reverse("person-detail", args=[talk.person_id])).content.decode()
    assert "约谈记录" in page and "2026Q1" in page


def test_the_rectification_ledger_create_edit_overdue_close_and_export(client, staff_user, township, other_township):
    responsible = factories.TenureFactory(
        village=factories.VillageFactory(township=township),
        person=factories.PersonFactory(township=township, name="责任人甲"),
    ).person
    outsider = factories.PersonFactory(township=other_township)
    client.force_login(staff_user)
    data = {"problem": "组织生活不规范", "measure": "每月检查", "deadline": "2026-01-31", "responsible": outsider.pk}
    response = client.post(reverse("rectification-create"), data)
    assert response.status_code == 200 and not RectificationItem.objects.exists()  # not a choice
    response = client.post(reverse("rectification-create"), data | {"responsible": responsible.pk})
    assert response.status_code == 302
    item = RectificationItem.objects.get()
    assert item.township == township and item.status == RectificationStatus.OPEN
    todo = township_todo(township=township, today=TODAY, alerts=[])["talks"]
    assert todo["rectifications_overdue"] == [item]
    page = client.get(reverse("rectification-list")).content.decode()
    assert "责任人甲" in page and "已逾期" in page
    response = client.post(
        reverse("rectification-close", args=[item.pk]),
        {"completed_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(), "completion_note": "完成"},
    )
    assert "完成日期不能晚于今天" in response.content.decode()
    response = client.post(
        reverse("rectification-close", args=[item.pk]),
        {"completed_on": timezone.localdate().isoformat(), "completion_note": "完成"},
    )
    item.refresh_from_db()
    assert item.status == RectificationStatus.DONE
    assert township_todo(township=township, today=TODAY, alerts=[])["talks"]["rectifications_overdue"] == []
    export = client.get(reverse("rectification-export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_talk_export(client, admin_user, secretaries):
    _proposal(secretaries[0])
    client.force_login(admin_user)
    response = client.get(reverse("talk-export") + "?state=proposed")
    assert response.status_code == 200


# --- Query counts ------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_and_the_api_make_a_fixed_number_of_queries(
    client, admin_user, township, secretaries, django_assert_num_queries
):
    client.force_login(admin_user)
    api = APIClient()
    api.force_authenticate(admin_user)
    _proposal(secretaries[0])
    person = Tenure.objects.filter(village=secretaries[0]).first().person
    services.rectification_save(
        actor=admin_user,
        township=township,
        problem="问题",
        measure="措施",
        deadline=TODAY,
        responsible=person,
        talk=None,
    )
    urls = [reverse("talk-list"), reverse("rectification-list")]
    small = [_queries(client, url) for url in urls]
    with CaptureQueriesContext(connection) as captured:
        api.get(reverse("api:talk-list"))
    small_api = len(captured)
    for village in secretaries[1:]:
        talk = _proposal(village, period="2026Q2")
        services.rectification_save(
            actor=admin_user,
            township=township,
            problem="问题",
            measure="措施",
            deadline=TODAY,
            responsible=talk.person,
            talk=None,
        )
    assert [_queries(client, url) for url in urls] == small
    with django_assert_num_queries(small_api):
        assert api.get(reverse("api:talk-list")).json()["count"] == 3
    # Pinned: session, user, count, page, the filter's township (and, on the 约谈 list, village) choices,
    # and the session's save (savepoint, update, release); count and page on the API.
    assert small == [9, 8] and small_api == 2
