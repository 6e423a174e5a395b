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

from .choices import Grade, Method

CENT = Decimal("0.01")


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
    if method not in Method.values:
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


# --- A month's total ----------------------------------------------------------


@dataclass(frozen=True)
class ItemPoints:
    """One indicator's contribution to a total: the points that count (after any override)."""

    category: str
    points: Decimal
    is_bonus: bool = False
    veto: bool = False
    veto_name: str = ""
    manual_pending: bool = False


@dataclass(frozen=True)
class Total:
    total: Decimal
    by_category: dict
    bonus: Decimal
    veto: bool
    veto_reason: str
    manual_pending: int


def monthly_total(items, *, bonus_cap):
    """A target's total for a month (DOMAIN §6): per-category sums of the regular items,
    plus the bonus items capped at ``bonus_cap`` in all; a veto item that fired marks the
    total vetoed (it ranks below every clean total) and names why; manual items still
    waiting for the assessor are counted so the total can be shown as provisional."""
    by_category, bonus_points, vetoes, pending = {}, [], [], 0
    for item in items:
        if item.is_bonus:
            bonus_points.append(item.points)
        else:
            by_category[item.category] = by_category.get(item.category, Decimal(0)) + _d(item.points)
        if item.veto:
            vetoes.append(item.veto_name)
        pending += bool(item.manual_pending)
    bonus = cap_bonus(bonus_points, bonus_cap)
    total = _q(sum(by_category.values(), Decimal(0)) + bonus)
    reason = veto_reason(vetoes) if vetoes else ""
    return Total(total, {k: _q(v) for k, v in by_category.items()}, bonus, bool(vetoes), reason, pending)


def veto_reason(names):
    return _("一票否决：%(names)s") % {"names": "、".join(n for n in names if n) or _("发生一票否决事项")}


def ranking_key(total, veto):
    """The order of every ranking: a vetoed total ranks below every clean one, whatever its points."""
    return (bool(veto), -_d(total))


def competition_ranks(rows, key):
    """1224 ranking ("competition"): equal keys share the better rank. ``rows`` in any order;
    returns {row index: rank}."""
    order = sorted(range(len(rows)), key=lambda i: key(rows[i]))
    ranks, last_key, last_rank = {}, object(), 0
    for position, index in enumerate(order, start=1):
        k = key(rows[index])
        if k != last_key:
            last_rank, last_key = position, k
        ranks[index] = last_rank
    return ranks


# --- Grades and the removal rule --------------------------------------------


def combine_annual(*, daily, concentrated, vote, weights):
    """The year's total: weighted daily (monthly average), year-end concentrated assessment and vote scores."""
    w_daily, w_concentrated, w_vote = (_d(w) for w in weights)
    total = _d(daily or 0) * w_daily + _d(concentrated or 0) * w_concentrated + _d(vote or 0) * w_vote
    return _q(total / (w_daily + w_concentrated + w_vote))


# Tie-break criteria at the 优秀 quota boundary (the county setting names them in order).
TIE_BREAK_CRITERIA = {"vote": "民主测评得分", "concentrated": "集中考核得分", "daily": "日常考核得分"}


def parse_tie_break(text):
    """ "vote,concentrated" → ("vote", "concentrated"); an unknown criterion raises ParameterError."""
    names = tuple(n.strip() for n in str(text).split(",") if n.strip())
    unknown = [n for n in names if n not in TIE_BREAK_CRITERIA]
    if unknown:
        raise ParameterError(
            _("并列排序依据“%(bad)s”不存在；可用：%(ok)s。")
            % {"bad": "、".join(unknown), "ok": "、".join(f"{k}（{v}）" for k, v in TIE_BREAK_CRITERIA.items())}
        )
    if len(set(names)) != len(names):
        raise ParameterError(_("并列排序依据不能重复。"))
    return names


def quota_places(count, share, *, rounding, min_pool):
    """How many of ``count`` secretaries may be 优秀: ``share`` of them, rounded down
    ("floor", the quota read as a ceiling), to the nearest ("round", half up) or up ("ceil");
    at least one place once the group has ``min_pool`` secretaries (0 = no such minimum)."""
    exact = _d(count) * _d(share)
    if rounding == "ceil":
        places = int(exact.to_integral_value(rounding="ROUND_CEILING"))
    elif rounding == "round":
        places = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        places = int(exact.to_integral_value(rounding="ROUND_FLOOR"))
    if min_pool and count >= min_pool and _d(share) > 0:
        places = max(places, 1)
    return min(places, count)


@dataclass(frozen=True)
class GradeInput:
    target: object
    total: Decimal
    veto: bool = False
    veto_reason: str = ""
    incompetent_vote_share: Decimal = Decimal(0)
    group: object = None  # the quota's group (the county, or the township)
    tie_values: tuple = ()  # the tie-break criteria's values, in the setting's order


@dataclass(frozen=True)
class GradeResult:
    grade: str
    reason: str
    tie_pending: bool = False  # tied at the quota boundary: the county decides


def assign_grades(rows, *, full_marks, bands, excellent_quota, incompetent_vote_share, rounding="floor", min_pool=0):
    """Grades for village secretaries (DOMAIN §6).

    ``bands``: shares of ``full_marks`` a total must reach for 优秀, 称职, 基本称职
    (below the last: 不称职), so a 100- or 1200-point scheme grades sensibly.
    A veto or a share of 不称职 votes at or above ``incompetent_vote_share`` makes it
    不称职 whatever the points. 优秀 is then limited to ``quota_places`` per group,
    best totals first; ties at the last place are broken by ``tie_values`` in order;
    ties that remain are all marked ``tie_pending`` (grade 称职 until the county
    decides) — never silently dropped.
    """
    full = _d(full_marks)
    min_excellent, min_competent, min_basic = (_q(_d(b) * full) for b in bands)
    results = {}
    for row in rows:
        total = _d(row.total)
        if row.veto:
            results[row.target] = GradeResult(
                Grade.INCOMPETENT, _("%(why)s，直接定为不称职。") % {"why": row.veto_reason or veto_reason([])}
            )
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
    groups = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    for members in groups.values():
        places = quota_places(len(members), excellent_quota, rounding=rounding, min_pool=min_pool)
        candidates = [r for r in members if results[r.target].grade == Grade.EXCELLENT]
        if len(candidates) <= places:
            continue

        def key(r):
            return (-_d(r.total), *(-_d(v if v is not None else -1) for v in r.tie_values))

        candidates.sort(key=key)
        boundary = key(candidates[places - 1]) if places else None
        for position, row in enumerate(candidates):
            if position < places and key(row) != boundary:
                continue  # clearly within the quota
            if boundary is not None and key(row) == boundary:
                tied = [r for r in candidates if key(r) == boundary]
                kept = sum(1 for r in candidates[:places] if key(r) != boundary)
                free = places - kept
                if len(tied) <= free:
                    continue  # all the tied fit
                results[row.target] = GradeResult(
                    Grade.COMPETENT,
                    _("总分 %(t)s 与另外 %(n)s 人并列，剩余优秀名额 %(f)s 个，并列依据仍相同，待县委组织部决定。")
                    % {"t": _fmt(row.total), "n": len(tied) - 1, "f": free},
                    tie_pending=True,
                )
                continue
            results[row.target] = GradeResult(
                Grade.COMPETENT,
                _("总分 %(t)s 达到优秀分数线，但超出优秀名额（%(q)s 名），定为称职。")
                % {"t": _fmt(row.total), "q": places},
            )
    return results


@dataclass(frozen=True)
class RemovalStatus:
    flagged: bool  # 调整退出
    watch: bool  # 警示名单
    incompetent_count: int
    reason: str
    counted_years: tuple = ()


def removal_status(history, *, year, consecutive, total, decided_years=(), gap_breaks=False):
    """The removal rule for ``year`` over one person's ratings (DOMAIN §6).

    ``history``: (year, grade) of every rating of the person, any order; only
    years up to ``year`` are read, so re-applying a past year gives the result it
    gave then. ``decided_years``: years whose flag a county user decided (either
    way); counting starts afresh after the latest one before ``year``.
    ``gap_breaks``: whether a year without a rating breaks a run of 不称职.
    不称职 ``consecutive`` times in a row or ``total`` times in all → flagged
    (调整退出); any 不称职 short of that → the watch list (警示名单).
    """
    start = max((y for y in decided_years if y < year), default=None)
    grades = sorted((y, g) for y, g in history if y <= year and (start is None or y > start))
    bad_years = tuple(y for y, g in grades if g == Grade.INCOMPETENT)
    count = len(bad_years)
    run = best_run = 0
    previous = None
    for rating_year, grade in grades:
        if gap_breaks and previous is not None and rating_year != previous + 1:
            run = 0
        run = run + 1 if grade == Grade.INCOMPETENT else 0
        best_run = max(best_run, run)
        previous = rating_year
    # A flag is raised in the year whose rating completes the condition; a later good year
    # does not raise it again from the same ratings (it stays on the watch list meanwhile).
    fresh = year in bad_years
    if best_run >= consecutive and fresh:
        return RemovalStatus(True, False, count, _("连续 %(n)s 次考核不称职。") % {"n": best_run}, bad_years)
    if count >= total and fresh:
        return RemovalStatus(True, False, count, _("累计 %(n)s 次考核不称职。") % {"n": count}, bad_years)
    if count:
        return RemovalStatus(False, True, count, _("已有 %(n)s 次考核不称职，列入警示名单。") % {"n": count}, bad_years)
    return RemovalStatus(False, False, 0, "")


def describe_method(method, max_points, params):
    """An indicator's rule in one plain Chinese phrase, as the scheme page shows it (never JSON)."""
    params = params or {}
    full = _fmt(max_points)
    if method == Method.RATIO:
        return _("按完成比例计分：达到 %(t)s 得满分 %(m)s 分") % {"t": _fmt(params.get("target", 1)), "m": full}
    if method == Method.PER_ITEM:
        return _("每项 %(p)s 分，最多 %(m)s 分") % {"p": _fmt(params.get("per_item", 0)), "m": full}
    if method == Method.DEDUCTION:
        return _("满分 %(m)s 分，每次扣 %(p)s 分，扣完为止") % {"p": _fmt(params.get("per_event", 0)), "m": full}
    if method == Method.TIERED:
        tiers = sorted(((_d(low), _d(pts)) for low, pts in params.get("tiers") or []), reverse=True)
        return "；".join(_("不低于 %(l)s 得 %(p)s 分") % {"l": _fmt(low), "p": _fmt(pts)} for low, pts in tiers)
    if method == Method.RANK:
        direction = _("数值越大越好") if params.get("direction", "desc") == "desc" else _("数值越小越好")
        return _("乡镇内排名计分（%(d)s）：第一名 %(m)s 分，末名得满分的 %(s)s") % {
            "d": direction,
            "m": full,
            "s": f"{_d(params.get('min_share', 0)) * 100:.0f}%",
        }
    if method == Method.BINARY:
        return _("完成得 %(m)s 分，未完成 0 分") % {"m": full}
    if method == Method.MANUAL:
        return _("评分人评定，0～%(m)s 分，须说明理由") % {"m": full}
    if method == Method.VETO:
        return _("发生即一票否决")
    return ""
