"""Stored scores: totals recomputed with the pure rule, ranks (vetoed last), overrides and manual entries."""

import uuid
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.bulk import copy_rows, staging_table
from townships.choices import AuditAction
from townships.models import Township
from townships.services import audit_record

from .. import scoring
from ..choices import PeriodKind
from ..models import (
    Indicator,
    Score,
    ScoreItem,
)
from .common import actor_or_none


def item_parts(items, indicators):
    """The pure rule's view of stored or computed items: effective points (after overrides)."""
    parts = []
    for indicator_id, points, veto, overridden in items:
        indicator = indicators[indicator_id]
        parts.append(
            scoring.ItemPoints(
                category=indicator.category,
                points=Decimal(points),
                is_bonus=indicator.is_bonus,
                veto=veto,
                veto_name=indicator.name,
                manual_pending=indicator.method == scoring.Method.MANUAL and not overridden,
            )
        )
    return parts


def total_columns(items, indicators, *, bonus_cap):
    """A score's stored total columns from its items (indicator id, effective points, veto,
    overridden): (total, by_category, veto, veto_reason, manual_pending), by the pure rule."""
    total = scoring.monthly_total(item_parts(items, indicators), bonus_cap=bonus_cap)
    by_category = {k: str(v) for k, v in total.by_category.items()}
    return total.total, by_category, total.veto, total.veto_reason[:300], total.manual_pending


def _generation_key(county_id):
    return f"scores-generation:{county_id or 'all'}"


def scores_generation(county_id):
    """The current generation of a county's stored scores: readers cache what they derive from
    scores under it (the scores API's pages), and every write to scores starts a new one."""
    generation = cache.get(_generation_key(county_id))
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(_generation_key(county_id), generation, None)
    return generation


def scores_generation_with(county_id, key):
    """The county's generation and what the cache holds under ``key``, in one round trip: a reader
    keeps its entry there with the generation it was made under, and trusts it only under the
    current one."""
    found = cache.get_many([_generation_key(county_id), key])
    generation = found.get(_generation_key(county_id)) or scores_generation(county_id)
    return generation, found.get(key)


def scores_changed(county_id):
    """A new generation for the county (and for users without one), once the writing transaction
    has committed — so no reader caches the old scores under the new generation."""

    def bump():
        cache.set_many({_generation_key(county_id): uuid.uuid4().hex, _generation_key(None): uuid.uuid4().hex}, None)

    transaction.on_commit(bump)


def rank_scores(*, county_id, period_kind, year, period):
    """Ranks within the township and the county, per target (a township's own score has a rank in
    the county only): a vetoed score below every clean one,
    then by total (competition ranking: equal totals share the better rank). One ``UPDATE … FROM``
    with window functions, whatever the county's size; ``scoring.competition_ranks`` states the
    same rule in Python and the tests hold the two to each other."""
    score, township = Score._meta.db_table, Township._meta.db_table
    order = "ORDER BY s.veto, s.total DESC"  # false sorts before true: clean scores first
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {score} SET rank_in_county = r.c,
                rank_in_township = CASE WHEN {score}.village_id IS NULL THEN NULL ELSE r.t END
            FROM (
                SELECT s.id,
                       RANK() OVER (PARTITION BY s.target {order}) AS c,
                       RANK() OVER (PARTITION BY s.target, s.township_id {order}) AS t
                FROM {score} s JOIN {township} tw ON tw.id = s.township_id
                WHERE tw.county_id = %s AND s.period_kind = %s AND s.year = %s AND s.period = %s
            ) r
            WHERE {score}.id = r.id
            """,  # noqa: S608 (table names from model metadata; values are parameters)
            [county_id, period_kind, year, period],
        )
    scores_changed(county_id)  # every write to scores (a run, an override, a retotal) ends by ranking


# The columns a finalize writes: the score rows and their items, keyed by (target, unit) — the
# village, or the township where ``village_id`` is empty (the township target).
SCORE_COLUMNS = (
    "target",
    "village_id",
    "person_id",
    "township_id",
    "scheme_id",
    "total",
    "by_category",
    "veto",
    "veto_reason",
    "manual_pending",
)
ITEM_COLUMNS = (
    "target",
    "village_id",
    "township_id",
    "indicator_id",
    "metric_value",
    "points",
    "explanation",
    "veto",
    "override_points",
    "override_reason",
    "overridden_by_id",
    "overridden_at",
)


def _staging_types():
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    return {
        "id": "bigint",
        "target": "varchar(24)",
        "village_id": "bigint",
        "person_id": "bigint",
        "township_id": "bigint",
        "scheme_id": "bigint",
        "indicator_id": "bigint",
        "total": "numeric(8, 2)",
        "points": "numeric(7, 2)",
        "override_points": "numeric(7, 2)",
        "by_category": json_type,
        "metric_value": json_type,
        "veto": "boolean",
        "veto_reason": "varchar(300)",
        "manual_pending": "integer",
        "explanation": "text",
        "override_reason": "varchar(300)",
        "overridden_by_id": "bigint",
        "overridden_at": "timestamp with time zone",
    }


def scores_write(*, run, score_rows, item_rows, now, period_kind, year, period):
    """Upsert a run's scores and replace their items: COPY into staging tables, then one
    ``INSERT … SELECT … ON CONFLICT`` per kind of unit (village, township) for the scores and one
    ``INSERT … SELECT`` joined on (target, unit) for the items. A province's month is a few
    statements per county."""
    types = _staging_types()
    score, item = Score._meta.db_table, ScoreItem._meta.db_table
    with (
        staging_table("_score_in", ", ".join(f"{c} {types[c]}" for c in SCORE_COLUMNS)),
        staging_table("_item_in", ", ".join(f"{c} {types[c]}" for c in ITEM_COLUMNS)),
        connection.cursor() as cursor,
    ):
        copy_rows("_score_in", SCORE_COLUMNS, score_rows)
        copy_rows("_item_in", ITEM_COLUMNS, item_rows)
        for unit, present in (("village_id", "IS NOT NULL"), ("township_id", "IS NULL")):
            kept = [c for c in SCORE_COLUMNS if c not in ("target", unit)]
            cursor.execute(
                f"""
                INSERT INTO {score} ({", ".join(SCORE_COLUMNS)}, period_kind, year, period, run_id, computed_at,
                    updated_at)
                SELECT {", ".join(SCORE_COLUMNS)}, %s, %s, %s, %s, %s, %s FROM _score_in WHERE village_id {present}
                ON CONFLICT (target, {unit}, period_kind, year, period) WHERE village_id {present} DO UPDATE SET
                {", ".join(f"{c} = excluded.{c}" for c in kept)},
                run_id = excluded.run_id, computed_at = excluded.computed_at, updated_at = excluded.updated_at
                """,  # noqa: S608 (names from model metadata and constants)
                [period_kind, year, period, run.pk, now, now],
            )
        # The items of the scores just written (this batch's targets): a run writes its villages, then its townships.
        cursor.execute(
            f"""
            DELETE FROM {item} WHERE score_id IN (
                SELECT id FROM {score} WHERE run_id = %s AND target IN (SELECT DISTINCT target FROM _score_in)
            )
            """,  # noqa: S608 (names from model metadata and constants)
            [run.pk],
        )
        columns = [c for c in ITEM_COLUMNS if c not in ("target", "village_id", "township_id")]
        cursor.execute(
            f"""
            INSERT INTO {item} (score_id, {", ".join(columns)})
            SELECT s.id, {", ".join(f"i.{c}" for c in columns)}
            FROM _item_in i JOIN {score} s ON s.target = i.target AND s.township_id = i.township_id
                AND COALESCE(s.village_id, 0) = COALESCE(i.village_id, 0)
            WHERE s.period_kind = %s AND s.year = %s AND s.period = %s
            """,  # noqa: S608 (names from model metadata and constants)
            [period_kind, year, period],
        )


@transaction.atomic
def score_override(*, actor, item, points, reason, request=None):
    """An assessor's entry for a manual indicator, or a recorded override of a computed one."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("人工调整须说明理由。")})
    item = ScoreItem.objects.select_for_update().select_related("indicator", "score").get(pk=item.pk)
    try:
        points = Decimal(str(points))
    except ArithmeticError:
        raise ValidationError({"points": _("请输入数字。")}) from None
    if not points.is_finite() or points < 0 or points > item.indicator.max_points:
        raise ValidationError(
            {"points": _("调整后得分须在 0 到 %(max)s 分之间。") % {"max": scoring._fmt(item.indicator.max_points)}}
        )
    old = item.effective_points
    item.override_points, item.override_reason = points, reason.strip()
    item.overridden_by, item.overridden_at = actor_or_none(actor), timezone.now()
    item.save()
    score = score_retotal(item.score)
    rank_scores(county_id=score.township.county_id, period_kind=score.period_kind, year=score.year, period=score.period)
    if score.village_id is not None and score.period_kind == PeriodKind.MONTH:
        from .runs import townships_rescore  # runs write through this module: import at call time

        # The townships are scored from their villages' totals: they follow this one.
        townships_rescore(county_id=score.township.county_id, year=score.year, month=score.period)
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=score,
        detail={"indicator": item.indicator.code, "old": str(old), "new": str(points), "reason": item.override_reason},
        request=request,
    )
    return item


def score_retotal(score):
    """Recompute a stored score's total from its items (effective points) with the pure rule."""
    scores_retotal([score.pk])
    return Score.objects.select_related("scheme", "township").get(pk=score.pk)


def scores_retotal(score_ids):
    """Recompute stored totals from their items (effective points) with the pure rule: three reads
    of plain rows and one ``UPDATE … FROM`` a staging table, whatever the number of scores."""
    score_ids = list(score_ids)
    if not score_ids:
        return
    caps = dict(Score.objects.filter(pk__in=score_ids).values_list("pk", "scheme__bonus_cap"))
    rows = {}
    for score_id, indicator_id, points, override, veto in ScoreItem.objects.filter(score_id__in=caps).values_list(
        "score_id", "indicator_id", "points", "override_points", "veto"
    ):
        effective = override if override is not None else points
        rows.setdefault(score_id, []).append((indicator_id, effective, veto, override is not None))
    indicators = Indicator.objects.in_bulk({i for items in rows.values() for i, *_rest in items})
    updates = [(pk, *total_columns(rows.get(pk, []), indicators, bonus_cap=cap)) for pk, cap in caps.items()]
    types = _staging_types()
    columns = ("id", "total", "by_category", "veto", "veto_reason", "manual_pending")
    definition = ", ".join(f"{c} {types[c]}" for c in columns)
    table = Score._meta.db_table
    with staging_table("_retotal", definition), connection.cursor() as cursor:
        copy_rows("_retotal", columns, updates)
        cursor.execute(
            f"""
            UPDATE {table} SET total = r.total, by_category = r.by_category, veto = r.veto,
                veto_reason = r.veto_reason, manual_pending = r.manual_pending, updated_at = %s
            FROM _retotal r WHERE {table}.id = r.id
            """,  # noqa: S608 (names from model metadata and constants)
            [timezone.now()],
        )
