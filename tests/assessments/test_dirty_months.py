"""A month whose approved inputs change after its run read them is scored again, once (issue 18).

The world: the ``villages`` fixture (村0, 村1, 村2 of 城关镇 and 外村 of 青石乡, each with a
secretary) and the demo county's 1000-point secretary scheme, which rates one target (the village
secretary), so a scored village has exactly one Score for the month. Runs start from the services
the pages call; ``publish`` is eager here (no broker), so a run started "on commit" runs when the
acting call's callbacks are run, inside ``django_capture_on_commit_callbacks(execute=True)`` — as
its request's commit would run them.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from assessments import services
from assessments.choices import AssessmentMessageKind, ReportStatus, RunKind, RunStatus
from assessments.models import MonthlyReport, Score, ScoreItem, ScoringRun
from assessments.services import recovery, runs
from assessments.services.reports import reports_approve_bulk
from tests import factories
from townships.models import Message
from townships.services import message_mark_read

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 3


def file(village, status):
    return MonthlyReport.objects.create(
        village=village,
        township=village.township,
        year=YEAR,
        month=MONTH,
        status=status,
        values=factories.report_values(satisfaction=90),
    )


def month_runs(county):
    return ScoringRun.objects.filter(county=county, kind=RunKind.MONTHLY, year=YEAR, period=MONTH).order_by("pk")


def scored_villages(county):
    return set(Score.objects.filter(township__county=county, year=YEAR, period=MONTH).values_list("village", flat=True))


@pytest.fixture
def late_month(county, scheme, villages):
    """Every report approved but 村2's, still waiting for review: the month is scored without it
    (the county's choice, as the beat job on the 8th does)."""
    return {v.name: file(v, ReportStatus.SUBMITTED if v.name == "村2" else ReportStatus.APPROVED) for v in villages}


def start(county, admin_user):
    return services.scoring_run_start(
        actor=admin_user,
        county_id=county.pk,
        kind=RunKind.MONTHLY,
        year=YEAR,
        period=MONTH,
        allow_missing=True,
        enqueue=False,
    )


def test_a_report_approved_while_its_month_computes_is_scored_when_the_run_finishes(
    county, villages, late_month, admin_user, django_capture_on_commit_callbacks
):
    run = start(county, admin_user)
    assert runs.run_claim(run.pk)
    runs.chunks_run(list(run.chunks.values_list("pk", flat=True)))  # the run has read the reports
    # Approved now: the approval's own request for a run is refused (one is computing).
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=late_month["村2"], approve=True)
    assert month_runs(county).count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # the re-score it queues computes on commit
        runs.run_finish(run.pk)
    # The run finished with what it had read (村2 left out), then the month was scored again, once.
    first, again = month_runs(county)
    assert [v["name"] for v in ScoringRun.objects.get(pk=first.pk).left_out] == ["村2"]
    assert again.status == RunStatus.SUCCEEDED and again.left_out == []
    assert scored_villages(county) == {v.pk for v in villages}
    # Nothing is owed any more: the sweeper starts no third run.
    recovery.sweep_runs(now=datetime.datetime.now(tz=datetime.UTC))
    assert month_runs(county).count() == 2


def test_the_sweeper_scores_a_late_approval_whose_rescore_was_lost(
    county, villages, late_month, admin_user, django_capture_on_commit_callbacks
):
    """The worker died between finalize's commit and starting the re-score: the sweeper's next pass
    (every 30 seconds) scores the month again, and only once however many passes follow."""
    run = start(county, admin_user)
    assert runs.run_claim(run.pk)
    runs.chunks_run(list(run.chunks.values_list("pk", flat=True)))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=late_month["村2"], approve=True)
    runs.run_finalize(run.pk)  # committed; what run_finish does next never happened
    assert month_runs(county).count() == 1 and late_month["村2"].village_id not in scored_villages(county)
    now = datetime.datetime.now(tz=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):  # the re-score it queues computes on commit
        recovery.sweep_runs(now=now)
    assert month_runs(county).count() == 2
    assert scored_villages(county) == {v.pk for v in villages}
    recovery.sweep_runs(now=now + datetime.timedelta(seconds=30))
    recovery.sweep_runs(now=now + datetime.timedelta(seconds=60))
    assert month_runs(county).count() == 2


def test_an_approval_of_a_month_never_scored_leaves_its_first_run_to_the_county(
    county, scheme, villages, admin_user, django_capture_on_commit_callbacks
):
    """村2 and 外村 wait for review; approving 村2 leaves the month incomplete and never scored: neither
    the approval nor the sweeper starts a run (the month is still dirty, for a run that may have read
    it at that moment)."""
    reports = {
        v.name: file(v, ReportStatus.SUBMITTED if v.name in ("村2", "外村") else ReportStatus.APPROVED)
        for v in villages
    }
    with django_capture_on_commit_callbacks(execute=True):  # whatever each queues runs, as after its commit
        services.report_review(actor=admin_user, report=reports["村2"], approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        recovery.sweep_runs(now=datetime.datetime.now(tz=datetime.UTC))
    assert month_runs(county).count() == 0


def test_a_late_approval_of_a_month_already_scored_scores_it_again_once(
    county, villages, late_month, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(
            actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, allow_missing=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=late_month["村2"], approve=True)
    assert month_runs(county).count() == 2
    assert scored_villages(county) == {v.pk for v in villages}
    recovery.sweep_runs(now=datetime.datetime.now(tz=datetime.UTC))
    assert month_runs(county).count() == 2


def test_a_bulk_approval_queues_one_run_and_tells_once(
    county, township, scheme, admin_user, staff_user, django_capture_on_commit_callbacks
):
    """The month was scored with one report; 6 late reports of 城关镇 are approved in one action:
    one more run (not 6), one 评分完成 message for the admin (the unread one of the month brought up
    to date), one 审核通过 message for the township's office (not 6)."""
    first = factories.village_with_secretary(township, "先报村")
    file(first, ReportStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(
            actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, allow_missing=True
        )
    late = [file(factories.village_with_secretary(township, f"补报{i}村"), ReportStatus.SUBMITTED) for i in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        reports_approve_bulk(actor=admin_user, reports=MonthlyReport.objects.filter(pk__in=[r.pk for r in late]))
    assert month_runs(county).count() == 2
    assert len(scored_villages(county)) == 7
    finished = Message.objects.filter(recipient=admin_user, kind=AssessmentMessageKind.RUN_FINISHED)
    assert finished.count() == 1 and "已评 7 个村" in finished.get().body
    assert Message.objects.filter(recipient=staff_user, kind=AssessmentMessageKind.REPORT_APPROVED).count() == 1
    admin_user.refresh_from_db()
    assert admin_user.unread_messages == 1


def test_news_of_a_period_the_recipient_has_read_is_a_new_message(
    county, township, scheme, admin_user, django_capture_on_commit_callbacks
):
    village = factories.village_with_secretary(township, "村")
    file(village, ReportStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    message_mark_read(user=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    finished = Message.objects.filter(recipient=admin_user, kind=AssessmentMessageKind.RUN_FINISHED)
    assert finished.count() == 2 and finished.filter(read_at__isnull=True).count() == 1


def b01(village):
    """The village's 信访总量控制 item (deduction, 50 points, 5 per petition)."""
    return ScoreItem.objects.get(score__village=village, score__year=YEAR, score__period=MONTH, indicator__code="B01")


def test_a_county_correction_scores_the_month_again(
    county, villages, scheme, admin_user, django_capture_on_commit_callbacks
):
    reports = [file(v, ReportStatus.APPROVED) for v in villages]
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert b01(villages[0]).points == Decimal("50.00")  # no petition: full marks
    with django_capture_on_commit_callbacks(execute=True):
        services.report_correct(actor=admin_user, report=reports[0], metric="petitions", value="3", reason="漏报信访")
    # 3 petitions at 5 points each: 50 − 15 = 35.
    item = b01(villages[0])
    assert item.metric_value == 3 and item.points == Decimal("35.00")
    assert month_runs(county).count() == 2


def test_score_verify_reports_a_correction_the_scores_do_not_follow(
    county, villages, scheme, admin_user, capsys, django_capture_on_commit_callbacks
):
    """A closed month is not scored again (its scores change only by override): verify shows the drift."""
    reports = [file(v, ReportStatus.APPROVED) for v in villages]
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    call_command("score", "verify", str(YEAR), str(MONTH), "--county", str(county.pk))
    assert "0 differences." in capsys.readouterr().out
    services.period_close(actor=admin_user, county=county, year=YEAR, month=MONTH)
    with django_capture_on_commit_callbacks(execute=True):  # queues no run: whatever it queued would run here
        services.report_correct(actor=admin_user, report=reports[0], metric="petitions", value="3", reason="漏报信访")
    with pytest.raises(CommandError):
        call_command("score", "verify", str(YEAR), str(MONTH), "--county", str(county.pk))
    out = capsys.readouterr().out
    assert f"{villages[0].name} (" in out and "petitions=0, report now 3" in out
    assert "1 differences." in out


def test_score_verify_reports_an_approved_report_its_month_left_out(
    county, villages, late_month, admin_user, django_capture_on_commit_callbacks
):
    """The late approval's re-score was lost (see above) and the sweeper has not run yet: verify says so."""
    from assessments.verify import verify_month

    run = start(county, admin_user)
    assert runs.run_claim(run.pk)
    runs.chunks_run(list(run.chunks.values_list("pk", flat=True)))
    with django_capture_on_commit_callbacks(execute=True):  # its own request for a run is refused
        services.report_review(actor=admin_user, report=late_month["村2"], approve=True)
    runs.run_finalize(run.pk)
    _checked, found = verify_month(county_id=county.pk, year=YEAR, month=MONTH)
    assert found == [f"城关镇 村2: report approved, but left out of run {run.pk} (submitted)"]


def test_one_definition_of_coverage_a_vacant_secretarys_village_is_not_counted_as_scored(
    client, county, scheme, villages, admin_user
):
    """Four villages, all reports approved; 村1's secretary left on 1 March (ended_on = the first day
    out), so nobody held the post in March. The scheme rates secretaries only, so 村1 has no score:
    the run says 3 of 4 scored and lists 村1 as 书记空缺, and the dashboard counts the same 3 / 4."""
    for village in villages:
        file(village, ReportStatus.APPROVED)
    village_1 = next(v for v in villages if v.name == "村1")
    village_1.tenures.update(ended_on=datetime.date(YEAR, MONTH, 1))
    run = start(county, admin_user)
    services.run_synchronously(run)
    run.refresh_from_db()
    assert (run.villages_scored, run.villages_expected) == (3, 4)
    assert [(e["name"], e["status"]) for e in run.left_out] == [("村1", "vacant")]
    assert len(scored_villages(county)) == 3
    client.force_login(admin_user)
    page = client.get("/", {"year": YEAR, "month": MONTH}).content.decode()
    assert "本月已评分 3 / 应评 4 个村" in page
    assert "书记空缺" in client.get("/assessment/runs/").content.decode()
    assert "3 scores checked, 0 differences" in call_command_output("verify", YEAR, MONTH)


def call_command_output(*args):
    import io

    out = io.StringIO()
    call_command("score", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_run_list_filters_by_kind_and_year(client, county, admin_user):
    for kind, year, period in [(RunKind.MONTHLY, 2026, 3), (RunKind.QUARTERLY, 2026, 1), (RunKind.ANNUAL, 2025, 0)]:
        ScoringRun.objects.create(county=county, kind=kind, year=year, period=period, status=RunStatus.SUCCEEDED)
    client.force_login(admin_user)
    listed = lambda **q: [(r.kind, r.year) for r in client.get("/assessment/runs/", q).context["runs"]]  # noqa: E731
    assert listed(kind="quarterly") == [("quarterly", 2026)]
    assert sorted(listed(year=2026)) == [("monthly", 2026), ("quarterly", 2026)]
    assert len(listed(kind="nonsense")) == 3  # an unknown kind is no filter, not an error
