"""What a score reads changed: the one way a register tells the scoring so.

The monthly scores read registers of every app (meetings, members, tenures, 四议两公开, the
commitments' ledger …) through the derived metrics. The scoring lives in ``assessments``, above
every app that writes such a record (the layer rule), so the writers cannot call it: each calls
``inputs_changed(county_id=..., since=...)`` inside its writing transaction, and the scoring
registers the one listener from its ``AppConfig.ready()`` (months scored from ``since``'s month on
are marked dirty and scored again once; a closed month is left as it is, and ``score verify``
shows its drift). A writer never needs to know which indicator reads it.
"""

LISTENERS = []


def on_inputs_changed(listener):
    """Register ``listener(county_id=..., since=..., actor=...)``; usable as a decorator."""
    LISTENERS.append(listener)
    return listener


def inputs_changed(*, county_id, since, actor=None):
    """Records a score may read changed from the day ``since`` on (call inside the writing transaction)."""
    for listener in LISTENERS:
        listener(county_id=county_id, since=since, actor=actor)
