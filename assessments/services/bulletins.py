"""Quarterly bulletins (季度通报)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction, Role
from townships.models import User
from townships.services import audit_record, notify
from villages.models import Village

from .. import scoring
from ..choices import (
    VILLAGE_TARGETS,
    AssessmentMessageKind,
    Category,
    PeriodKind,
    ReportStatus,
    Target,
)
from ..models import (
    Bulletin,
    MonthlyReport,
    Score,
)
from ..selectors.townships import township_quarter
from .common import actor_or_none


def bulletin_compute(*, county_id, year, quarter, run=None):
    """季度通报, for each target the county assesses: the quarter's average per village over its
    three months, ranks in the township and the county (a veto in any month ranks below every
    clean village), movers up and down (last month against the first), lagging categories, and
    the villages left out because a month has no score (缺报 / 待审核)."""
    months = [3 * (quarter - 1) + m for m in (1, 2, 3)]
    villages = list(
        Village.objects.filter(township__county_id=county_id, is_active=True)
        .order_by("township__sort_key", "sort_key", "name")
        .values_list("pk", "name", "township_id", "township__name")
    )
    rows = Score.objects.filter(
        township__county_id=county_id, period_kind=PeriodKind.MONTH, year=year, period__in=months, village__isnull=False
    ).values_list("target", "village_id", "period", "total", "veto", "veto_reason", "by_category")
    by_target = {}
    for target, village_id, period, total, veto, veto_reason, by_category in rows:
        entry = by_target.setdefault(target, {}).setdefault(village_id, {"totals": {}, "vetoes": [], "categories": {}})
        entry["totals"][period] = total
        if veto:
            entry["vetoes"].append(f"{period}月{veto_reason}")
        for category, points in (by_category or {}).items():
            entry["categories"][category] = entry["categories"].get(category, Decimal(0)) + Decimal(points)
    approved = set(
        MonthlyReport.objects.filter(
            township__county_id=county_id, year=year, month__in=months, status=ReportStatus.APPROVED
        ).values_list("village_id", "month")
    )
    targets = []
    for target in VILLAGE_TARGETS:
        scored = by_target.get(target)
        if not scored:
            continue
        table, left_out = [], []
        for village_id, name, township_id, township in villages:
            entry = scored.get(village_id)
            missing = [m for m in months if not entry or m not in entry["totals"]]
            if missing:
                left_out.append(
                    {
                        "village": name,
                        "township_id": township_id,
                        "township": township,
                        "missing": [
                            _("%(m)s月（书记空缺）") % {"m": m}
                            if (village_id, m) in approved
                            else _("%(m)s月（缺报或未审核）") % {"m": m}
                            for m in missing
                        ],
                    }
                )
                continue
            totals = [entry["totals"][m] for m in months]
            table.append(
                {
                    "village_id": village_id,
                    "village": name,
                    "township_id": township_id,
                    "township": township,
                    "months": [float(t) for t in totals],
                    "average": float(scoring._q(sum(totals, Decimal(0)) / 3)),
                    "change": float(scoring._q(totals[-1] - totals[0])),
                    "veto": bool(entry["vetoes"]),
                    "veto_reason": "；".join(entry["vetoes"]),
                    "categories": {k: float(scoring._q(v / 3)) for k, v in entry["categories"].items()},
                }
            )
        key = lambda r: scoring.ranking_key(r["average"], r["veto"])  # noqa: E731
        county_ranks = scoring.competition_ranks(table, key=key)
        for index, rank in county_ranks.items():
            table[index]["rank_in_county"] = rank
        groups = {}
        for index, row in enumerate(table):
            groups.setdefault(row["township"], []).append(index)
        for indexes in groups.values():
            members = [table[i] for i in indexes]
            for local, rank in scoring.competition_ranks(members, key=key).items():
                members[local]["rank_in_township"] = rank
        table.sort(key=lambda r: (r["rank_in_county"], r["township"], r["village"]))
        averages = {}
        for row in table:
            for category, points in row["categories"].items():
                averages[category] = averages.get(category, 0) + points / len(table)
        lagging = sorted(
            (
                {"village": r["village"], "township": r["township"], "category": str(Category(c).label), "points": p}
                for r in table
                for c, p in r["categories"].items()
                if averages.get(c) and p < 0.8 * averages[c]
            ),
            key=lambda x: (x["category"], x["points"]),
        )
        targets.append(
            {
                "target": target,
                "label": str(Target(target).label),
                "rows": table,
                "up": sorted((r for r in table if r["change"] > 0), key=lambda r: -r["change"])[:5],
                "down": sorted((r for r in table if r["change"] < 0), key=lambda r: r["change"])[:5],
                "category_averages": {k: round(v, 2) for k, v in averages.items()},
                "lagging": lagging,
                "left_out": left_out,
            }
        )
    townships = township_quarter(county_id=county_id, year=year, months=months)
    if townships:
        targets.append(townships)
    data = {"targets": targets, "months": months}
    # Computed again, it is a new draft: the county reads it and publishes it again.
    bulletin, _created = Bulletin.objects.update_or_create(
        county_id=county_id,
        year=year,
        quarter=quarter,
        defaults={"data": data, "run": run, "published_at": None, "published_by": None},
    )
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor, bulletin, request=None):
    """Issue the 季度通报 to every township of the county: from now on every user of the county
    reads it whole. Audited; each township's office is told once."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.published_at is not None:
        raise ValidationError(_("该季度通报已经发布。"))
    bulletin.published_at, bulletin.published_by = timezone.now(), actor_or_none(actor)
    bulletin.save(update_fields=["published_at", "published_by"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=bulletin,
        detail={"bulletin": f"{bulletin.year}-Q{bulletin.quarter}", "published": True},
        request=request,
    )
    title = _("%(y)s年第%(q)s季度通报已发布") % {"y": bulletin.year, "q": bulletin.quarter}
    notify(
        User.objects.filter(county_id=bulletin.county_id, role=Role.TOWNSHIP_STAFF, is_active=True),
        kind=AssessmentMessageKind.BULLETIN_PUBLISHED,
        title=title,
        url=reverse("bulletin-detail", args=[bulletin.year, bulletin.quarter]),
        key=f"bulletin:{bulletin.pk}:{bulletin.published_at.isoformat()}",
    )
    # A published quarter is a result 约谈 follow (ranked last N quarters running, petitions).
    from .talks import talks_apply

    talks_apply(county_id=bulletin.county_id, year=bulletin.year, quarter=bulletin.quarter)
    return bulletin
