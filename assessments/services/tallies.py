"""What every ballot tally's write shares (满意度测评 and the 述职 ballots): the groups checked against
the county's rater groups, the result by the county's formula, and the groups written with the tally."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import ballots
from ..models import BallotGroup


def clean_groups(groups, allowed, weights=None):
    """The groups as ``ballots.Group`` rows, in the order given; a Chinese message per problem.
    ``allowed``: {code: label} of the county's rater groups; ``weights``: {code: weight} of the
    groups when the tally is weighted by group (else each group's own ``weight``, 1 by default)."""
    seen, cleaned = set(), []
    for spec in groups:
        code = spec.get("code")
        if code not in allowed:
            raise ValidationError(
                {
                    "groups": _("没有“%(g)s”这一测评主体（县里设置的是：%(ok)s）。")
                    % {"g": code, "ok": "、".join(allowed.values())}
                }
            )
        if code in seen:
            raise ValidationError({"groups": _("测评主体“%(g)s”重复填写。") % {"g": allowed[code]}})
        seen.add(code)
        weight = weights[code] if weights is not None else Decimal(str(spec.get("weight", 1)))
        cleaned.append(
            ballots.Group(
                code,
                allowed[code],
                spec.get("issued"),
                spec.get("returned"),
                spec.get("invalid", 0),
                dict(spec.get("counts") or {}),
                weight,
            )
        )
    if not cleaned:
        raise ValidationError({"groups": _("至少填写一个测评主体的票数。")})
    return cleaned


def tally_result(groups, options, **kwargs):
    """``ballots.tally`` with its refusal as a ValidationError on ``groups``."""
    try:
        return ballots.tally(groups, options, **kwargs)
    except ValueError as exc:
        raise ValidationError({"groups": str(exc)}) from None


def tally_fill(tally, *, options, result):
    """Put the options used and the result on the tally (not saved)."""
    tally.options = [[o.code, o.label, str(o.weight), o.in_rate] for o in options]
    tally.valid, tally.rate, tally.score = result.valid, result.rate, result.score
    tally.band = result.band.code if result.band else ""
    tally.reason, tally.working = result.reason, list(result.working)


def groups_write(tally, cleaned):
    """Replace the tally's groups with ``cleaned`` (the tally is saved)."""
    tally.groups.all().delete()
    BallotGroup.objects.bulk_create(
        BallotGroup(
            tally=tally,
            position=i,
            code=g.code,
            label=g.label,
            weight=g.weight,
            issued=g.issued,
            returned=g.returned,
            invalid=g.invalid,
            counts=g.counts,
        )
        for i, g in enumerate(cleaned)
    )
