"""The rules of 《中国共产党发展党员工作细则》 and the branch work regulation, as pure functions.

Every function takes plain values (dates, counts, the county's settings) and
either returns quietly or raises ``RuleBreach`` whose message names the rule.
No ORM here: services gather the values, call these, and write.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from townships.dates import add_months

from .choices import PARTY_ORGANIZATION_POSTS, PoliticalCheck, Rating, Stage


class RuleBreach(ValueError):
    """A step the regulations forbid; ``str(exc)`` is the Chinese message naming the rule."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def working_days(start, end):
    """Monday–Friday days from start to end inclusive (statutory holidays are not modelled)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + datetime.timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class Vote:
    """A branch general meeting's vote on one person (表决: 个别表决)."""

    entitled: int
    present: int
    in_favour: int


def check_vote(vote):
    if vote.entitled <= 0:
        raise RuleBreach(_("应到会有表决权的党员人数必须大于零。"), "entitled")
    if vote.present > vote.entitled or vote.in_favour > vote.present or min(vote.present, vote.in_favour) < 0:
        raise RuleBreach(_("表决人数不合理：赞成票不能多于实到人数，实到人数不能多于应到人数。"), "present")
    if vote.present * 2 <= vote.entitled:
        raise RuleBreach(
            _("违反细则第二十四条：到会有表决权的党员须超过应到会有表决权党员的半数，本次会议不足法定人数。"), "present"
        )
    if vote.in_favour * 2 <= vote.entitled:
        raise RuleBreach(
            _("违反细则第二十四条：赞成人数须超过应到会有表决权党员的半数，本次表决未获通过。"), "in_favour"
        )


def check_notice(notice_from, notice_to, decided_on, required_days):
    """Public notice (公示) of at least ``required_days`` working days, finished by the decision."""
    if notice_from is None or notice_to is None:
        raise RuleBreach(
            _("未记录公示期：本环节须公示不少于 %(days)s 个工作日。") % {"days": required_days}, "notice_from"
        )
    if notice_to > decided_on:
        raise RuleBreach(_("公示须在本环节决定之日前结束。"), "notice_to")
    if working_days(notice_from, notice_to) < required_days:
        raise RuleBreach(
            _("公示期不足：须公示不少于 %(days)s 个工作日，实际 %(actual)s 个工作日。")
            % {"days": required_days, "actual": working_days(notice_from, notice_to)},
            "notice_to",
        )


def _require_stage(stage, expected, action):
    if stage != expected:
        raise RuleBreach(
            _("只有%(expected)s才能%(action)s，此人目前是%(stage)s。")
            % {"expected": Stage(expected).label, "action": action, "stage": Stage(stage).label}
        )


def check_application(*, birth_date, applied_on, today, min_age, barred_until=None):
    if applied_on > today:
        raise RuleBreach(_("申请日期不能晚于今天。"), "applied_on")
    if age_on(birth_date, applied_on) < min_age:
        raise RuleBreach(
            _("违反党章第一条和细则第六条：申请入党须年满 %(age)s 周岁，申请时未满 %(age)s 周岁。") % {"age": min_age},
            "applied_on",
        )
    if barred_until is not None and applied_on < barred_until:
        raise RuleBreach(
            _("此人曾被除名或劝退，%(date)s 前不得重新申请入党。") % {"date": barred_until.isoformat()}, "applied_on"
        )


def talk_is_late(*, applied_on, talked_on, within_days):
    """细则第八条: a talk within one month of the application. Late talks are recorded and flagged."""
    if talked_on < applied_on:
        raise RuleBreach(_("谈话日期不能早于申请日期。"), "on_date")
    return (talked_on - applied_on).days > within_days


def check_activist(*, stage, applied_on, activist_on, mentor_stages, mentors_min, mentors_max):
    _require_stage(stage, Stage.APPLICANT, _("确定为入党积极分子"))
    if activist_on < applied_on:
        raise RuleBreach(_("确定为积极分子的日期不能早于申请日期。"), "on_date")
    if not mentors_min <= len(mentor_stages) <= mentors_max:
        raise RuleBreach(
            _("违反细则第十二条：须指定 %(min)s 至 %(max)s 名正式党员作为培养联系人。")
            % {"min": mentors_min, "max": mentors_max},
            "mentors",
        )
    if any(s != Stage.FULL for s in mentor_stages):
        raise RuleBreach(_("违反细则第十二条：培养联系人必须是正式党员。"), "mentors")


def check_candidate(
    *,
    stage,
    activist_on,
    candidate_on,
    min_months,
    sponsor_stages,
    sponsors_required,
    political_check,
    training_days,
    training_hours,
    min_training_days,
    min_training_hours,
):
    _require_stage(stage, Stage.ACTIVIST, _("列为发展对象"))
    earliest = add_months(activist_on, min_months)
    if candidate_on < earliest:
        raise RuleBreach(
            _(
                "违反细则第十四条：入党积极分子须经 %(months)s 个月以上培养教育和考察才能列为发展对象，"
                "此人 %(since)s 确定为积极分子，最早 %(earliest)s 可列为发展对象。"
            )
            % {"months": min_months, "since": activist_on.isoformat(), "earliest": earliest.isoformat()},
            "on_date",
        )
    if len(sponsor_stages) != sponsors_required or any(s != Stage.FULL for s in sponsor_stages):
        raise RuleBreach(
            _("违反细则第十九条：发展对象须有 %(n)s 名正式党员作入党介绍人。") % {"n": sponsors_required}, "sponsors"
        )
    if political_check != PoliticalCheck.PASSED:
        raise RuleBreach(_("违反细则第十六条：须对发展对象进行政治审查，且结论合格。"), "political_check")
    if training_days < min_training_days and training_hours < min_training_hours:
        raise RuleBreach(
            _("违反细则第十七条：发展对象须经集中培训，时间不少于 %(days)s 天或不少于 %(hours)s 个学时。")
            % {"days": min_training_days, "hours": min_training_hours},
            "training_hours",
        )


def check_admission(
    *, stage, candidate_on, meeting_on, vote, approved_on, approval_months, approval_max_months, delay_reason
):
    _require_stage(stage, Stage.CANDIDATE, _("接收为预备党员"))
    if meeting_on < candidate_on:
        raise RuleBreach(_("支部大会日期不能早于列为发展对象的日期。"), "on_date")
    check_vote(vote)
    if approved_on < meeting_on:
        raise RuleBreach(_("乡镇党委审批日期不能早于支部大会日期。"), "approved_on")
    if approved_on > add_months(meeting_on, approval_max_months):
        raise RuleBreach(
            _("违反细则第二十六条：乡镇党委审批最长不得超过支部大会后 %(max)s 个月。") % {"max": approval_max_months},
            "approved_on",
        )
    if approved_on > add_months(meeting_on, approval_months) and not delay_reason:
        raise RuleBreach(
            _("违反细则第二十六条：乡镇党委应在支部大会后 %(months)s 个月内审批；超过期限须注明特殊情况。")
            % {"months": approval_months},
            "delay_reason",
        )


def check_confirmation(*, stage, probation_end, meeting_on, vote):
    _require_stage(stage, Stage.PROBATIONARY, _("转正"))
    if meeting_on < probation_end:
        raise RuleBreach(
            _("违反党章第七条：预备期 %(end)s 届满，届满前不能讨论转正。") % {"end": probation_end.isoformat()},
            "on_date",
        )
    check_vote(vote)


def check_extension(*, stage, already_extended, months, min_months, max_months):
    _require_stage(stage, Stage.PROBATIONARY, _("延长预备期"))
    if already_extended:
        raise RuleBreach(_("违反党章第七条：预备期只能延长一次。"), "months")
    if not min_months <= months <= max_months:
        raise RuleBreach(
            _("违反党章第七条：延长预备期不能少于 %(min)s 个月，最长不超过 %(max)s 个月。")
            % {"min": min_months, "max": max_months},
            "months",
        )


def check_correction_deadline(*, started_on, deadline, max_months):
    if deadline <= started_on:
        raise RuleBreach(_("改正期限须晚于开始日期。"), "deadline")
    if deadline > add_months(started_on, max_months):
        raise RuleBreach(_("限期改正最长不超过 %(max)s 个月。") % {"max": max_months}, "deadline")


def check_ratings(*, ratings, excellent_max_share):
    """民主评议: 优秀 at most a share [setting] of those rated; probationary members are not rated 优秀.

    ``ratings`` is a list of (stage, rating) pairs.
    """
    if not ratings:
        raise RuleBreach(_("评议至少要包含一名党员。"), "ratings")
    if any(stage == Stage.PROBATIONARY and rating == Rating.EXCELLENT for stage, rating in ratings):
        raise RuleBreach(_("预备党员不参加“优秀”等次评定。"), "ratings")
    if any(stage not in (Stage.PROBATIONARY, Stage.FULL) for stage, _rating in ratings):
        raise RuleBreach(_("只有正式党员和预备党员参加民主评议。"), "ratings")
    excellent = sum(1 for _stage, rating in ratings if rating == Rating.EXCELLENT)
    allowed = int(len(ratings) * excellent_max_share + 1e-9)
    if excellent > allowed:
        raise RuleBreach(
            _("评为“优秀”的 %(n)s 人超过了参评人数的规定比例（最多 %(max)s 人）。") % {"n": excellent, "max": allowed},
            "ratings",
        )


def check_village_party_post(*, post, name, stage, in_village_organization):
    """村党组织书记、副书记 are full members of that village's Party organization.

    《中国共产党农村基层组织工作条例》 (2019): the village Party organization's
    secretary and deputy secretary are elected from its own full members. ``stage``
    is the person's current stage (None when not on any roster); ``in_village_organization``
    says whether that membership is kept by the village's organization. Other posts
    are not checked here: 村委会主任 and the other committee posts are open to non-members,
    and 驻村第一书记 comes from outside the village.
    """
    if post not in PARTY_ORGANIZATION_POSTS:
        return
    if stage == Stage.FULL and in_village_organization:
        return
    if stage is None:
        why = _("此人不是党员")
    elif stage == Stage.PROBATIONARY:
        why = _("此人是预备党员，尚未转正")
    elif stage != Stage.FULL:
        why = _("此人目前是%(stage)s，还不是党员") % {"stage": Stage(stage).label}
    else:
        why = _("此人的组织关系不在本村党组织")
    raise RuleBreach(
        _(
            "根据《中国共产党农村基层组织工作条例》，村党组织书记、副书记须由本村党组织的正式党员担任；"
            "%(name)s不是本村党组织的正式党员（%(why)s）。"
        )
        % {"name": name, "why": why},
        "person",
    )
