"""Reads for villages and organizations."""

import datetime

from django.db.models import Count, Q

from townships.scoping import scope_for

from .models import PartyOrganization, Village


def village_list(*, user):
    return scope_for(user, Village.objects.select_related("township"))


def organization_list(*, user):
    return scope_for(
        user,
        PartyOrganization.objects.select_related("township", "village", "parent").annotate(
            n_joint=Count("joint_villages")
        ),
    )


def organization_tree(*, organization):
    """Ancestors (top first) and active children of an organization: one query per level above."""
    ancestors = []
    node = organization.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    children = list(
        organization.children.select_related("village").annotate(
            n_children=Count("children", filter=Q(children__is_active=True))
        )
    )
    return ancestors, children


def weak_candidates(*, user, today):
    """Villages the records point at (DOMAIN §6): secretary vacancy, meetings not held, no 发展对象,
    last place in the annual ranking, low satisfaction or concentrated petitions last month.
    A fixed number of queries; villages already in rectification are left out."""
    from assessments.models import AnnualRating, MonthlyReport
    from cadres.selectors import AlertCode, alerts_for
    from townships.models import Township

    from .models import WeakDesignation

    townships = scope_for(user, Township.objects.filter(is_active=True))
    open_ids = set(
        WeakDesignation.objects.filter(township__in=townships, status="rectifying").values_list("village_id", flat=True)
    )
    reasons = {}
    wanted = {AlertCode.SECRETARY_VACANT, AlertCode.MEETINGS_MISSING, AlertCode.NO_CANDIDATE}
    names = {}
    for alert in alerts_for(townships=townships, today=today):
        if alert.code in wanted and alert.village_id:
            reasons.setdefault(alert.village_id, []).append((alert.code, f"{alert.label}：{alert.message}"))
            names[alert.village_id] = (alert.township_name, alert.village_name)
    last_year = (
        AnnualRating.objects.filter(township__in=townships).order_by("-year").values_list("year", flat=True).first()
    )
    if last_year:
        last = (
            AnnualRating.objects.filter(township__in=townships, year=last_year)
            .select_related("village", "township")
            .order_by("-rank_in_county")
            .first()
        )
        if last:
            reasons.setdefault(last.village_id, []).append(("last_place", f"{last_year} 年度评定全县最后一名"))
            names[last.village_id] = (last.township.name, last.village.name)
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    for report in MonthlyReport.objects.filter(
        township__in=townships, year=month_end.year, month=month_end.month
    ).select_related("village", "township"):
        satisfaction = report.values.get("satisfaction")
        if satisfaction is not None and float(satisfaction) < 60:
            reasons.setdefault(report.village_id, []).append(
                ("low_satisfaction", f"群众满意度 {satisfaction}%，低于 60%")
            )
            names[report.village_id] = (report.township.name, report.village.name)
        if int(report.values.get("petitions") or 0) >= 5:
            reasons.setdefault(report.village_id, []).append(
                ("petitions", f"上月信访 {report.values['petitions']} 件，信访集中")
            )
            names[report.village_id] = (report.township.name, report.village.name)
    # Common alone (meetings missed once, no candidate): a candidate only with another reason.
    strong = {"last_place", "low_satisfaction", "petitions", AlertCode.SECRETARY_VACANT}
    rows = [
        {"village_id": v, "township": names[v][0], "village": names[v][1], "reasons": r}
        for v, r in reasons.items()
        if v not in open_ids and (len(r) >= 2 or any(code in strong for code, _text in r))
    ]
    rows.sort(key=lambda row: (-len(row["reasons"]), row["township"], row["village"]))
    return rows
