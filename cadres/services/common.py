"""What the cadres services share: the roster stages, today, rule breaches as form errors, membership events."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..choices import Stage
from ..models import MembershipEvent

ACTIVE_MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


def _today():
    return timezone.localdate()


def _breach(exc):
    return ValidationError({exc.field: str(exc)} if exc.field else str(exc))


def _event(member, transition, on_date, actor, detail=None, notice_from=None, notice_to=None):
    return MembershipEvent.objects.create(
        member=member,
        transition=transition,
        on_date=on_date,
        detail=detail or {},
        notice_from=notice_from,
        notice_to=notice_to,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
