"""A run's life: queued (``scoring_run_start``), dispatched (claimed, fanned out per township or
computed here), finalized in one transaction or failed with its reason, and told to whoever asked."""

import datetime
import logging
import traceback

from celery import chord
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.models import County, Township
from townships.queue import publish_on_commit
from townships.services import audit_record, county_admin_recipients, notify
from villages.models import Village

from ...choices import AssessmentMessageKind, PeriodKind, RunKind, RunStatus, SchemeStatus, Target
from ...metrics.township import RATING_METRICS
from ...models import DirtyPeriod, Indicator, Scheme, Score, ScoreItem, ScoringChunk, ScoringRun
from ...selectors import month_coverage, period_is_closed
from ..bulletins import bulletin_compute
from ..common import actor_or_none
from ..ratings import annual_rating_compute
from ..schemes import active_schemes
from ..scores import rank_scores, scores_write, total_columns
from ..townships import township_year_compute
from .claims import chunk_claim, heartbeat, run_claim
from .compute import score_chunks_compute, score_townships
from .dirty import period_mark_dirty, period_mark_scored

logger = logging.getLogger(__name__)


def scoring_run_start(*, actor, county_id, kind, year, period=0, request=None, enqueue=True, allow_missing=False):
    """Queue a run: one chunk per township; the work starts after this transaction commits.

    A monthly run with reports still missing is the county's choice (``allow_missing``): the
    villages without an approved report are left out and listed on the run; a month with no
    approved report at all is refused.
    """
    # Enqueue: the tasks module imports this one, so the task is looked up when it is sent.
    from ...tasks import run_scoring

    if kind == RunKind.MONTHLY and not 1 <= int(period) <= 12:
        raise ValidationError({"period": _("月份应在 1 到 12 之间。")})
    if kind == RunKind.QUARTERLY and not 1 <= int(period) <= 4:
        raise ValidationError({"period": _("季度应在 1 到 4 之间。")})
    if kind == RunKind.MONTHLY and period_is_closed(county_id, year, period):
        raise ValidationError(_("%(y)s年%(m)s月已关账，分数只能通过人工调整更改。") % {"y": year, "m": period})
    # The first reason a county cannot be scored is that it has no scheme for the year.
    schemes = active_schemes(county_id=county_id, year=year)
    if not schemes and kind != RunKind.QUARTERLY:
        raise ValidationError(_("%(y)s 年没有启用的考核方案。") % {"y": year})
    if kind == RunKind.MONTHLY:
        expected, approved = month_coverage(county_id=county_id, year=year, month=period)
        if not approved:
            raise ValidationError(
                _("%(y)s年%(m)s月还没有已审核的月报，无法评分。") % {"y": year, "m": period}, code="no_reports"
            )
        if approved < expected and not allow_missing:
            raise ValidationError(
                _(
                    "%(y)s年%(m)s月应报 %(e)s 个村（社区），已审核 %(a)s 个，还有 %(n)s 个缺报或待审核。"
                    "确认计算后这些村不计分、不参加排名，补报审核后自动重算。"
                )
                % {"y": year, "m": period, "e": expected, "a": approved, "n": expected - approved},
                code="missing_reports",
            )
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(
                county_id=county_id, kind=kind, year=year, period=period, requested_by=actor_or_none(actor)
            )
            townships = list(Township.objects.filter(county_id=county_id, is_active=True).values_list("pk", flat=True))
            if kind == RunKind.MONTHLY:
                ScoringChunk.objects.bulk_create([ScoringChunk(run=run, township_id=t) for t in townships])
                run.chunks_total = len(townships)
                run.save(update_fields=["chunks_total"])
            audit_record(actor=actor, action=AuditAction.CREATE, target=run, detail={"kind": kind}, request=request)
    except IntegrityError:
        raise ValidationError(_("该期间已有正在排队或计算中的评分批次。"), code="run_open") from None
    if enqueue:
        # Never fails the request: if the broker is away the pending run is sent by the sweeper.
        publish_on_commit(run_scoring, run.pk)
    return run


# The database went away (restart, failover, network): nothing can be recorded on this
# connection. The step is left as it is (a chunk claimed, a run running) and the sweeper
# hands it out again once the lease has run out and the database answers.
LOST_DATABASE = (OperationalError, InterfaceError)


def _forget_connection():
    """Drop a connection the database has closed, so the next query opens a new one."""
    try:
        connection.close()
    except DatabaseError:
        pass


def chunk_fail(chunk_id, error):
    chunk = ScoringChunk.objects.get(pk=chunk_id)
    ScoringChunk.objects.filter(pk=chunk_id).update(
        status=RunStatus.FAILED, error=error[-2000:], finished_at=timezone.now()
    )
    run_fail(chunk.run_id, _("乡镇分块计算失败：%(e)s") % {"e": error[-1500:]})


def run_fail(run_id, error):
    failed = ScoringRun.objects.filter(pk=run_id, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, error=error[-4000:], finished_at=timezone.now()
    )
    if failed:
        run_tell(run_id)


def run_tell(run_id):
    """Whoever asked for a run (the county's administrators for a scheduled one) hears how it ended."""
    run = ScoringRun.objects.select_related("requested_by").get(pk=run_id)
    recipients = [run.requested_by] if run.requested_by_id else county_admin_recipients(run.county_id)
    what = {"y": run.year, "p": run.period, "k": run.get_kind_display()}
    failed = run.status == RunStatus.FAILED
    if run.kind == RunKind.MONTHLY:
        title = _("%(y)s年%(p)s月评分失败") if failed else _("%(y)s年%(p)s月评分完成")
    else:
        title = _("%(y)s年度%(k)s失败") if failed else _("%(y)s年度%(k)s完成")
    body = (
        _("请在“评分任务与通报”页查看原因后重新发起。")
        if failed
        else _("已评 %(s)s 个村（应评 %(e)s 个）。") % {"s": run.villages_scored, "e": run.villages_expected}
        if run.kind == RunKind.MONTHLY
        else ""
    )
    notify(
        recipients,
        kind=AssessmentMessageKind.RUN_FAILED if failed else AssessmentMessageKind.RUN_FINISHED,
        title=title % what,
        body=body,
        url=reverse("run-list"),
        coalesce=True,  # the period scored again (a late report) supersedes the unread news of it
    )


def _write_rows(run, rows, *, overrides, township_of, now, key):
    """Write some computed rows of one run (one kind of unit): their totals by the pure rule after
    the recorded overrides, then ``scores_write``."""
    schemes = {s.pk: s for s in Scheme.objects.filter(pk__in={row["scheme"] for row in rows})}
    indicators = {i.pk: i for i in Indicator.objects.filter(scheme__in=schemes)}
    score_rows, item_rows = [], []
    for row in rows:
        effective = []
        village_id = row["village"]
        township_id = township_of[village_id] if village_id is not None else row["township"]
        for indicator_id, value, points, explanation, veto in row["items"]:
            kept = overrides.get((row["target"], village_id, township_id, indicator_id))
            effective.append((indicator_id, kept.override_points if kept else points, veto, kept is not None))
            item_rows.append(
                (row["target"], village_id, township_id, indicator_id, value, points, explanation, veto)
                + (
                    (kept.override_points, kept.override_reason, kept.overridden_by_id, kept.overridden_at)
                    if kept is not None
                    else (None, "", None, None)
                )
            )
        score_rows.append(
            (row["target"], village_id, row["person"], township_id, row["scheme"])
            + total_columns(effective, indicators, bonus_cap=schemes[row["scheme"]].bonus_cap)
        )
    scores_write(run=run, score_rows=score_rows, item_rows=item_rows, now=now, **key)
    return schemes


def ratings_read_next_year(*, county_id, year):
    """A year's ratings computed: the next year's scored months whose townships read last year's
    grades (上年度评定优秀/不称职比例) are dirty and scored again (``rescore_if_dirty``)."""
    months = (
        Score.objects.filter(
            township__county_id=county_id,
            target=Target.TOWNSHIP,
            period_kind=PeriodKind.MONTH,
            year=year + 1,
            items__indicator__metric__in=RATING_METRICS,
        )
        .values_list("period", flat=True)
        .distinct()
    )
    for month in sorted(set(months)):
        period_mark_dirty(county_id=county_id, kind=RunKind.MONTHLY, year=year + 1, period=month)
    return len(set(months))


@transaction.atomic
def townships_rescore(*, county_id, year, month):
    """Score a month's townships again from their villages' stored scores (after a village score was
    overridden or entered: the township's mean follows it, in a closed month too). Written under the
    month's last successful run, with the township items' own overrides kept; then ranked."""
    run = (
        ScoringRun.objects.filter(
            county_id=county_id, kind=RunKind.MONTHLY, year=year, period=month, status=RunStatus.SUCCEEDED
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if run is None:
        return 0
    key = {"period_kind": PeriodKind.MONTH, "year": year, "period": month}
    rows = score_townships(run=run, conf=settings_for(county_id))
    if not rows:
        return 0
    existing = Score.objects.filter(township__county_id=county_id, target=Target.TOWNSHIP, **key)
    overrides = {
        (item.score.target, None, item.score.township_id, item.indicator_id): item
        for item in ScoreItem.objects.filter(score__in=existing, override_points__isnull=False).select_related("score")
    }
    # The township rows are written under the month's run, so the stale ones are those of other townships.
    Score.objects.filter(pk__in=existing).update(run=run)
    _write_rows(run, rows, overrides=overrides, township_of={}, now=timezone.now(), key=key)
    existing.exclude(township_id__in=[row["township"] for row in rows]).delete()
    rank_scores(county_id=county_id, **key)
    return len(rows)


@transaction.atomic
def run_finalize(run_id):
    """Write every chunk's scores in one transaction, keep recorded overrides, rank, finish the run."""
    run = ScoringRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return 0
    chunks = list(ScoringChunk.objects.filter(run=run).select_related("township"))
    if any(c.status != RunStatus.SUCCEEDED for c in chunks):
        return 0  # not all chunks are done yet (the sweeper will come back)
    now = timezone.now()
    rows = [row for chunk in chunks for row in chunk.result]
    left_out = [{**entry, "township": chunk.township.name} for chunk in chunks for entry in chunk.left_out]
    township_of = dict(Village.objects.filter(township__county_id=run.county_id).values_list("pk", "township_id"))
    key = {"period_kind": PeriodKind.MONTH, "year": run.year, "period": run.period}
    existing = Score.objects.filter(township__county_id=run.county_id, **key)
    overrides = {
        (item.score.target, item.score.village_id, item.score.township_id, item.indicator_id): item
        for item in ScoreItem.objects.filter(score__in=existing, override_points__isnull=False).select_related("score")
    }
    schemes = _write_rows(run, rows, overrides=overrides, township_of=township_of, now=now, key=key)
    # The townships are scored from their villages' scores as just written (the same transaction).
    township_rows = score_townships(run=run, conf=settings_for(run.county_id))
    if township_rows:
        schemes.update(_write_rows(run, township_rows, overrides=overrides, township_of=township_of, now=now, key=key))
    rows += township_rows
    existing.exclude(run=run).delete()  # units no longer scored (no approved report, deactivated, no secretary)
    rank_scores(county_id=run.county_id, **key)
    # A scheme that has scored a month is never edited in place again: changes go into a new version.
    Scheme.objects.filter(pk__in=schemes, status=SchemeStatus.ACTIVE).update(status=SchemeStatus.LOCKED)
    period_mark_scored(run)
    expected = Village.objects.filter(township__county_id=run.county_id, is_active=True).count()
    ScoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        chunks_done=len(chunks),
        targets_scored=len(rows),
        villages_expected=expected,
        villages_scored=expected - len(left_out),
        left_out=left_out,
    )
    run_tell(run.pk)
    return len(rows)


def run_dispatch(run_id, *, synchronous=False):
    """The one orchestration of a run, for the Celery tasks and the synchronous path alike.

    Claims the run (a duplicated message does nothing and returns None). A monthly run scores one
    chunk per township — a Celery chord ending in finalize, or here in this process when
    ``synchronous`` — and a quarterly or annual run computes here; each ends succeeded or failed
    with its reason.
    """
    if not run_claim(run_id):
        return None
    run = ScoringRun.objects.get(pk=run_id)
    if run.kind == RunKind.MONTHLY:
        chunk_ids = list(run.chunks.order_by("pk").values_list("pk", flat=True))
        if synchronous:
            for batch in chunk_batches(chunk_ids):
                chunks_run(batch)
            return run_finish(run_id)
        # Enqueue: the tasks module imports this one, so the tasks are looked up when they are sent.
        from ...tasks import finalize_run, score_chunks

        try:
            chord(score_chunks.s(batch) for batch in chunk_batches(chunk_ids))(finalize_run.s(run_id))
        except BrokerUnavailable:  # the broker went away between claim and fan-out: the sweeper sends the chunks
            return 0
        return len(chunk_ids)
    try:
        with heartbeat(ScoringRun.objects.filter(pk=run_id)):
            if run.kind == RunKind.ANNUAL:
                count = annual_rating_compute(county_id=run.county_id, year=run.year, run=run)
                township_year_compute(county_id=run.county_id, year=run.year, run=run)
                ratings_read_next_year(county_id=run.county_id, year=run.year)
            else:
                bulletin_compute(county_id=run.county_id, year=run.year, quarter=run.period, run=run)
                count = 1
    except LOST_DATABASE:
        _forget_connection()
        raise
    except Exception:
        run_fail(run_id, traceback.format_exc())
        raise
    with transaction.atomic():
        # Pending again only if the sweeper took it for dead: this result is as good as the next one's.
        finished = ScoringRun.objects.filter(pk=run_id, status__in=[RunStatus.RUNNING, RunStatus.PENDING]).update(
            status=RunStatus.SUCCEEDED, finished_at=timezone.now(), targets_scored=count
        )
        if finished:
            period_mark_scored(run)
    if finished:
        run_tell(run_id)
        rescore_if_dirty(run)
    return count


def chunk_run(chunk_id):
    """Claim and score one township's chunk (the sweeper sends chunks back one by one)."""
    return chunks_run([chunk_id])


def chunks_run(chunk_ids):
    """Claim the chunks this worker can have and score them together; a failure marks the claimed
    chunks and their run failed with the reason."""
    claimed = [chunk_id for chunk_id in chunk_ids if chunk_claim(chunk_id)]
    if not claimed:
        return 0
    try:
        with heartbeat(ScoringChunk.objects.filter(pk__in=claimed)):
            return score_chunks_compute(claimed)
    except LOST_DATABASE:
        _forget_connection()
        raise
    except Exception:
        for chunk_id in claimed:
            chunk_fail(chunk_id, traceback.format_exc())
        raise


def chunk_batches(chunk_ids):
    """The run's chunks in groups of SCORING_TOWNSHIPS_PER_TASK: one Celery task a group."""
    size = max(1, settings.SCORING_TOWNSHIPS_PER_TASK)
    return [chunk_ids[i : i + size] for i in range(0, len(chunk_ids), size)]


def run_finish(run_id):
    """Finalize a monthly run once its chunks are done; a failure marks the run failed with its reason.
    A month whose inputs changed while it computed is then scored again (``rescore_if_dirty``)."""
    try:
        count = run_finalize(run_id)
    except LOST_DATABASE:
        _forget_connection()
        raise
    except Exception:
        run_fail(run_id, traceback.format_exc())
        raise
    run = ScoringRun.objects.get(pk=run_id)
    if run.status == RunStatus.SUCCEEDED:
        rescore_if_dirty(run)
    return count


def rescore_if_dirty(key):
    """Score a dirty period (see ``DirtyPeriod``) again, once: ``key`` is a run or a DirtyPeriod of it.

    Nothing for a period never scored (its first run is the county's or the beat job's), nor while a
    run of it is queued or computing (its finish comes back here), nor when its last run started
    after the change and failed (the county was told, and restarts it).
    A period that cannot be scored any more (closed since, no scheme) is not tried again.
    Called when a run finishes and by the sweeper, so a change is scored whatever the timing.
    """
    where = {"county_id": key.county_id, "kind": key.kind, "year": key.year, "period": key.period}
    mark = DirtyPeriod.objects.filter(**where).first()
    if mark is None or not mark.is_dirty:
        return None
    last = ScoringRun.objects.filter(**where).order_by("-created_at", "-pk").first()
    if (
        last is None
        or last.status in (RunStatus.PENDING, RunStatus.RUNNING)
        or (last.status == RunStatus.FAILED and last.created_at >= mark.changed_at)
    ):
        return None
    try:
        return scoring_run_start(actor=None, allow_missing=True, **where)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "run_open":
            return None  # another finish or the sweeper started it just now
        DirtyPeriod.objects.filter(pk=mark.pk, generation=mark.generation).update(scored_generation=mark.generation)
        logger.info("%s %s-%s of county %s not scored again: %s", key.kind, key.year, key.period, key.county_id, exc)
        return None


def run_synchronously(run):
    """Do a queued run in this process (management commands, the demo loader): the same steps as the tasks."""
    result = run_dispatch(run.pk, synchronous=True)
    if result is None:
        raise ValidationError(_("该批次已被其他进程领取。"))
    return result


def score_counties(*, year, month, counties=None, allow_missing=True, enqueue=True, actor=None):
    """Start a monthly run for every active county (or those given) that can be scored.

    Returns ``(runs, skipped)``: the runs started, and ``(county, reason)`` for every county left
    alone — its month closed, no active scheme for the year, no approved report, reports missing
    without ``allow_missing``, or a run already queued — so a province is scored in one call and
    says what it did not score and why.
    """
    if counties is None:
        counties = County.objects.filter(is_active=True)
    started, skipped = [], []
    for county in counties.order_by("pk"):
        if period_is_closed(county.pk, year, month):
            skipped.append((county, _("%(y)s年%(m)s月已关账。") % {"y": year, "m": month}))
            continue
        try:
            run = scoring_run_start(
                actor=actor,
                county_id=county.pk,
                kind=RunKind.MONTHLY,
                year=year,
                period=month,
                enqueue=enqueue,
                allow_missing=allow_missing,
            )
        except ValidationError as exc:
            skipped.append((county, " ".join(exc.messages)))
        else:
            started.append(run)
    return started, skipped


def score_last_month(*, today):
    """Beat: score last month for every county with an active scheme (a no-op where one is queued).

    After the deadline the month is scored with what has been approved; villages still missing
    are left out and listed, and a late approval scores the month again. Each county skipped is
    logged with its reason.
    """
    last = today.replace(day=1) - datetime.timedelta(days=1)
    started, skipped = score_counties(year=last.year, month=last.month)
    for county, reason in skipped:
        logger.info("score_last_month %s-%02d: skipped %s: %s", last.year, last.month, county.name, reason)
    return len(started)
