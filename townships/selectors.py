"""Reads for the registry core: the township lists (the county glance lives in villages.selectors), the
village entries awaiting review."""

from .choices import EntryStatus
from .models import Township
from .review import entry_kinds
from .scoping import scope_for


def township_list(*, user):
    return scope_for(user, Township.objects.select_related("county"))


# --- Village entries awaiting the township (村级填报审核) ------------------------------


def village_entries_pending(*, user):
    """[(kind, [rows])]: every registered kind's pending entries in the user's scope, oldest first
    (one query per kind, with the kind's relations joined)."""
    result = []
    for kind in entry_kinds():
        rows = scope_for(
            user, kind.model.objects.filter(status=EntryStatus.PENDING).select_related(*kind.related())
        ).order_by(kind.date_field, "pk")
        rows = list(rows)
        for row in rows:  # what the queue shows, computed here: templates make no queries
            row.review_summary = kind.summary(row)
            row.review_entered_by = kind.entered_by(row)
            row.review_entered_at = kind.entered_at(row)
            row.review_township = kind.township_of(row)
            row.review_village = kind.village_of(row)
        result.append((kind, rows))
    return result


def village_entries_pending_count(*, township_ids):
    """How many entries of every kind wait for the given townships' review (one query per kind)."""
    return sum(
        kind.model.objects.filter(status=EntryStatus.PENDING, **{f"{kind.township_path}__in": township_ids}).count()
        for kind in entry_kinds()
    )


def village_entries_recent(*, user, status, since):
    """[(kind, row)] of the user's own village's entries in ``status`` decided since ``since``
    (a village's returned entries for its to-do), newest first; one query per kind."""
    rows = []
    for kind in entry_kinds():
        queryset = scope_for(
            user, kind.model.objects.filter(status=status, reviewed_at__gte=since).select_related(*kind.related())
        )
        rows.extend((kind, row) for row in queryset.order_by("-reviewed_at", "-pk")[:20])
    rows.sort(key=lambda pair: pair[1].reviewed_at, reverse=True)
    return rows
