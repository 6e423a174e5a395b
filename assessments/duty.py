"""The 述职 rules as pure functions over plain values (no ORM): what the annual rating reads from a
village secretary's 述职述廉 ballots, and the township Party secretary's 述职评议 composite and grade.

The ballots themselves are counted by ``ballots.tally`` with group weights: each group's score is
Σ count × option weight ÷ its valid ballots, and the tally's score is Σ group weight × group score
÷ Σ group weight over the groups with valid ballots — a group without valid ballots is left out and
the weights of the others renormalised.
"""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .ballots import band_of

CENT = Decimal("0.01")
SHARE = Decimal("0.0001")
HUNDRED = Decimal(100)
# The 民主测评 of the annual rating is on a 1000 scale; a ballot score is on 100.
VOTE_SCALE = Decimal(10)
INCOMPETENT = "incompetent"


def _q(value, step=CENT):
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _f(value):
    return f"{Decimal(value).normalize():f}"


def incompetent_share(groups, option=INCOMPETENT):
    """(share, working) of 不称职 among the valid ballots, pooled over the groups (every valid
    ballot weighs the same, whatever its group): Σ 不称职 ÷ Σ 有效票, to 4 places; (None, why)
    without valid ballots."""
    valid = sum(g.valid for g in groups)
    if valid <= 0:
        return None, _("无有效票，不计“不称职”票比例。")
    count = sum(g.counts.get(option, 0) for g in groups)
    share = _q(Decimal(count) / valid, SHARE)
    return share, _("“不称职”票比例 = %(c)s ÷ 有效票 %(v)s = %(s)s%%（各组合并计算）") % {
        "c": count,
        "v": valid,
        "s": _f(_q(share * HUNDRED)),
    }


def vote_on_1000(score):
    """(vote, working): the ballot's weighted score (out of 100) put on the 1000 scale of 民主测评."""
    vote = _q(Decimal(score) * VOTE_SCALE)
    return vote, _("民主测评（千分制）= 述职测评得分 %(s)s × 10 = %(v)s") % {"s": score, "v": vote}


@dataclass(frozen=True)
class Composite:
    value: Decimal | None
    annual: Decimal | None  # the township's annual score converted to 100
    reason: str  # why there is no composite ("" when there is one)
    working: tuple


def township_composite(*, vote, annual_total, full_marks, weight_vote, weight_annual):
    """述职评议 composite = (述职测评 × w1 + 年度考核折合百分 × w2) ÷ (w1 + w2), rounded half up to 0.01;
    年度考核折合百分 = the township's annual total × 100 ÷ the scheme's full marks. Without the
    ballots' score or the annual score there is no composite, and the reason says which."""
    if vote is None:
        why = _("述职测评无结果，不计综合得分。")
        return Composite(None, None, why, (why,))
    if annual_total is None:
        why = _("乡镇年度考核得分尚未产生，不计综合得分。")
        return Composite(None, None, why, (why,))
    w1, w2 = Decimal(weight_vote), Decimal(weight_annual)
    if w1 + w2 <= 0:
        why = _("述职测评与年度考核的权重均为 0，无法计算。")
        return Composite(None, None, why, (why,))
    annual = _q(Decimal(annual_total) * HUNDRED / Decimal(full_marks))
    value = _q((Decimal(vote) * w1 + annual * w2) / (w1 + w2))
    working = (
        _("年度考核折合百分 = %(t)s × 100 ÷ 满分 %(m)s = %(a)s")
        % {"t": _f(annual_total), "m": _f(full_marks), "a": annual},
        _("综合得分 = (述职测评 %(v)s × %(w1)s + 年度考核 %(a)s × %(w2)s) ÷ %(w)s = %(c)s")
        % {"v": vote, "w1": _f(w1), "a": annual, "w2": _f(w2), "w": _f(w1 + w2), "c": value},
    )
    return Composite(value, annual, "", working)


@dataclass(frozen=True)
class DutyInput:
    target: object
    composite: Decimal | None
    veto: bool = False
    veto_reason: str = ""


@dataclass(frozen=True)
class DutyGradeResult:
    grade: str  # "good" / "fair" / "average" / "poor", "" without a composite
    reason: str
    tie_pending: bool = False


def township_grades(rows, *, bands, good_cap=0):
    """Grades 好/较好/一般/差 by the bands on the composite (a composite exactly on a band's lower
    edge is in that band); 一票否决 → 差 whatever the composite. With ``good_cap`` (percent, 0 = no
    cap) at most floor(graded × cap ÷ 100) may be 好, highest composite first; those beyond are 较好,
    and when people tie on the last place and do not all fit, every one of them is 较好 with
    ``tie_pending`` until the county decides (as the 优秀 quota of the annual rating)."""
    labels = {b.code: b.label for b in bands}
    results = {}
    for row in rows:
        if row.veto:
            results[row.target] = DutyGradeResult(
                "poor", _("一票否决（%(r)s），定为“差”。") % {"r": row.veto_reason or _("否决事项")}
            )
        elif row.composite is None:
            results[row.target] = DutyGradeResult("", "")
        else:
            band = band_of(Decimal(row.composite), bands)
            edge = f"≥ {_f(band.at_least)}" if band.at_least >= 0 else _("低于“一般”分数线")
            results[row.target] = DutyGradeResult(
                band.code, _("综合得分 %(c)s，%(e)s，定为“%(g)s”。") % {"c": row.composite, "e": edge, "g": band.label}
            )
    cap = Decimal(good_cap or 0)
    if cap <= 0:
        return results
    graded = [r for r in rows if results[r.target].grade]
    places = int((Decimal(len(graded)) * cap / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))
    good = sorted((r for r in graded if results[r.target].grade == "good"), key=lambda r: -Decimal(r.composite))
    if len(good) <= places:
        return results
    boundary = Decimal(good[places - 1].composite) if places else None
    above = [r for r in good if boundary is not None and Decimal(r.composite) > boundary]
    tied = [r for r in good if boundary is not None and Decimal(r.composite) == boundary]
    free = places - len(above)
    for row in good:
        if row in above or (row in tied and len(tied) <= free):
            continue
        if row in tied:
            results[row.target] = DutyGradeResult(
                "fair",
                _(
                    "综合得分 %(c)s 与另外 %(n)s 人并列于“好”等次名额边界，剩余名额 %(f)s 个，暂定“%(g)s”，待县委组织部决定。"
                )
                % {"c": row.composite, "n": len(tied) - 1, "f": free, "g": labels["fair"]},
                tie_pending=True,
            )
        else:
            results[row.target] = DutyGradeResult(
                "fair",
                _("综合得分 %(c)s 达到“好”的分数线，但超出“好”等次名额（%(p)s 名），定为“%(g)s”。")
                % {"c": row.composite, "p": places, "g": labels["fair"]},
            )
    return results
