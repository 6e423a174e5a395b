"""Checks 10 and 12 on PostgreSQL: duplicate triggers and parallel submissions.

Threads each hold their own database connection, as separate web or worker processes
would; a barrier releases them together so they really race."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assessments import services
from assessments.choices import ReportStatus, RunKind, RunStatus
from assessments.models import MonthlyReport, ScoringRun
from assessments.services import runs
from tests import factories
from tests.integration.test_scoring import MONTH, YEAR, _county
from townships.choices import AuditAction
from townships.models import AuditEvent

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def race(count, action):
    """Run ``action(i)`` in ``count`` threads released at once; [(result or exception)]."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def body(index):
        try:
            barrier.wait()
            outcomes[index] = action(index)
        except Exception as exc:  # the outcome is what we count
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def sent(monkeypatch):
    """Messages the runs would send (counted, not sent: the scoring itself is not under test here)."""
    calls = []
    monkeypatch.setattr(runs.lifecycle, "publish_on_commit", lambda task, *args: calls.append((task.name, args)))
    return calls


def test_two_manual_triggers_and_two_beats_make_one_run(sent, figure):
    county = _county()
    manual = race(
        2,
        lambda _i: services.scoring_run_start(
            actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH
        ),
    )
    assert sum(isinstance(o, ScoringRun) for o in manual) == 1
    assert sum(isinstance(o, ValidationError) for o in manual) == 1
    run = ScoringRun.objects.get(county=county)

    # The same message delivered twice: one claim, the other does nothing.
    claims = race(2, lambda _i: runs.run_claim(run.pk))
    assert sorted(claims) == [0, 1]
    ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED)

    # Two beat processes on the 8th of the next month (allow_missing, as beat scores).
    import datetime

    beats = race(2, lambda _i: runs.score_last_month(today=datetime.date(YEAR, MONTH + 1, 8)))
    open_runs = ScoringRun.objects.filter(county=county, status=RunStatus.PENDING)
    assert sorted(beats) == [0, 1] and open_runs.count() == 1
    assert len(sent) == 2  # one message for the manual run, one for beat's
    figure("duplicate triggers", "2 manual triggers, a message twice, 2 beats: 1 run and 1 claim each time")


def test_twenty_parallel_submits_and_approvals_change_state_once(sent, figure):
    county = _county()
    staff = factories.township_staff(county.townships.first(), username="racer")
    admin = factories.county_admin(county, username="race-admin")
    report = MonthlyReport.objects.filter(township=staff.township).first()
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)

    submits = race(20, lambda _i: services.report_submit(actor=staff, report=report))
    assert sum(isinstance(o, MonthlyReport) for o in submits) == 1
    assert all(isinstance(o, (MonthlyReport, ValidationError)) for o in submits), submits
    assert AuditEvent.objects.filter(action=AuditAction.SUBMIT, target_id=str(report.pk)).count() == 1

    # Approving the month's last report starts the month's scoring: once, whoever races.
    approvals = race(20, lambda _i: services.report_review(actor=admin, report=report, approve=True))
    assert sum(isinstance(o, MonthlyReport) for o in approvals) == 1
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    assert ScoringRun.objects.filter(county=county).count() == 1
    assert len(sent) == 1
    figure("parallel submissions", "20 submits and 20 approvals of one report: 1 state change each, 1 run, 1 message")
