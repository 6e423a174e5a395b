import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cadres import rules
from cadres.choices import Rating, Stage

D = datetime.date


def test_add_months_clamps_to_the_end_of_the_month():
    assert rules.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert rules.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert rules.add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)), st.integers(min_value=0, max_value=120))
def test_add_months_never_goes_backwards_and_lands_in_the_right_month(day, months):
    later = rules.add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months


def test_working_days_skip_weekends():
    # 2026-11-23 is a Monday.
    assert rules.working_days(D(2026, 11, 23), D(2026, 11, 27)) == 5
    assert rules.working_days(D(2026, 11, 27), D(2026, 11, 30)) == 2
    assert rules.working_days(D(2026, 11, 28), D(2026, 11, 29)) == 0


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 1, 1)), st.integers(min_value=0, max_value=60))
def test_working_days_match_a_day_by_day_count(start, length):
    end = start + datetime.timedelta(days=length)
    expected = sum(1 for i in range(length + 1) if (start + datetime.timedelta(days=i)).weekday() < 5)
    assert rules.working_days(start, end) == expected


def test_an_applicant_must_be_eighteen():
    with pytest.raises(rules.RuleBreach, match="年满 18 周岁"):
        rules.check_application(birth_date=D(2008, 6, 1), applied_on=D(2026, 5, 31), today=D(2026, 11, 1), min_age=18)
    rules.check_application(birth_date=D(2008, 6, 1), applied_on=D(2026, 6, 1), today=D(2026, 11, 1), min_age=18)


def test_an_expelled_person_is_barred_until_the_date():
    with pytest.raises(rules.RuleBreach, match="2027-01-01 前不得重新申请"):
        rules.check_application(
            birth_date=D(1980, 1, 1),
            applied_on=D(2026, 3, 1),
            today=D(2026, 11, 1),
            min_age=18,
            barred_until=D(2027, 1, 1),
        )


def _candidate(**overrides):
    values = {
        "stage": Stage.ACTIVIST,
        "activist_on": D(2025, 1, 10),
        "candidate_on": D(2026, 1, 10),
        "min_months": 12,
        "sponsor_stages": [Stage.FULL, Stage.FULL],
        "sponsors_required": 2,
        "political_check": "passed",
        "training_days": 3,
        "training_hours": 0,
        "min_training_days": 3,
        "min_training_hours": 24,
    }
    values.update(overrides)
    return rules.check_candidate(**values)


def test_an_activist_of_eleven_months_cannot_become_a_candidate():
    with pytest.raises(rules.RuleBreach, match="细则第十四条.*最早 2026-01-10"):
        _candidate(candidate_on=D(2025, 12, 10))
    assert _candidate() is None


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"sponsor_stages": [Stage.FULL]}, "第十九条"),
        ({"sponsor_stages": [Stage.FULL, Stage.PROBATIONARY]}, "第十九条"),
        ({"political_check": "failed"}, "第十六条"),
        ({"political_check": None}, "第十六条"),
        ({"training_days": 2, "training_hours": 20}, "第十七条"),
        ({"stage": Stage.APPLICANT}, "只有入党积极分子"),
    ],
)
def test_candidate_rules_name_the_rule_they_enforce(overrides, rule):
    with pytest.raises(rules.RuleBreach, match=rule):
        _candidate(**overrides)


def test_twenty_four_hours_of_training_is_enough_without_three_days():
    # The rules return None when the step is allowed and raise RuleBreach when it is refused.
    assert _candidate(training_days=1, training_hours=24) is None
    with pytest.raises(rules.RuleBreach, match="第十七条"):
        _candidate(training_days=1, training_hours=23)


@pytest.mark.parametrize(
    ("vote", "message"),
    [
        (rules.Vote(entitled=20, present=10, in_favour=10), "法定人数"),
        (rules.Vote(entitled=20, present=15, in_favour=10), "未获通过"),
        (rules.Vote(entitled=20, present=21, in_favour=10), "不合理"),
        (rules.Vote(entitled=0, present=0, in_favour=0), "大于零"),
    ],
)
def test_votes_need_quorum_and_a_majority_of_those_entitled(vote, message):
    with pytest.raises(rules.RuleBreach, match=message):
        rules.check_vote(vote)


@given(st.integers(1, 200), st.data())
def test_a_vote_passes_exactly_when_quorum_and_majority_hold(entitled, data):
    present = data.draw(st.integers(0, entitled))
    in_favour = data.draw(st.integers(0, present))
    vote = rules.Vote(entitled=entitled, present=present, in_favour=in_favour)
    should_pass = present * 2 > entitled and in_favour * 2 > entitled
    try:
        rules.check_vote(vote)
        passed = True
    except rules.RuleBreach:
        passed = False
    assert passed is should_pass


def _admission(**overrides):
    values = {
        "stage": Stage.CANDIDATE,
        "candidate_on": D(2026, 1, 10),
        "meeting_on": D(2026, 3, 1),
        "vote": rules.Vote(entitled=20, present=18, in_favour=17),
        "approved_on": D(2026, 5, 20),
        "approval_months": 3,
        "approval_max_months": 6,
        "delay_reason": "",
    }
    values.update(overrides)
    return rules.check_admission(**values)


def test_approval_within_three_months_or_six_with_a_reason():
    assert _admission() is None
    with pytest.raises(rules.RuleBreach, match="3 个月内审批"):
        _admission(approved_on=D(2026, 6, 2))
    assert _admission(approved_on=D(2026, 6, 2), delay_reason="党委换届") is None
    with pytest.raises(rules.RuleBreach, match="最长不得超过"):
        _admission(approved_on=D(2026, 9, 2), delay_reason="党委换届")


def test_confirmation_waits_for_the_end_of_probation():
    vote = rules.Vote(entitled=10, present=8, in_favour=8)
    with pytest.raises(rules.RuleBreach, match="届满前不能讨论转正"):
        rules.check_confirmation(
            stage=Stage.PROBATIONARY, probation_end=D(2026, 3, 1), meeting_on=D(2026, 2, 28), vote=vote
        )
    rules.check_confirmation(stage=Stage.PROBATIONARY, probation_end=D(2026, 3, 1), meeting_on=D(2026, 3, 1), vote=vote)


def test_extension_is_six_to_twelve_months_and_only_once():
    rules.check_extension(stage=Stage.PROBATIONARY, already_extended=False, months=6, min_months=6, max_months=12)
    with pytest.raises(rules.RuleBreach, match="不能少于 6 个月"):
        rules.check_extension(stage=Stage.PROBATIONARY, already_extended=False, months=3, min_months=6, max_months=12)
    with pytest.raises(rules.RuleBreach, match="只能延长一次"):
        rules.check_extension(stage=Stage.PROBATIONARY, already_extended=True, months=6, min_months=6, max_months=12)


def test_public_notice_needs_enough_working_days_before_the_decision():
    rules.check_notice(D(2026, 11, 16), D(2026, 11, 20), D(2026, 11, 23), 5)
    with pytest.raises(rules.RuleBreach, match="公示期不足"):
        rules.check_notice(D(2026, 11, 19), D(2026, 11, 24), D(2026, 11, 24), 5)
    with pytest.raises(rules.RuleBreach, match="决定之日前结束"):
        rules.check_notice(D(2026, 11, 16), D(2026, 11, 24), D(2026, 11, 23), 5)
    with pytest.raises(rules.RuleBreach, match="未记录公示期"):
        rules.check_notice(None, None, D(2026, 11, 23), 5)


def test_ratings_limit_excellent_to_a_third_and_exclude_probationary_members():
    full = [(Stage.FULL, Rating.QUALIFIED)] * 6
    rules.check_ratings(ratings=[(Stage.FULL, Rating.EXCELLENT)] * 3 + full, excellent_max_share=1 / 3)
    with pytest.raises(rules.RuleBreach, match="超过了参评人数的规定比例"):
        rules.check_ratings(ratings=[(Stage.FULL, Rating.EXCELLENT)] * 4 + full[:5], excellent_max_share=1 / 3)
    with pytest.raises(rules.RuleBreach, match="预备党员不参加"):
        rules.check_ratings(ratings=[(Stage.PROBATIONARY, Rating.EXCELLENT), *full], excellent_max_share=1 / 3)
