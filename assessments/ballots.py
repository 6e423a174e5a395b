"""Ballot tallies (测评计票), as pure rules over plain values: no ORM, the same for the web, the API,
imports and the scoring run.

A tally is counts per rater group (党员, 村民代表, 群众 …) and option (满意, 比较满意 …). Satisfaction
surveys (满意度测评) use it here; the 述职 ballots and the 民主测评 of village and township
secretaries use the same arithmetic with their own options, weights and group weights.

Per group: 有效票 = returned − invalid, returned ≤ issued, and the option counts add up to 有效票.
The rate is the share of valid ballots for the options that count toward it (by default 满意 and
比较满意); the score is Σ count × option weight ÷ 有效票. Groups are pooled (every valid ballot
weighs the same) unless group weights are given: then each group's rate and score are combined as
Σ group weight × group value ÷ Σ group weight over the groups with valid ballots. Percentages and
scores are rounded half up to 0.01. Below the minimum sample there is no rate and no score, and the
reason says so.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _q(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    weight: Decimal
    in_rate: bool = False  # counts toward the rate (满意 + 比较满意 by default)


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    issued: int
    returned: int
    invalid: int
    counts: dict  # {option code: count}
    weight: Decimal = Decimal(1)

    @property
    def valid(self):
        return self.returned - self.invalid


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    at_least: Decimal  # the lowest score in the band


@dataclass(frozen=True)
class GroupResult:
    code: str
    label: str
    valid: int
    rate: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class TallyResult:
    valid: int
    rate: Decimal | None  # percent
    score: Decimal | None  # 0–100 on the options' weights
    band: Band | None
    reason: str  # why there is no result ("" when there is one)
    groups: tuple  # GroupResult per group, in order
    working: tuple  # the arithmetic, line by line, in words


def group_errors(group, options):
    """What is wrong with one group's counts (Chinese, naming the field); [] when they add up."""
    errors = []
    codes = {o.code for o in options}
    for name, label in (("issued", _("发出票数")), ("returned", _("收回票数")), ("invalid", _("无效票数"))):
        value = getattr(group, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.append(_("%(g)s：%(f)s应为不小于 0 的整数。") % {"g": group.label, "f": label})
    unknown = sorted(set(group.counts) - codes)
    if unknown:
        errors.append(_("%(g)s：没有“%(o)s”这一选项。") % {"g": group.label, "o": "、".join(unknown)})
    for code, count in group.counts.items():
        if code in codes and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
            label = next(o.label for o in options if o.code == code)
            errors.append(_("%(g)s：“%(o)s”票数应为不小于 0 的整数。") % {"g": group.label, "o": label})
    if errors:
        return errors
    if group.returned > group.issued:
        errors.append(
            _("%(g)s：收回票数 %(r)s 多于发出票数 %(i)s。") % {"g": group.label, "r": group.returned, "i": group.issued}
        )
    if group.invalid > group.returned:
        errors.append(
            _("%(g)s：无效票数 %(x)s 多于收回票数 %(r)s。")
            % {"g": group.label, "x": group.invalid, "r": group.returned}
        )
    total = sum(group.counts.get(o.code, 0) for o in options)
    if not errors and total != group.valid:
        errors.append(
            _("%(g)s：各选项票数合计 %(t)s，应等于有效票 %(v)s（收回 %(r)s − 无效 %(x)s）。")
            % {"g": group.label, "t": total, "v": group.valid, "r": group.returned, "x": group.invalid}
        )
    return errors


def band_of(score, bands):
    """The band a score falls in: the one with the highest ``at_least`` not above it."""
    for band in sorted(bands, key=lambda b: b.at_least, reverse=True):
        if score >= band.at_least:
            return band
    return None


def _group_values(group, options):
    valid = group.valid
    if valid <= 0:
        return None, None
    in_rate = sum(group.counts.get(o.code, 0) for o in options if o.in_rate)
    weighted = sum(Decimal(group.counts.get(o.code, 0)) * o.weight for o in options)
    return Decimal(in_rate) * HUNDRED / valid, weighted / valid


def tally(groups, options, *, min_sample, bands, group_weighted=False):
    """The rate, score and band of a tally, with the working. Raises ValueError (the errors of
    ``group_errors``, joined) when a group's counts do not add up."""
    errors = [e for g in groups for e in group_errors(g, options)]
    if errors:
        raise ValueError("；".join(errors))
    valid = sum(g.valid for g in groups)
    per_group = []
    raw = {}
    for g in groups:
        rate, score = _group_values(g, options)
        raw[g.code] = (rate, score)
        per_group.append(
            GroupResult(
                g.code, g.label, g.valid, None if rate is None else _q(rate), None if score is None else _q(score)
            )
        )
    rate_names = "+".join(o.label for o in options if o.in_rate)
    working = [
        "；".join(
            f"{g.label}：发出 {g.issued}，收回 {g.returned}，无效 {g.invalid}，有效 {g.valid}（"
            + "，".join(f"{o.label} {g.counts.get(o.code, 0)}" for o in options)
            + "）"
            for g in groups
        )
    ]
    if valid < min_sample:
        reason = _("有效票 %(v)s 张，少于最低样本 %(m)s 张，不计结果。") % {"v": valid, "m": min_sample}
        return TallyResult(valid, None, None, None, reason, tuple(per_group), (*working, reason))
    if group_weighted:
        used = [g for g in groups if raw[g.code][0] is not None]
        total_weight = sum((g.weight for g in used), Decimal(0))
        if total_weight <= 0:
            reason = _("各组均无有效票或权重为 0，无法计算。")
            return TallyResult(valid, None, None, None, reason, tuple(per_group), (*working, reason))
        rate = sum((g.weight * raw[g.code][0] for g in used), Decimal(0)) / total_weight
        score = sum((g.weight * raw[g.code][1] for g in used), Decimal(0)) / total_weight
        working.append(
            _("按组加权：%(parts)s，权重合计 %(w)s")
            % {"parts": "，".join(f"{g.label} 权重 {g.weight}" for g in used), "w": total_weight}
        )
    else:
        in_rate = sum(g.counts.get(o.code, 0) for g in groups for o in options if o.in_rate)
        weighted = sum(Decimal(g.counts.get(o.code, 0)) * o.weight for g in groups for o in options)
        rate = Decimal(in_rate) * HUNDRED / valid
        score = weighted / valid
        working.append(_("满意率 =（%(n)s）%(k)s ÷ 有效票 %(v)s") % {"n": rate_names, "k": in_rate, "v": valid})
        working.append(
            _("得分 = %(sum)s ÷ 有效票 %(v)s")
            % {
                "sum": " + ".join(
                    f"{sum(g.counts.get(o.code, 0) for g in groups)}×{o.weight.normalize():f}" for o in options
                ),
                "v": valid,
            }
        )
    rate, score = _q(rate), _q(score)
    band = band_of(score, bands)
    # The result line names only what the tally measures: a 述职 ballot has no rate options and no bands.
    result = [_("满意率 %(r)s%%") % {"r": rate}] if any(o.in_rate for o in options) else []
    result.append(_("得分 %(s)s") % {"s": score})
    if bands:
        result.append(band.label if band else _("未达任何档次"))
    working.append("，".join(result))
    return TallyResult(valid, rate, score, band, "", tuple(per_group), tuple(working))
