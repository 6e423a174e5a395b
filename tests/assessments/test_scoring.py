from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring
from assessments.choices import Grade, Method
from assessments.scoring import GradeInput

money = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)


def test_ratio_is_proportional_and_capped():
    assert scoring.score_ratio(40, {"target": 12}, 9).points == Decimal("30.00")
    assert scoring.score_ratio(40, {"target": 12}, 15).points == Decimal("40.00")
    assert "完成率 75%" in scoring.score_ratio(40, {"target": 12}, 9).explanation


def test_per_item_caps_at_full_marks():
    result = scoring.score_per_item(10, {"per_item": 2}, 7)
    assert result.points == Decimal("10.00")
    assert "已达上限" in result.explanation


def test_deduction_stops_at_zero():
    assert scoring.score_deduction(30, {"per_event": 10}, 2).points == Decimal("10.00")
    assert scoring.score_deduction(30, {"per_event": 10}, 5).points == Decimal("0.00")
    assert "扣完为止" in scoring.score_deduction(30, {"per_event": 10}, 5).explanation


def test_tiers_pick_the_highest_band_reached():
    params = {"tiers": [[50000, 40], [10000, 20], [0, 0]]}
    assert scoring.score_tiered(40, params, 60000).points == Decimal("40.00")
    assert scoring.score_tiered(40, params, 10000).points == Decimal("20.00")
    assert scoring.score_tiered(40, params, 9999).points == Decimal("0.00")


def test_veto_flags_without_points():
    fired = scoring.score_veto(0, {}, 1)
    assert fired.veto and fired.points == 0
    assert not scoring.score_veto(0, {}, 0).veto


def test_manual_needs_a_reason_and_stays_within_the_maximum():
    assert scoring.score_manual(20, {}, 15, "述职质量较好").points == Decimal("15.00")
    with pytest.raises(scoring.ParameterError, match="0 到 20"):
        scoring.score_manual(20, {}, 21, "太好了")
    with pytest.raises(scoring.ParameterError, match="理由"):
        scoring.score_manual(20, {}, 10, "")


def test_rank_gives_full_marks_to_the_first_and_shares_ties():
    result = scoring.rank_points(20, {"direction": "desc"}, {"a": 30, "b": 10, "c": 30, "d": None, "e": 5})
    assert result["a"].points == result["c"].points == Decimal("20.00")
    assert result["e"].points == Decimal("0.00")
    assert result["d"].points == 0 and "无数据" in result["d"].explanation


@pytest.mark.parametrize(
    ("method", "max_points", "params", "message"),
    [
        ("nonsense", 10, {}, "未知的计分方法"),
        (Method.VETO, 10, {}, "满分应为 0"),
        (Method.DEDUCTION, 10, {}, "每次扣分"),
        (Method.TIERED, 10, {"tiers": [[0, 20]]}, "不能超过满分"),
        (Method.RATIO, 0, {}, "大于 0"),
    ],
)
def test_bad_parameters_are_named(method, max_points, params, message):
    with pytest.raises(scoring.ParameterError, match=message):
        scoring.validate_parameters(method, max_points, params)


@given(st.integers(1, 200), st.integers(1, 50), st.integers(0, 1000))
def test_deduction_is_always_between_zero_and_full_marks(max_points, per_event, events):
    points = scoring.score_deduction(max_points, {"per_event": per_event}, events).points
    assert 0 <= points <= max_points


@given(st.integers(1, 200), money.filter(lambda d: d > 0), money, money)
def test_ratio_is_monotone_and_bounded(max_points, target, a, b):
    low, high = sorted([a, b])
    p_low = scoring.score_ratio(max_points, {"target": target}, low).points
    p_high = scoring.score_ratio(max_points, {"target": target}, high).points
    assert 0 <= p_low <= p_high <= max_points


@given(
    st.lists(st.decimals(min_value=0, max_value=1000, places=1), min_size=1, max_size=60),
    st.sampled_from(["0.15", "0.2"]),
)
def test_the_excellent_quota_is_never_exceeded(totals, quota):
    rows = [GradeInput(target=i, total=t) for i, t in enumerate(totals)]
    results = scoring.assign_grades(
        rows,
        full_marks=1000,
        bands=("0.9", "0.75", "0.6"),
        excellent_quota=Decimal(quota),
        incompetent_vote_share=Decimal("0.3"),
    )
    excellent = [r for r in rows if results[r.target].grade == Grade.EXCELLENT]
    assert len(excellent) <= int(len(rows) * Decimal(quota))
    # Nobody below the bar is excellent, and everyone graded excellent outscores every 称职 above the bar.
    assert all(r.total >= 900 for r in excellent)


def test_veto_and_vote_force_incompetent():
    rows = [
        GradeInput("veto", Decimal(990), veto=True),
        GradeInput("vote", Decimal(950), incompetent_vote_share=Decimal("0.31")),
        GradeInput("fine", Decimal(800)),
    ]
    results = scoring.assign_grades(
        rows,
        full_marks=1000,
        bands=("0.9", "0.75", "0.6"),
        excellent_quota=Decimal("0.5"),
        incompetent_vote_share=Decimal("0.3"),
    )
    assert results["veto"].grade == results["vote"].grade == Grade.INCOMPETENT
    assert results["fine"].grade == Grade.COMPETENT


def test_annual_total_combines_with_weights():
    assert scoring.combine_annual(daily=800, concentrated=900, vote=700, weights=(40, 40, 20)) == Decimal("820.00")


@pytest.mark.parametrize(
    ("grades", "flagged", "watch"),
    [
        ([Grade.COMPETENT, Grade.INCOMPETENT, Grade.INCOMPETENT], True, False),
        ([Grade.INCOMPETENT, Grade.COMPETENT, Grade.INCOMPETENT, Grade.BASIC, Grade.INCOMPETENT], True, False),
        ([Grade.INCOMPETENT, Grade.COMPETENT, Grade.INCOMPETENT], False, True),
        ([Grade.COMPETENT, Grade.EXCELLENT], False, False),
    ],
)
def test_removal_rule(grades, flagged, watch):
    history = list(enumerate(grades, start=2020))
    status = scoring.removal_status(history, year=2019 + len(grades), consecutive=2, total=3)
    assert (status.flagged, status.watch) == (flagged, watch)


@given(st.lists(st.sampled_from(Grade.values), min_size=1, max_size=12))
def test_removal_rule_matches_its_definition(grades):
    """Independent statement: flagged in the year whose 不称职 completes 2 in a row or 3 in all;
    otherwise any 不称职 puts the person on the watch list."""
    history = list(enumerate(grades, start=2020))
    status = scoring.removal_status(history, year=2019 + len(grades), consecutive=2, total=3)
    consecutive = any(a == b == Grade.INCOMPETENT for a, b in zip(grades, grades[1:], strict=False))
    count = grades.count(Grade.INCOMPETENT)
    assert status.flagged == ((consecutive or count >= 3) and grades[-1] == Grade.INCOMPETENT)
    assert status.watch == (not status.flagged and count >= 1)
