"""The township's review of what village logins enter (村级填报审核): one queue, many kinds.

A village login's entries (its meetings, its commitments' progress, its survey tallies) wait for
its township's approval before they count anywhere. Each app registers each kind of entry it
keeps from its ``AppConfig.ready()``:

    register_entry_kind(EntryKind(code="meeting", label=_("组织生活记录"), model=Meeting, ...))

The model of a kind has ``status`` (``townships.choices.EntryStatus`` values: pending, approved,
returned), ``reviewed_by``, ``reviewed_at`` and ``return_reason``, a foreign key naming who entered
it (``entered_by_field``) and a time it was entered (``date_field``), its township and village
reached by ``township_path`` / ``village_path`` (``"township"``, or ``"commitment__township"``
for a row kept under another), and the scoping paths (``scope_township_path``;
``scope_village_path`` so the village sees its own entries). Everything
else (the queue page, the to-do count, approving and returning with the audit row and the message
to the village) is done here, the same for every kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

_KINDS = {}


@dataclass(frozen=True)
class EntryKind:
    code: str  # in URLs and audit rows: "meeting"
    label: str  # what the queue calls it: 组织生活记录
    model: type
    # (label, value) rows the confirmation page shows, from a row fetched with ``select_related``.
    describe: Callable
    # A one-line summary in the queue and in messages.
    summary: Callable
    entered_by_field: str = "recorded_by"
    date_field: str = "created_at"  # when it was entered: the queue's order, oldest first
    township_path: str = "township"
    village_path: str = "village"
    select_related: tuple = ()
    # Called inside the approval's transaction with (actor, row): the kind's own consequences of
    # approval (an approved progress entry updating its milestone, say). Optional.
    on_approved: Callable | None = None
    # The page a village login opens to see its entry (a URL name taking the row's pk), optional.
    detail_url_name: str = ""
    # The URL arguments of that page for a row (default: the row's own pk).
    detail_args: Callable | None = None
    extra: dict = field(default_factory=dict)

    def related(self):
        """What to join to show a row in the queue without further queries."""
        return (self.township_path, self.village_path, self.entered_by_field, *self.select_related)

    def detail_url(self, row):
        """The page the village login opens to see its entry ("" when the kind has none)."""
        if not self.detail_url_name:
            return ""
        from django.urls import reverse

        return reverse(self.detail_url_name, args=self.detail_args(row) if self.detail_args else [row.pk])

    def township_of(self, row):
        return _follow(row, self.township_path)

    def village_of(self, row):
        return _follow(row, self.village_path)

    def entered_by(self, row):
        return getattr(row, self.entered_by_field)

    def entered_at(self, row):
        return getattr(row, self.date_field)


def _follow(row, path):
    for name in path.split("__"):
        if row is None:
            return None
        row = getattr(row, name)
    return row


def register_entry_kind(kind):
    if kind.code in _KINDS and _KINDS[kind.code] is not kind:
        raise ValueError(f"entry kind {kind.code!r} registered twice")
    _KINDS[kind.code] = kind
    return kind


def entry_kinds():
    return list(_KINDS.values())


def entry_kind(code):
    """The registered kind, or None (an unknown code in a URL answers 404)."""
    return _KINDS.get(code)
