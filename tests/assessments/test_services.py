import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.choices import ReportStatus, RunKind, RunStatus, SchemeStatus, Target
from assessments.models import (
    AnnualRating,
    Indicator,
    RemovalFlag,
    ReportCorrection,
    Score,
    ScoreItem,
    ScoringRun,
    VoteResult,
)
from tests import factories
from townships import queue
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db


D = datetime.date
YEAR, MONTH = 2026, 3


def good_values(**overrides):
    return factories.report_values(
        key_project_progress=80,
        satisfaction=90,
        environment_score=85,
        collective_income=60000,
        pledged_matters_done=3,
        **overrides,
    )


def _approve_all(villages, admin, month=MONTH, **overrides):
    """File, submit and approve each village's report. Each approval commits as its request would, and
    what it enqueued on commit runs then: the month's scoring run once the month is complete.
    (``TestCase.captureOnCommitCallbacks`` is what pytest-django's ``django_capture_on_commit_callbacks``
    fixture gives; this helper is shared by modules whose tests do not take the fixture.)"""
    for village in villages:
        report = services.report_save(
            actor=admin, village=village, year=YEAR, month=month, values=good_values(**overrides)
        )
        services.report_submit(actor=admin, report=report)
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.report_review(actor=admin, report=report, approve=True)


def test_the_demo_scheme_adds_up_and_uses_known_metrics(scheme):
    assert services.scheme_problems(scheme) == []
    assert 20 <= Indicator.objects.filter(scheme=scheme).exclude(method="").count() <= 50


def test_a_scheme_whose_points_do_not_add_up_is_refused(scheme, admin_user):
    leaf = Indicator.objects.get(scheme=scheme, code="A01")
    with pytest.raises(ValidationError, match="与满分 1000 分不符"):
        services.indicator_save(actor=admin_user, scheme=scheme, indicator=leaf, max_points=Decimal(90))
    leaf.refresh_from_db()
    assert leaf.max_points == 80


def test_an_indicator_reading_an_unknown_metric_is_refused(scheme, admin_user):
    leaf = Indicator.objects.get(scheme=scheme, code="A01")
    with pytest.raises(ValidationError, match="不存在"):
        services.indicator_save(actor=admin_user, scheme=scheme, indicator=leaf, metric="nonsense")


def test_report_lifecycle(villages, admin_user, staff_user, scheme):
    village = villages[0]
    with pytest.raises(ValidationError, match="不能为负数"):
        services.report_save(
            actor=staff_user, village=village, year=YEAR, month=MONTH, values=good_values(petitions=-1)
        )
    report = services.report_save(actor=staff_user, village=village, year=YEAR, month=MONTH, values={"petitions": 1})
    with pytest.raises(ValidationError, match="还有未填写的项目"):
        services.report_submit(actor=staff_user, report=report)
    report = services.report_save(
        actor=staff_user, village=village, year=YEAR, month=MONTH, values=good_values(), version=report.version
    )
    services.report_submit(actor=staff_user, report=report)
    with pytest.raises(ValidationError, match="退回须说明原因"):
        services.report_review(actor=admin_user, report=report, approve=False)
    services.report_review(actor=admin_user, report=report, approve=False, reason="信访数与信访局台账不符")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    services.report_submit(actor=staff_user, report=report)
    services.report_review(actor=admin_user, report=report, approve=True)
    with pytest.raises(ValidationError, match="已报送或已审核"):
        services.report_save(
            actor=staff_user, village=village, year=YEAR, month=MONTH, values=good_values(), version=report.version
        )
    with pytest.raises(ValidationError, match="说明原因"):
        services.report_correct(actor=admin_user, report=report, metric="petitions", value=3, reason="")
    services.report_correct(actor=admin_user, report=report, metric="petitions", value=3, reason="信访局核实")
    report.refresh_from_db()
    assert report.values["petitions"] == 3
    assert ReportCorrection.objects.get().reason == "信访局核实"
    assert AuditEvent.objects.filter(action="override").exists()


def test_scoring_a_month_scores_every_village_and_explains_every_point(villages, admin_user, scheme, township):
    _approve_all(villages, admin_user, petitions=2)  # the last approval starts the run once it commits
    run = ScoringRun.objects.get(kind=RunKind.MONTHLY)
    assert run.status == RunStatus.SUCCEEDED
    scores = Score.objects.filter(year=YEAR, period=MONTH, target=Target.VILLAGE_SECRETARY)
    assert scores.count() == 4
    score = scores.get(village=villages[0])
    items = {i.indicator.code: i for i in ScoreItem.objects.filter(score=score).select_related("indicator")}
    assert items["B01"].points == Decimal(40)  # 50 − 2 × 5
    assert "扣 10 分" in items["B01"].explanation
    assert items["C01"].points == Decimal(80)  # ≥ ¥50,000
    assert score.total == sum((i.points for i in items.values() if not i.indicator.is_bonus), Decimal(0))
    assert {s.rank_in_township for s in scores.filter(township=township)} == {1}  # identical villages tie


def test_an_approval_whose_transaction_rolls_back_queues_no_run(
    villages, admin_user, scheme, monkeypatch, django_capture_on_commit_callbacks
):
    """The approval that completes the month asks for its run on commit. Inside a transaction that then
    rolls back, nothing is sent to the broker and no run exists; committed, the same approval queues it."""
    sent = []
    monkeypatch.setattr(queue, "publish", lambda task, *args: sent.append((task.name, args)))  # counted, not run
    _approve_all(villages[:3], admin_user)  # 3 of 4: the month is not complete, nothing is asked for
    last = services.report_save(actor=admin_user, village=villages[3], year=YEAR, month=MONTH, values=good_values())
    services.report_submit(actor=admin_user, report=last)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError, match="after the approval"):
        with transaction.atomic():
            services.report_review(actor=admin_user, report=last, approve=True)
            raise RuntimeError("a later step of the same transaction failed after the approval")
    assert sent == []
    assert not ScoringRun.objects.exists()
    last.refresh_from_db()
    assert last.status == ReportStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=last, approve=True)
    run = ScoringRun.objects.get(kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    assert sent == [("assessments.tasks.run_scoring", (run.pk,))]


def test_a_rerun_replaces_and_keeps_recorded_overrides(
    villages, admin_user, scheme, django_capture_on_commit_callbacks
):
    _approve_all(villages, admin_user)
    score = Score.objects.get(village=villages[0], target=Target.VILLAGE_SECRETARY)
    manual = ScoreItem.objects.get(score=score, indicator__code="A09")
    with pytest.raises(ValidationError, match="理由"):
        services.score_override(actor=admin_user, item=manual, points=25, reason="")
    with pytest.raises(ValidationError, match="0 到 30"):
        services.score_override(actor=admin_user, item=manual, points=31, reason="太高")
    services.score_override(actor=admin_user, item=manual, points=25, reason="述职报告质量较高")
    before = Score.objects.get(pk=score.pk).total
    assert before == score.total + 25
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(
            actor=admin_user, county_id=villages[0].township.county_id, kind=RunKind.MONTHLY, year=YEAR, period=MONTH
        )
    assert Score.objects.filter(village=villages[0], target=Target.VILLAGE_SECRETARY).count() == 1
    after = Score.objects.get(village=villages[0], target=Target.VILLAGE_SECRETARY)
    assert after.total == before
    assert ScoreItem.objects.get(score=after, indicator__code="A09").override_reason == "述职报告质量较高"
    assert AuditEvent.objects.filter(action="override", target_id=str(score.pk)).count() == 1


def test_a_failed_run_is_marked_failed_and_the_previous_scores_stand(
    villages, admin_user, scheme, django_capture_on_commit_callbacks
):
    _approve_all(villages, admin_user)
    before = dict(Score.objects.values_list("pk", "total"))
    with mock.patch("assessments.services.runs.compute.read_derived", side_effect=RuntimeError("database went away")):
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            services.scoring_run_start(
                actor=admin_user,
                county_id=villages[0].township.county_id,
                kind=RunKind.MONTHLY,
                year=YEAR,
                period=MONTH,
            )
    failed = ScoringRun.objects.filter(status=RunStatus.FAILED).get()
    assert "database went away" in failed.error
    assert dict(Score.objects.values_list("pk", "total")) == before


def test_one_open_run_per_period_and_cas_claims(villages, admin_user, scheme):
    county_id = villages[0].township.county_id
    _approve_all(villages, admin_user)
    run = services.scoring_run_start(
        actor=admin_user, county_id=county_id, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, enqueue=False
    )
    with pytest.raises(ValidationError, match="已有正在排队或计算中"):
        services.scoring_run_start(
            actor=admin_user, county_id=county_id, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, enqueue=False
        )
    assert services.run_claim(run.pk) == 1
    assert services.run_claim(run.pk) == 0  # a duplicated message does nothing
    chunk = run.chunks.first()
    assert services.chunk_claim(chunk.pk) == 1
    assert services.chunk_claim(chunk.pk) == 0


def test_a_chunk_runs_a_fixed_number_of_queries(township, admin_user, scheme):
    for size in (3, 9):
        villages = [factories.village_with_secretary(township, f"{size}-{i}") for i in range(size)]
        _approve_all(villages, admin_user, month=size)
        run = services.scoring_run_start(
            actor=admin_user,
            county_id=township.county_id,
            kind=RunKind.MONTHLY,
            year=YEAR,
            period=size,
            enqueue=False,
            allow_missing=True,  # the first size's villages filed no report for this month
        )
        services.run_claim(run.pk)
        chunk = run.chunks.get(township=township)
        services.chunk_claim(chunk.pk)
        with CaptureQueriesContext(connection) as queries:
            services.score_chunk_compute(chunk.pk)
        if size == 3:
            small = len(queries)
        else:
            assert len(queries) == small


def test_closed_months_refuse_reports_and_runs_and_lock_the_scheme(villages, admin_user, scheme, county):
    _approve_all(villages, admin_user)
    services.period_close(actor=admin_user, county=county, year=YEAR, month=MONTH)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.LOCKED
    with pytest.raises(ValidationError, match="已关账"):
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    with pytest.raises(ValidationError, match="已关账"):
        services.report_save(actor=admin_user, village=villages[0], year=YEAR, month=MONTH, values=good_values())
    with pytest.raises(ValidationError, match="生成新版本"):
        services.indicator_save(
            actor=admin_user,
            scheme=scheme,
            indicator=Indicator.objects.get(scheme=scheme, code="B01"),
            params={"per_event": 6},
        )
    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    assert (copy.version, copy.status, copy.indicators.count()) == (2, SchemeStatus.DRAFT, scheme.indicators.count())
    services.indicator_save(
        actor=admin_user, scheme=copy, indicator=copy.indicators.get(code="B01"), params={"per_event": 6}
    )


def test_annual_rating_quota_vote_rule_and_removal_flag_with_sign_off(villages, admin_user, scheme, county):
    for month in (1, 2):
        _approve_all(villages, admin_user, month=month)
    weakest = villages[0]
    person_id = Score.objects.filter(village=weakest).values_list("person_id", flat=True).first()
    AnnualRating.objects.create(
        person_id=person_id,
        village=weakest,
        township=weakest.township,
        year=YEAR - 1,
        daily=500,
        total=500,
        grade="incompetent",
        reason="历史",
    )
    VoteResult.objects.create(
        village=weakest,
        township=weakest.township,
        person_id=person_id,
        year=YEAR,
        score=400,
        incompetent_share=Decimal("0.45"),
    )
    from townships.models import CountySetting

    CountySetting.objects.create(county=county, key="annual.min_months", value=2)  # two months scored here
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    ratings = AnnualRating.objects.filter(year=YEAR)
    assert ratings.count() == 4
    assert ratings.get(village=weakest).grade == "incompetent"
    assert ratings.filter(grade="excellent").count() <= int(4 * Decimal("0.15"))
    flag = RemovalFlag.objects.get(person_id=person_id)
    assert flag.state == "flagged" and "连续 2 次" in flag.reason and not flag.decision
    with pytest.raises(ValidationError, match="意见"):
        services.removal_decide(actor=admin_user, flag=flag, decision="agree", opinion="  ")
    flag.refresh_from_db()
    assert not flag.decision
    services.removal_decide(actor=admin_user, flag=flag, decision="reject", opinion="已整改到位，本次不予调整")
    flag.refresh_from_db()
    assert flag.decided_by == admin_user and flag.decision == "reject"
    assert AuditEvent.objects.filter(action="approve", target_id=str(flag.pk)).exists()
    with pytest.raises(ValidationError, match="不能再次决定"):
        services.removal_decide(actor=admin_user, flag=flag, decision="agree", opinion="改为同意")
    flag.refresh_from_db()
    assert flag.decision == "reject"
