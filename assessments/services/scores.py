"""Stored scores: totals recomputed with the pure rule, ranks (vetoed last), overrides and manual entries."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.services import audit_record

from .. import scoring
from ..models import (
    Score,
    ScoreItem,
)
from .common import WRITE_BATCH, actor_or_none


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


def rank_scores(*, county_id, period_kind, year, period):
    """Ranks within the township and the county, per target: a vetoed score below every clean one,
    then by total (competition ranking: equal totals share the better rank)."""
    rows = list(
        Score.objects.filter(
            township__county_id=county_id, period_kind=period_kind, year=year, period=period
        ).values_list("pk", "target", "township_id", "total", "veto")
    )
    county, township = {}, {}
    for row in rows:
        county.setdefault(row[1], []).append(row)
        township.setdefault((row[1], row[2]), []).append(row)
    rank_of = {pk: [None, None] for pk, *_rest in rows}
    for slot, groups in ((0, county), (1, township)):
        for members in groups.values():
            ranks = scoring.competition_ranks(members, key=lambda r: scoring.ranking_key(r[3], r[4]))
            for index, rank in ranks.items():
                rank_of[members[index][0]][slot] = rank
    updates = [Score(pk=pk, rank_in_county=c, rank_in_township=t) for pk, (c, t) in rank_of.items()]
    Score.objects.bulk_update(updates, ["rank_in_county", "rank_in_township"], batch_size=WRITE_BATCH)


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
    """Recompute stored totals from their items (effective points), in a fixed number of queries."""
    scores = {s.pk: s for s in Score.objects.filter(pk__in=score_ids).select_related("scheme")}
    rows = {}
    for item in ScoreItem.objects.filter(score_id__in=scores).select_related("indicator"):
        rows.setdefault(item.score_id, []).append(item)
    now = timezone.now()
    for pk, score in scores.items():
        items = rows.get(pk, [])
        total = scoring.monthly_total(
            item_parts(
                [(r.indicator_id, r.effective_points, r.veto, r.override_points is not None) for r in items],
                {r.indicator_id: r.indicator for r in items},
            ),
            bonus_cap=score.scheme.bonus_cap,
        )
        score.total, score.veto, score.veto_reason = total.total, total.veto, total.veto_reason[:300]
        score.by_category = {k: str(v) for k, v in total.by_category.items()}
        score.manual_pending, score.updated_at = total.manual_pending, now
    Score.objects.bulk_update(
        scores.values(),
        ["total", "veto", "veto_reason", "by_category", "manual_pending", "updated_at"],
        batch_size=WRITE_BATCH,
    )
