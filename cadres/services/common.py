"""What the cadres services share: the roster stages, today, and rule breaches as form errors."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..choices import Stage

ACTIVE_MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


def _today():
    return timezone.localdate()


def _breach(exc):
    return ValidationError({exc.field: str(exc)} if exc.field else str(exc))
