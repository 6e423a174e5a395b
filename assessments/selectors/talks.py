"""Reads for 约谈 and the 整改台账: who may act on a 约谈, what waits in the to-do lists."""

from django.db.models import Count, Q

from townships.choices import Role

from ..choices import RectificationStatus, TalkLevel, TalkState
from ..models import RectificationItem, Talk


def can_act_on_talk(user, talk):
    """Decide, record and follow up a 约谈: the county administrator for any 约谈 of the county (scoping
    has already narrowed it); the township's own office for its village secretaries (it talks to them).
    Viewers and API clients never act."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.role == Role.COUNTY_ADMIN:
        return True
    return (
        user.role == Role.TOWNSHIP_STAFF and talk.level == TalkLevel.TOWNSHIP and user.township_id == talk.township_id
    )


def county_talks_todo(*, townships, today):
    """The county's 约谈 work (one query): proposals awaiting a decision anywhere in ``townships``, and
    the county's own 约谈 of township secretaries decided but not recorded, or held and due a follow-up."""
    return Talk.objects.filter(township__in=townships).aggregate(
        proposed=Count("pk", filter=Q(state=TalkState.PROPOSED)),
        to_record=Count("pk", filter=Q(state=TalkState.SCHEDULED, level=TalkLevel.COUNTY)),
        follow_ups_due=Count("pk", filter=Q(state=TalkState.HELD, level=TalkLevel.COUNTY, follow_up_on__lte=today)),
    )


def township_talks_todo(*, township, today):
    """A township's 约谈 and 整改 work (two queries): its village secretaries' 约谈 awaiting a decision,
    decided but not recorded, held and waiting for the follow-up (each with its date, due or not), and
    the 整改台账's open items past their deadline."""
    talks = list(
        Talk.objects.filter(
            township=township,
            level=TalkLevel.TOWNSHIP,
            state__in=[TalkState.PROPOSED, TalkState.SCHEDULED, TalkState.HELD],
        )
        .select_related("person", "village")
        .order_by("follow_up_on", "pk")
    )
    overdue = list(
        RectificationItem.objects.filter(township=township, status=RectificationStatus.OPEN, deadline__lt=today)
        .select_related("responsible")
        .order_by("deadline", "pk")
    )
    return {
        "count": len(talks),
        "proposed": [t for t in talks if t.state == TalkState.PROPOSED],
        "to_record": [t for t in talks if t.state == TalkState.SCHEDULED],
        "follow_ups": [t for t in talks if t.state == TalkState.HELD],
        "rectifications_overdue": overdue,
    }


def person_talks_section(request, person):
    """The person page's 约谈 history (cadres.person_page): one query, scoped to the user."""
    from townships.scoping import scope_for

    talks = list(
        scope_for(request.user, Talk.objects.filter(person=person))
        .select_related("village", "township")
        .order_by("-year", "-period", "-pk")
    )
    if not talks:
        return None
    return {"template": "assessments/inc_person_talks.html", "talks": talks}
