"""The 千分制 scoring rules as pure functions (DOMAIN §6).

Each method takes the indicator's maximum points, its parameters and the
metric value, and returns ``Points``: the points, whether a veto (一票否决)
fired, and a Chinese explanation a county clerk can read. No ORM here: the
same functions score for the web, the API and the Celery jobs, and are tested
without a database.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class Method:
    RATIO = "ratio"
    PER_ITEM = "per_item"
    DEDUCTION = "deduction"
    TIERED = "tiered"
    BINARY = "binary"
    MANUAL = "manual"
    RANK = "rank"
    VETO = "veto"

    ALL = (RATIO, PER_ITEM, DEDUCTION, TIERED, BINARY, MANUAL, RANK, VETO)


class ParameterError(ValueError):
    """An indicator's parameters don't fit its method; the message is for the scheme editor."""


@dataclass(frozen=True)
class Points:
    points: Decimal
    explanation: str
    veto: bool = False


def _d(value):
    return Decimal(str(value))


def _q(value):
    return _d(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _fmt(value):
    value = _d(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(CENT)}"


def validate_parameters(method, max_points, params):
    """Check an indicator's definition; raise ParameterError naming what is wrong."""
    max_points = _d(max_points)
    if method not in Method.ALL:
        raise ParameterError(_("未知的计分方法：%(m)s。") % {"m": method})
    if method == Method.VETO:
        if max_points != 0:
            raise ParameterError(_("一票否决项不计分，满分应为 0。"))
        return
    if max_points <= 0:
        raise ParameterError(_("满分必须大于 0。"))
    if method == Method.RATIO and _d(params.get("target", 1)) <= 0:
        raise ParameterError(_("比例计分须设定大于 0 的目标值（target）。"))
    if method == Method.PER_ITEM and _d(params.get("per_item", 0)) <= 0:
        raise ParameterError(_("按项计分须设定每项分值（per_item）。"))
    if method == Method.DEDUCTION and _d(params.get("per_event", 0)) <= 0:
        raise ParameterError(_("扣分项须设定每次扣分（per_event）。"))
    if method == Method.TIERED:
        tiers = params.get("tiers")
        if not tiers or not isinstance(tiers, list):
            raise ParameterError(_("分档计分须设定档次（tiers：[[下限, 得分], ...]）。"))
        for tier in tiers:
            if not isinstance(tier, list | tuple) or len(tier) != 2:
                raise ParameterError(_("每个档次应写成 [下限, 得分]。"))
            if _d(tier[1]) > max_points or _d(tier[1]) < 0:
                raise ParameterError(_("档次得分不能超过满分或小于 0。"))
    if method == Method.RANK and params.get("direction", "desc") not in ("asc", "desc"):
        raise ParameterError(_("排名计分的方向只能是 desc（越大越好）或 asc（越小越好）。"))


def score_ratio(max_points, params, value):
    """Points in proportion to achievement of the target, capped at full marks (e.g. 三会一课 held ÷ required)."""
    target = _d(params.get("target", 1))
    value = _d(value or 0)
    share = min(max(value / target, Decimal(0)), Decimal(1))
    points = _q(_d(max_points) * share)
    return Points(
        points,
        _("完成 %(v)s，目标 %(t)s，完成率 %(p)s%%，得 %(pts)s 分（满分 %(max)s）。")
        % {
            "v": _fmt(value),
            "t": _fmt(target),
            "p": _fmt(_q(share * 100)),
            "pts": _fmt(points),
            "max": _fmt(max_points),
        },
    )


def score_per_item(max_points, params, value):
    per_item = _d(params["per_item"])
    count = max(_d(value or 0), Decimal(0))
    raw = count * per_item
    points = _q(min(raw, _d(max_points)))
    capped = _("，已达上限") if raw > _d(max_points) else ""
    return Points(
        points,
        _("%(n)s 项 × %(per)s 分 = %(raw)s 分%(capped)s，得 %(pts)s 分。")
        % {"n": _fmt(count), "per": _fmt(per_item), "raw": _fmt(raw), "capped": capped, "pts": _fmt(points)},
    )


def score_deduction(max_points, params, value):
    """Minus points per event, never below zero (扣完为止)."""
    per_event = _d(params["per_event"])
    events = max(_d(value or 0), Decimal(0))
    deducted = events * per_event
    points = _q(max(_d(max_points) - deducted, Decimal(0)))
    if events == 0:
        return Points(points, _("无扣分事项，得满分 %(pts)s 分。") % {"pts": _fmt(points)})
    return Points(
        points,
        _("%(n)s 次 × 扣 %(per)s 分 = 扣 %(d)s 分（扣完为止），得 %(pts)s 分。")
        % {"n": _fmt(events), "per": _fmt(per_event), "d": _fmt(min(deducted, _d(max_points))), "pts": _fmt(points)},
    )


def score_tiered(max_points, params, value):
    """Points by band: the highest band whose lower bound the value reaches."""
    value = _d(value or 0)
    tiers = sorted(((_d(low), _d(pts)) for low, pts in params["tiers"]), reverse=True)
    for low, pts in tiers:
        if value >= low:
            points = _q(min(pts, _d(max_points)))
            return Points(
                points,
                _("数值 %(v)s 达到“不低于 %(low)s”档，得 %(pts)s 分。")
                % {"v": _fmt(value), "low": _fmt(low), "pts": _fmt(points)},
            )
    return Points(_q(0), _("数值 %(v)s 未达到最低档，得 0 分。") % {"v": _fmt(value)})


def score_binary(max_points, params, value):
    if value:
        return Points(_q(max_points), _("已完成，得 %(pts)s 分。") % {"pts": _fmt(max_points)})
    return Points(_q(0), _("未完成，得 0 分。"))


def score_manual(max_points, params, value, reason=""):
    """Entered by the assessor within the maximum, with a reason."""
    if value is None:
        return Points(_q(0), _("尚未评分。"))
    value = _d(value)
    if value < 0 or value > _d(max_points):
        raise ParameterError(_("人工评分须在 0 到 %(max)s 分之间。") % {"max": _fmt(max_points)})
    if not reason:
        raise ParameterError(_("人工评分须说明理由。"))
    return Points(_q(value), _("评分人评定 %(pts)s 分：%(reason)s") % {"pts": _fmt(value), "reason": reason})


def score_veto(max_points, params, value):
    if value:
        return Points(_q(0), _("发生一票否决事项 %(n)s 起，本期等次直接定为最低。") % {"n": _fmt(value)}, veto=True)
    return Points(_q(0), _("未发生一票否决事项。"))


def rank_points(max_points, params, values):
    """Points by rank among peers (e.g. collective income growth): linear from full marks to ``min_share``.

    ``values`` maps target → metric value (None = no data, scores 0). Ties share
    the better rank. Returns target → Points.
    """
    descending = params.get("direction", "desc") == "desc"
    floor_share = _d(params.get("min_share", 0))
    known = {k: _d(v) for k, v in values.items() if v is not None}
    ordered = sorted(known.values(), reverse=descending)
    n = len(ordered)
    result = {}
    for target, value in values.items():
        if value is None:
            result[target] = Points(_q(0), _("无数据，不参与排名，得 0 分。"))
            continue
        rank = ordered.index(_d(value)) + 1
        share = Decimal(1) if n == 1 else Decimal(1) - (Decimal(rank - 1) / Decimal(n - 1)) * (1 - floor_share)
        points = _q(_d(max_points) * share)
        result[target] = Points(
            points,
            _("数值 %(v)s，在 %(n)s 个单位中排第 %(r)s 名，得 %(pts)s 分。")
            % {"v": _fmt(value), "n": n, "r": rank, "pts": _fmt(points)},
        )
    return result


SCORERS = {
    Method.RATIO: score_ratio,
    Method.PER_ITEM: score_per_item,
    Method.DEDUCTION: score_deduction,
    Method.TIERED: score_tiered,
    Method.BINARY: score_binary,
    Method.VETO: score_veto,
}


def score(method, max_points, params, value):
    """Score one indicator for one target (every method but rank and manual, which need more)."""
    return SCORERS[method](max_points, params, value)


def cap_bonus(bonus_points, cap):
    """Bonus items add at most ``cap`` in total."""
    total = sum((_d(p) for p in bonus_points), Decimal(0))
    return _q(min(total, _d(cap)))


# --- Grades and the removal rule --------------------------------------------


class Grade:
    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASIC = "basic"
    INCOMPETENT = "incompetent"

    ORDER = (EXCELLENT, COMPETENT, BASIC, INCOMPETENT)
    LABELS = {EXCELLENT: "优秀", COMPETENT: "称职", BASIC: "基本称职", INCOMPETENT: "不称职"}


def combine_annual(*, daily, concentrated, vote, weights):
    """The year's total: weighted daily (monthly average), year-end concentrated assessment and vote scores."""
    w_daily, w_concentrated, w_vote = (_d(w) for w in weights)
    total = _d(daily or 0) * w_daily + _d(concentrated or 0) * w_concentrated + _d(vote or 0) * w_vote
    return _q(total / (w_daily + w_concentrated + w_vote))


@dataclass(frozen=True)
class GradeInput:
    target: object
    total: Decimal
    veto: bool = False
    incompetent_vote_share: Decimal = Decimal(0)


@dataclass(frozen=True)
class GradeResult:
    grade: str
    reason: str


def assign_grades(rows, *, bands, excellent_quota, incompetent_vote_share):
    """Grades for village secretaries: bands by total, then the 优秀 quota, the vote rule and vetoes.

    ``bands``: minimum totals for 优秀, 称职, 基本称职 (below the last: 不称职).
    ``excellent_quota``: the largest share of those graded who may be 优秀 (the
    highest totals keep it; ties at the cut all drop to 称职 so the quota holds).
    ``incompetent_vote_share``: a share of 不称职 votes at or above which the grade is 不称职.
    """
    min_excellent, min_competent, min_basic = (_d(b) for b in bands)
    results = {}
    for row in rows:
        total = _d(row.total)
        if row.veto:
            results[row.target] = GradeResult(Grade.INCOMPETENT, _("发生一票否决事项，直接定为不称职。"))
        elif _d(row.incompetent_vote_share) >= _d(incompetent_vote_share):
            results[row.target] = GradeResult(
                Grade.INCOMPETENT,
                _("民主测评“不称职”票占 %(p)s%%，达到 %(limit)s%%，定为不称职。")
                % {
                    "p": _fmt(_q(_d(row.incompetent_vote_share) * 100)),
                    "limit": _fmt(_q(_d(incompetent_vote_share) * 100)),
                },
            )
        elif total >= min_excellent:
            results[row.target] = GradeResult(
                Grade.EXCELLENT, _("总分 %(t)s，达到优秀分数线 %(b)s。") % {"t": _fmt(total), "b": _fmt(min_excellent)}
            )
        elif total >= min_competent:
            results[row.target] = GradeResult(
                Grade.COMPETENT, _("总分 %(t)s，达到称职分数线 %(b)s。") % {"t": _fmt(total), "b": _fmt(min_competent)}
            )
        elif total >= min_basic:
            results[row.target] = GradeResult(
                Grade.BASIC, _("总分 %(t)s，达到基本称职分数线 %(b)s。") % {"t": _fmt(total), "b": _fmt(min_basic)}
            )
        else:
            results[row.target] = GradeResult(
                Grade.INCOMPETENT,
                _("总分 %(t)s，低于基本称职分数线 %(b)s。") % {"t": _fmt(total), "b": _fmt(min_basic)},
            )
    quota = int(len(rows) * _d(excellent_quota))
    excellent = sorted(
        (r for r in rows if results[r.target].grade == Grade.EXCELLENT), key=lambda r: _d(r.total), reverse=True
    )
    if len(excellent) > quota:
        cut_total = _d(excellent[quota].total) if quota < len(excellent) else None
        for position, row in enumerate(excellent):
            if position >= quota or _d(row.total) == cut_total:
                results[row.target] = GradeResult(
                    Grade.COMPETENT,
                    _("总分 %(t)s 达到优秀分数线，但超出优秀名额（%(q)s 名），定为称职。")
                    % {"t": _fmt(row.total), "q": quota},
                )
    return results


@dataclass(frozen=True)
class RemovalStatus:
    flagged: bool  # 调整退出
    watch: bool  # 警示名单
    incompetent_count: int
    reason: str


def removal_status(grades, *, consecutive, total):
    """The removal rule over one person's assessments in order (oldest first).

    不称职 in ``consecutive`` assessments in a row, or ``total`` times in all,
    flags the secretary for adjustment; any 不称职 short of that puts them on
    the watch list.
    """
    count = sum(1 for g in grades if g == Grade.INCOMPETENT)
    run = best_run = 0
    for grade in grades:
        run = run + 1 if grade == Grade.INCOMPETENT else 0
        best_run = max(best_run, run)
    if best_run >= consecutive:
        return RemovalStatus(True, False, count, _("连续 %(n)s 次考核不称职。") % {"n": best_run})
    if count >= total:
        return RemovalStatus(True, False, count, _("累计 %(n)s 次考核不称职。") % {"n": count})
    if count:
        return RemovalStatus(False, True, count, _("已有 %(n)s 次考核不称职，列入警示名单。") % {"n": count})
    return RemovalStatus(False, False, 0, "")
