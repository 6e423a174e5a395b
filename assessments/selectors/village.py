"""The village login's home (本村工作台): its latest scorecard, what is due, its entries and messages."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from cadres.choices import CommitmentStatus
from cadres.models import Commitment, Meeting
from cadres.periods import month_unit
from cadres.selectors import commitments_due, meeting_compliance
from townships.choices import EntryStatus
from townships.county_settings import settings_for
from townships.models import Message
from townships.scoping import scope_for
from townships.selectors import village_entries_pending, village_entries_recent
from villages.models import PartyOrganization, Village

from ..choices import Category, PeriodKind
from ..models import Score, ScoreItem

VILLAGE_RETURNED_DAYS = 30  # a returned entry stays on the village's to-do this long after its return
VILLAGE_RECENT_MEETINGS = 10


def village_workbench(*, user, today):
    """Everything a village login's home shows, read through ``scope_for`` (a fixed number of queries):
    its village; its latest month's scorecard (each target's Score with its items); the meetings due
    this month under the meeting rules, counting approved meetings only, and what it entered that is
    still pending or was returned; its latest meetings; its unread messages."""
    village = scope_for(user, Village.objects.select_related("township")).get(pk=user.village_id)
    monthly = scope_for(user, Score.objects.filter(period_kind=PeriodKind.MONTH))
    latest = monthly.order_by("-year", "-period").values_list("year", "period").first()
    scores = []
    if latest is not None:
        items = ScoreItem.objects.select_related("indicator").order_by("indicator__position", "indicator__code")
        scores = list(
            monthly.filter(year=latest[0], period=latest[1])
            .select_related("person")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("target")
        )
        for score in scores:
            score.categories = [
                (Category(k).label if k in Category.values else k, v) for k, v in score.by_category.items()
            ]
    unit = month_unit(today.year, today.month)
    compliance = meeting_compliance(
        organizations=scope_for(user, PartyOrganization.objects.all()),
        start=unit.start,
        end=unit.end,
        conf=settings_for(village.township.county_id),
    )
    due = [(org.organization_name, kind) for org in compliance for kind in org.kinds if kind.held < kind.expected]
    meetings = list(
        scope_for(user, Meeting.objects.select_related("organization")).order_by("-created_at", "-pk")[
            :VILLAGE_RECENT_MEETINGS
        ]
    )
    since = timezone.now() - datetime.timedelta(days=VILLAGE_RETURNED_DAYS)
    # 定·查·评: this year's approved commitments, each with what of it is overdue today.
    commitments = list(
        scope_for(user, Commitment.objects.filter(year=today.year, status=CommitmentStatus.APPROVED)).order_by("pk")
    )
    overdue = {}
    for item in commitments_due(townships=[village.township_id], today=today):
        if item.village_id == village.pk:
            overdue.setdefault(item.commitment_id, []).append(item)
    for commitment in commitments:
        commitment.overdue_items = overdue.get(commitment.pk, [])
    return {
        "village": village,
        "score_period": latest,
        "scores": scores,
        "month": unit,
        "due": due,
        "pending": sum(len(rows) for _kind, rows in village_entries_pending(user=user)),
        "returned": [
            {
                "kind": kind.label,
                "summary": kind.summary(row),
                "reason": row.return_reason,
                "at": row.reviewed_at,
                "url": kind.detail_url(row),
            }
            for kind, row in village_entries_recent(user=user, status=EntryStatus.RETURNED, since=since)
        ],
        "meetings": meetings,
        "commitments": commitments,
        "unread": list(Message.objects.filter(recipient=user, read_at__isnull=True)[:5]),
    }


def person_record_section(request, person):
    """The person page's assessment record (一人一档): annual grades and the latest monthly secretary
    scores, each linked to its scorecard, and the secretary's page with the rest (two queries)."""
    from townships.scoping import scope_for

    from ..choices import PeriodKind, Target
    from ..models import AnnualRating, Score

    ratings = list(scope_for(request.user, AnnualRating.objects.filter(person=person)).order_by("-year")[:10])
    scores = list(
        scope_for(
            request.user,
            Score.objects.filter(person=person, target=Target.VILLAGE_SECRETARY, period_kind=PeriodKind.MONTH),
        )
        .select_related("village")
        .order_by("-year", "-period")[:12]
    )
    if not ratings and not scores:
        return None
    return {"template": "assessments/inc_person_record.html", "ratings": ratings, "scores": scores}
