"""A village login's meetings wait for the township (村级填报审核, issue 20 item 7): recorded through the
same form and service, pending until approved, counted only once approved, returned with a reason."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.metrics import MetricPeriod, read_derived
from assessments.selectors import township_todo
from cadres.models import Meeting
from cadres.selectors import meeting_compliance
from cadres.services import meeting_record
from tests import factories
from townships.choices import AuditAction, EntryStatus, MessageKind
from townships.county_settings import settings_for
from townships.models import AuditEvent, Message
from villages.models import PartyOrganization

pytestmark = pytest.mark.django_db

HELD_ON = datetime.date(2026, 6, 10)


@pytest.fixture
def branch(village, township):
    committee = factories.PartyOrganizationFactory(township=township, name="城关镇党委")
    branch = factories.village_branch(village, "李家村党支部", committee)
    for _ in range(3):
        factories.PartyMemberFactory(organization=branch)
    return branch


@pytest.fixture
def sister_branch(township):
    sister = factories.VillageFactory(township=township, name="张庄村")
    committee = PartyOrganization.objects.filter(township=township, parent__isnull=True).first()
    return factories.village_branch(sister, "张庄村党支部", committee)


@pytest.fixture
def village_user(village):
    return factories.village_staff(village, username="lijia")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(branch, **overrides):
    return {
        "organization": branch.pk,
        "kind": "party_day",
        "held_on": HELD_ON.isoformat(),
        "topic": "6月主题党日",
        "entitled": 3,
        "present": 3,
    } | overrides


def recorded_by_village(village_user, branch, **overrides):
    response = signed_in(village_user).post(reverse("meeting-create"), form_data(branch, **overrides))
    assert response.status_code == 302, response.content.decode()
    assert response.url == reverse("village-home")
    return Meeting.objects.filter(topic=overrides.get("topic", "6月主题党日")).latest("pk")


def held(branch):
    """Party days counted for June in the branch's compliance, and the village's derived metrics."""
    conf = settings_for(branch.township.county_id)
    [row] = meeting_compliance(
        organizations=PartyOrganization.objects.filter(pk=branch.pk),
        start=datetime.date(2026, 6, 1),
        end=datetime.date(2026, 6, 30),
        conf=conf,
    )
    party_day = next(k for k in row.kinds if k.kind == "party_day")
    period = MetricPeriod(township_ids=[branch.township_id], year=2026, month=6, conf=conf)
    return party_day.held, read_derived(period, ["meetings_held"])["meetings_held"].get(branch.village_id, 0)


def test_a_village_logins_meeting_is_pending_and_told_to_the_township(village_user, branch, staff_user):
    meeting = recorded_by_village(village_user, branch)
    assert (meeting.status, meeting.recorded_by, meeting.village_id) == (
        EntryStatus.PENDING,
        village_user,
        branch.village_id,
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(meeting.pk)).exists()
    message = Message.objects.get(recipient=staff_user, kind=MessageKind.ENTRY_PENDING)
    assert "李家村" in message.title and message.url == reverse("entry-review", args=["meeting", meeting.pk])


def test_a_township_meeting_counts_at_once(staff_user, branch):
    meeting = meeting_record(
        actor=staff_user,
        organization=branch,
        kind="party_day",
        held_on=HELD_ON,
        topic="镇里记的",
        entitled=3,
        present=3,
    )
    assert meeting.status == EntryStatus.APPROVED
    assert held(branch) == (1, 1)


def test_a_pending_meeting_is_not_counted_until_approved(village_user, branch, staff_user):
    meeting = recorded_by_village(village_user, branch)
    assert held(branch) == (0, 0)
    client = signed_in(staff_user)
    page = client.get(reverse("entry-review", args=["meeting", meeting.pk]))
    assert page.status_code == 200 and "6月主题党日" in page.content.decode()
    response = client.post(reverse("entry-review", args=["meeting", meeting.pk]), {"action": "approve"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.reviewed_by) == (EntryStatus.APPROVED, staff_user)
    assert held(branch) == (1, 1)
    event = AuditEvent.objects.get(action=AuditAction.APPROVE, target_id=str(meeting.pk))
    assert event.detail == {"kind": "meeting", "approved": True, "reason": ""}
    assert event.township_id == branch.township_id
    assert Message.objects.filter(recipient=village_user, kind=MessageKind.ENTRY_APPROVED).count() == 1


def test_a_meeting_is_returned_with_a_reason_and_may_be_entered_again(village_user, branch, staff_user):
    meeting = recorded_by_village(village_user, branch)
    client = signed_in(staff_user)
    url = reverse("entry-review", args=["meeting", meeting.pk])
    response = client.post(url, {"action": "return", "reason": "  "})
    assert response.status_code == 200 and "退回时请写明原因" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == EntryStatus.PENDING
    client.post(url, {"action": "return", "reason": "缺少会议照片"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.return_reason) == (EntryStatus.RETURNED, "缺少会议照片")
    assert held(branch) == (0, 0)
    told = Message.objects.get(recipient=village_user, kind=MessageKind.ENTRY_RETURNED)
    assert "缺少会议照片" in told.body
    home = signed_in(village_user).get(reverse("village-home"))
    assert "缺少会议照片" in home.content.decode()
    # Decided once: a second decision is refused, whoever clicks.
    again = client.post(url, {"action": "approve"})
    assert "不能再次审核" in again.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == EntryStatus.RETURNED
    # The same meeting, corrected, may be entered again (the returned record is kept).
    recorded_by_village(village_user, branch, topic="6月主题党日")  # same key as the returned one
    assert Meeting.objects.filter(topic="6月主题党日").count() == 2


def test_another_townships_staff_gets_404(village_user, branch, other_staff_user):
    meeting = recorded_by_village(village_user, branch)
    client = signed_in(other_staff_user)
    url = reverse("entry-review", args=["meeting", meeting.pk])
    missing = reverse("entry-review", args=["meeting", 987654])
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 404 == client.post(missing, {"action": "approve"}).status_code
    assert meeting.topic not in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == EntryStatus.PENDING
    assert meeting.topic not in client.get(reverse("entry-review-list")).content.decode()


def test_the_viewer_reads_the_queue_but_may_not_decide(village_user, branch, viewer_user):
    meeting = recorded_by_village(village_user, branch)
    client = signed_in(viewer_user)
    assert meeting.topic in client.get(reverse("entry-review-list")).content.decode()
    assert client.post(reverse("entry-review", args=["meeting", meeting.pk]), {"action": "approve"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == EntryStatus.PENDING


def test_the_county_administrator_may_decide(village_user, branch, admin_user):
    meeting = recorded_by_village(village_user, branch)
    signed_in(admin_user).post(reverse("entry-review", args=["meeting", meeting.pk]), {"action": "approve"})
    meeting.refresh_from_db()
    assert meeting.status == EntryStatus.APPROVED


def test_an_unknown_kind_or_the_wrong_method_is_refused(staff_user, village_user, branch):
    meeting = recorded_by_village(village_user, branch)
    client = signed_in(staff_user)
    assert client.get(reverse("entry-review", args=["commitment", meeting.pk])).status_code == 404
    assert client.put(reverse("entry-review", args=["meeting", meeting.pk])).status_code == 405
    assert client.post(reverse("entry-review-list")).status_code == 405


def test_a_village_login_records_only_its_own_organizations(village_user, branch, sister_branch):
    response = signed_in(village_user).post(reverse("meeting-create"), form_data(sister_branch))
    assert response.status_code == 200 and response.context["form"].errors["organization"]
    assert not Meeting.objects.exists()
    with pytest.raises(Exception, match="本村"):
        meeting_record(
            actor=village_user,
            organization=sister_branch,
            kind="party_day",
            held_on=HELD_ON,
            topic="越界",
            entitled=0,
            present=0,
        )


def test_a_village_login_sees_its_own_meeting_and_not_the_sister_villages(village_user, branch, sister_branch):
    mine = recorded_by_village(village_user, branch)
    theirs = factories.MeetingFactory(organization=sister_branch, topic="张庄村的会")
    client = signed_in(village_user)
    assert client.get(reverse("meeting-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("meeting-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("meeting-evidence", args=[theirs.pk])).status_code == 404


def test_the_township_todo_counts_pending_village_entries(village_user, branch, township):
    recorded_by_village(village_user, branch)
    recorded_by_village(village_user, branch, topic="7月主题党日")
    todo = township_todo(township=township, today=timezone.localdate(), alerts=[])
    assert todo["village_entries"] == 2


def test_the_queue_has_a_pinned_query_count(village_user, branch, staff_user, django_assert_num_queries):
    for i in range(4):
        recorded_by_village(village_user, branch, topic=f"会议{i}")
    client = signed_in(staff_user)
    client.get(reverse("entry-review-list"))
    # session, user, one query per registered kind of entry (meetings, commitment progress and
    # surveys, each with its township, village, recorder and what it names); the session's save (3)
    from townships.review import entry_kinds

    assert len(entry_kinds()) == 3
    with django_assert_num_queries(8):
        response = client.get(reverse("entry-review-list"))
    assert response.content.decode().count("会议") >= 4
