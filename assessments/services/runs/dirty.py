"""Dirty periods: a period whose scoring inputs changed after a run of it started is scored again once.

``period_mark_dirty`` is called in the transaction that changes the inputs (a late approval, a
county correction); each run keeps the generation it saw when it was claimed, and a finished run
records it (``period_mark_scored``). ``lifecycle.rescore_if_dirty`` starts the one run that is still
owed, when a run finishes and from the sweeper, whatever the timing.
"""

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from ...models import DirtyPeriod


def period_mark_dirty(*, county_id, kind, year, period):
    """The period's inputs changed: one more generation, stamped with the time (in the caller's transaction)."""
    key = {"county_id": county_id, "kind": kind, "year": year, "period": period}
    now = timezone.now()
    DirtyPeriod.objects.get_or_create(**key, defaults={"changed_at": now})
    DirtyPeriod.objects.filter(**key).update(generation=F("generation") + 1, changed_at=now)


def period_mark_scored(run):
    """A run finished: the inputs it read (those of its generation) are scored."""
    DirtyPeriod.objects.filter(county_id=run.county_id, kind=run.kind, year=run.year, period=run.period).update(
        scored_generation=Greatest(F("scored_generation"), Value(run.inputs_generation))
    )
