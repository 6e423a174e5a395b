"""The to-do lists follow the real state, whatever the month; the message centre tells people what
happened to their work. Dates are worked from today (Asia/Shanghai) by the rule, not pasted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentMessageKind, ReportStatus, RunKind, RunStatus
from assessments.models import AnnualRating, RemovalFlag, ScoringRun
from assessments.selectors import county_todo, reporting_period, township_todo
from assessments.services import report_review
from assessments.services.reports import deadline_reminders
from assessments.services.runs import run_fail, run_tell
from cadres.choices import CadreMessageKind, CorrectionOutcome
from cadres.models import Correction
from tests import factories
from townships.models import Message
from townships.services import message_mark_read, notify
from villages.models import RectificationStep, WeakDesignation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SENT = []


def fake_gateway(messages):
    SENT.extend(m.title for m in messages)


def todo(township, today=TODAY):
    return township_todo(township=township, today=today, alerts=[])


# --- The township's to-do -----------------------------------------------------


def test_a_report_the_county_just_returned_is_in_the_to_do_and_the_messages(
    client, admin_user, staff_user, township, village
):
    # This month's report (not the month being reported on): the old to-do, pinned to last month, missed it.
    report = factories.MonthlyReportFactory(
        village=village, year=TODAY.year, month=TODAY.month, status=ReportStatus.SUBMITTED
    )
    report_review(actor=admin_user, report=report, approve=False, reason="集体经济收入填写有误")
    assert [r.pk for r in todo(township)["returned"]] == [report.pk]

    client.force_login(staff_user)
    page = client.get(reverse("township-detail", args=[township.pk])).content.decode()
    assert f"{TODAY.year}年{TODAY.month}月" in page and "集体经济收入填写有误" in page
    staff_user.refresh_from_db()
    assert staff_user.unread_messages == 1
    inbox = client.get(reverse("message-list")).content.decode()
    assert f"李家村 {TODAY.year}年{TODAY.month}月月报被退回" in inbox
    assert "退回原因：集体经济收入填写有误" in inbox


def test_returned_reports_of_any_month_are_listed_newest_first(township, village):
    old = factories.MonthlyReportFactory(village=village, year=2025, month=2, status=ReportStatus.RETURNED)
    new = factories.MonthlyReportFactory(village=village, year=2026, month=1, status=ReportStatus.RETURNED)
    factories.MonthlyReportFactory(village=village, year=2026, month=2, status=ReportStatus.APPROVED)
    assert [r.pk for r in todo(township)["returned"]] == [new.pk, old.pk]


def test_the_month_to_file_is_the_one_just_ended_with_its_deadline(township, village):
    draft_village = factories.VillageFactory(township=township, name="草稿村")
    done_village = factories.VillageFactory(township=township, name="已报村")
    factories.VillageFactory(township=township, name="停用村", is_active=False)
    # Today 2026-03-10: the month being reported on is February; due 5 March (the default), so overdue.
    today = datetime.date(2026, 3, 10)
    factories.MonthlyReportFactory(village=draft_village, year=2026, month=2, status=ReportStatus.DRAFT)
    factories.MonthlyReportFactory(village=done_village, year=2026, month=2, status=ReportStatus.SUBMITTED)
    result = todo(township, today)
    assert (result["year"], result["month"]) == (2026, 2)
    assert result["deadline"] == datetime.date(2026, 3, 5) and result["overdue"]
    assert sorted(name for _url, name, _s in result["to_file"]) == ["李家村", "草稿村"]
    # On 1 January the month being reported on is last year's December, due 5 January: not yet overdue.
    january = todo(township, datetime.date(2027, 1, 1))
    assert (january["year"], january["month"], january["deadline"], january["overdue"]) == (
        2026,
        12,
        datetime.date(2027, 1, 5),
        False,
    )
    assert reporting_period(datetime.date(2026, 3, 31)) == (2026, 2)


def test_corrections_due_within_30_days_or_overdue_are_listed(township, village):
    def correction(deadline, outcome=CorrectionOutcome.PENDING):
        member = factories.PartyMemberFactory(person__township=township, township=township)
        return Correction.objects.create(
            member=member,
            township=township,
            started_on=deadline - datetime.timedelta(days=180),
            deadline=deadline,
            outcome=outcome,
        )

    overdue = correction(TODAY - datetime.timedelta(days=1))
    soon = correction(TODAY + datetime.timedelta(days=30))
    correction(TODAY + datetime.timedelta(days=31))  # not yet
    correction(TODAY - datetime.timedelta(days=5), CorrectionOutcome.CORRECTED)  # done
    assert [c.pk for c in todo(township)["corrections"]] == [overdue.pk, soon.pk]


def test_a_village_in_rectification_without_a_measure_for_30_days_is_listed(admin_user, township, village):
    recent = factories.VillageFactory(township=township, name="整顿村")
    quiet = WeakDesignation.objects.create(village=village, township=township, year=TODAY.year, reason="x")
    active = WeakDesignation.objects.create(village=recent, township=township, year=TODAY.year, reason="y")
    for designation, days_ago in ((quiet, 31), (active, 30)):
        RectificationStep.objects.create(
            designation=designation, done_on=TODAY - datetime.timedelta(days=days_ago), description="整顿措施"
        )
    assert [w.pk for w in todo(township)["rectification"]] == [quiet.pk]


# --- The county's to-do ---------------------------------------------------------


def test_the_county_to_do_counts_reviews_failed_runs_years_and_flags(admin_user, county, township, village):
    factories.MonthlyReportFactory(village=village, year=2026, month=9, status=ReportStatus.SUBMITTED)
    failed_then_fixed = {"county": county, "kind": RunKind.MONTHLY, "year": 2026, "period": 8}
    ScoringRun.objects.create(status=RunStatus.FAILED, **failed_then_fixed)
    ScoringRun.objects.create(status=RunStatus.SUCCEEDED, **failed_then_fixed)
    still_failed = ScoringRun.objects.create(
        county=county, kind=RunKind.MONTHLY, year=2026, period=9, status=RunStatus.FAILED
    )
    person = factories.PersonFactory(township=township, village=village)
    AnnualRating.objects.create(
        person=person,
        village=village,
        township=township,
        year=2025,
        daily=500,
        total=500,
        grade="incompetent",
        reason="x",
    )
    RemovalFlag.objects.create(
        person=person, township=township, year=2025, state="flagged", incompetent_count=2, reason="连续两年不称职"
    )
    result = county_todo(user=admin_user)
    assert result["to_review"] == 1
    assert [r.pk for r in result["failed_runs"]] == [still_failed.pk]
    assert result["unsigned_years"] == [2025]
    assert result["flags"] == 1


# --- Messages -----------------------------------------------------------------------


def test_approval_tells_the_township_and_the_navbar_counts_unread(
    client, admin_user, staff_user, village, django_capture_on_commit_callbacks
):
    report = factories.MonthlyReportFactory(village=village, year=2026, month=9, status=ReportStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):  # what it queues on commit runs too (no scheme: no run)
        report_review(actor=admin_user, report=report, approve=True)
    client.force_login(staff_user)
    page = client.get(reverse("township-detail", args=[staff_user.township_id])).content.decode()
    assert "消息中心，1 条未读" in page
    message = Message.objects.get(recipient=staff_user)
    assert message.kind == AssessmentMessageKind.REPORT_APPROVED and message.title == "李家村 2026年9月月报已审核通过"


def test_marking_read_one_or_all_and_never_someone_elses(client, staff_user, other_staff_user):
    mine = notify([staff_user], kind=CadreMessageKind.DEADLINE, title="一") + notify(
        [staff_user], kind=CadreMessageKind.DEADLINE, title="二"
    )
    theirs = notify([other_staff_user], kind=CadreMessageKind.DEADLINE, title="三")
    client.force_login(staff_user)
    client.post(reverse("message-list"), {"message": [mine[0].pk, theirs[0].pk]})
    staff_user.refresh_from_db()
    other_staff_user.refresh_from_db()
    assert (staff_user.unread_messages, other_staff_user.unread_messages) == (1, 1)
    client.post(reverse("message-list"), {"all": "1"})
    staff_user.refresh_from_db()
    assert staff_user.unread_messages == 0
    assert Message.objects.get(pk=theirs[0].pk).read_at is None
    assert message_mark_read(user=other_staff_user, message_ids=[mine[1].pk]) == 0
    assert client.post(reverse("message-list"), {"message": ["abc", "99999999999999999999"]}).status_code == 302


def test_the_message_page_lists_only_ones_own_messages(client, staff_user, other_staff_user):
    notify([other_staff_user], kind=CadreMessageKind.DEADLINE, title="别人的消息")
    notify([staff_user], kind=CadreMessageKind.DEADLINE, title="自己的消息")
    client.force_login(staff_user)
    body = client.get(reverse("message-list")).content.decode()
    assert "自己的消息" in body and "别人的消息" not in body
    client.post(reverse("message-list"), {"all": "1"})
    assert "没有未读消息" in client.get(reverse("message-list"), {"unread": "1", "page": "x"}).content.decode()


@pytest.mark.parametrize("days_before, told", [(4, False), (3, True), (1, True), (0, True), (-1, False)])
def test_deadline_reminders_from_3_days_before_once_per_month(staff_user, township, village, days_before, told):
    # Reports for a month are due on the 5th of the next (the default): remind from the 2nd to the 5th.
    deadline = datetime.date(2026, 11, 5)
    today = deadline - datetime.timedelta(days=days_before)
    deadline_reminders(today=today)
    deadline_reminders(today=today)  # beat may run twice: told once
    sent = list(Message.objects.filter(recipient=staff_user, kind=CadreMessageKind.DEADLINE))
    assert len(sent) == (1 if told else 0)
    if told:
        assert sent[0].title == "2026年10月月报将于 11-05 截止，还有 1 个村未报送"
        assert sent[0].body == "李家村"


def test_no_reminder_when_every_village_has_submitted(staff_user, village):
    factories.MonthlyReportFactory(village=village, year=2026, month=10, status=ReportStatus.SUBMITTED)
    assert deadline_reminders(today=datetime.date(2026, 11, 3)) == 0


def test_a_run_tells_whoever_asked_and_a_scheduled_one_the_administrators(admin_user, viewer_user, county):
    asked = ScoringRun.objects.create(
        county=county,
        kind=RunKind.MONTHLY,
        year=2026,
        period=9,
        status=RunStatus.SUCCEEDED,
        requested_by=viewer_user,
        villages_expected=10,
        villages_scored=9,
    )
    run_tell(asked.pk)
    assert Message.objects.get(recipient=viewer_user).title == "2026年9月评分完成"
    scheduled = ScoringRun.objects.create(
        county=county, kind=RunKind.MONTHLY, year=2026, period=10, status=RunStatus.RUNNING
    )
    run_fail(scheduled.pk, "boom")
    failed = Message.objects.get(recipient=admin_user)
    assert (failed.kind, failed.title) == (AssessmentMessageKind.RUN_FAILED, "2026年10月评分失败")
    run_fail(scheduled.pk, "again")  # already failed: not told twice
    assert Message.objects.filter(recipient=admin_user).count() == 1


def test_a_gateway_hook_receives_the_messages_after_commit(settings, staff_user, django_capture_on_commit_callbacks):
    settings.MESSAGE_GATEWAY = "tests.assessments.test_todo_and_messages.fake_gateway"
    SENT.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff_user], kind=CadreMessageKind.DEADLINE, title="转发测试")
    assert SENT == ["转发测试"]


def test_the_message_page_makes_the_same_number_of_queries_for_2_or_60_messages(client, staff_user):
    def queries():
        client.force_login(staff_user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("message-list")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        notify([staff_user], kind=CadreMessageKind.DEADLINE, title=f"提醒{i}")
    few = queries()
    for i in range(58):
        notify([staff_user], kind=AssessmentMessageKind.REPORT_APPROVED, title=f"通过{i}")
    assert queries() == few


def test_the_viewer_is_not_shown_a_to_do_of_acts_it_cannot_take(client, admin_user, viewer_user, county):
    client.force_login(admin_user)
    assert "待审核月报" in client.get("/").content.decode()
    client.force_login(viewer_user)
    page = client.get("/").content.decode()
    assert "全县概览" in page
    for act in ("待审核月报", "评分失败待重新发起", "调整退出待决定"):
        assert act not in page


def test_township_staff_have_no_review_menu_and_everyone_has_the_bulletins(client, admin_user, staff_user):
    client.force_login(staff_user)
    page = client.get("/", follow=True).content.decode()  # the township's own page
    assert "月报审核" not in page and "季度通报" in page
    client.force_login(admin_user)
    assert "月报审核" in client.get("/").content.decode()
