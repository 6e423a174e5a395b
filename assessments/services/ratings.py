"""The year: the annual rating per person, the 优秀 quota and its ties, the removal rule and its decisions
(the county's tie decisions and the sign-off: sign_off.py)."""

from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from cadres.models import Person
from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.services import audit_record, county_admin_recipients, notify

from .. import duty, scoring
from ..choices import (
    AssessmentMessageKind,
    DutyLevel,
    Grade,
    PeriodKind,
    RemovalDecision,
    RemovalState,
    Target,
)
from ..models import (
    AnnualRating,
    BallotGroup,
    DutyReview,
    RemovalFlag,
    Score,
    VoteResult,
)
from .common import actor_or_none
from .talks import talks_apply


def _scale(vote_score, full_marks):
    """民主测评 is scored out of 1000; put it on the scheme's scale."""
    return Decimal(vote_score) * Decimal(full_marks) / Decimal(1000)


def _ballot_votes(county_id, year):
    """{person id: [(vote out of 1000 or None, 不称职 share, working lines)]} from the village
    secretaries' 述职述廉 ballots of ``year``, one entry per village they reported in."""
    reviews = list(
        DutyReview.objects.filter(
            county_id=county_id, year=year, level=DutyLevel.VILLAGE, post=PostKind.VILLAGE_SECRETARY
        ).values_list("tally_id", "person_id", "village__name", "tally__score", "tally__reason")
    )
    groups = {}
    for tally_id, returned, invalid, counts in BallotGroup.objects.filter(
        tally_id__in=[r[0] for r in reviews]
    ).values_list("tally_id", "returned", "invalid", "counts"):
        groups.setdefault(tally_id, []).append(SimpleNamespace(valid=returned - invalid, counts=counts))
    votes = {}
    for tally_id, person_id, village, score, reason in reviews:
        share, share_line = duty.incompetent_share(groups.get(tally_id, []))
        if score is None:
            vote, vote_line = None, reason or _("述职测评无结果。")
        else:
            vote, vote_line = duty.vote_on_1000(score)
        votes.setdefault(person_id, []).append(
            (vote, share or Decimal(0), [f"{village}：{vote_line}", f"{village}：{share_line}"])
        )
    return votes


def _vote_of(ballots, typed, full_marks):
    """(vote on the scheme's scale or None, 不称职 share, source, working): the ballots when the person
    has any for the year, else the typed value (history, entered before the ballots existed)."""
    if ballots:
        scored = [v for v, _s, _w in ballots if v is not None]
        share = max(s for _v, s, _w in ballots)
        working = [line for _v, _s, lines in ballots for line in lines]
        if not scored:
            return None, share, "ballots", [*working, _("无述职测评得分，民主测评以日常考核得分代替。")]
        mean = sum(scored, Decimal(0)) / len(scored)
        vote = _scale(mean, full_marks)
        if len(ballots) > 1:
            working.append(
                _("跨村任职：民主测评取各村平均 %(m)s，“不称职”票比例取最高 %(s)s%%")
                % {"m": scoring._q(mean), "s": scoring._q(share * 100)}
            )
        working.append(
            _("折合方案满分：%(m)s × %(f)s ÷ 1000 = %(v)s")
            % {"m": scoring._q(mean), "f": scoring._fmt(full_marks), "v": scoring._q(vote)}
        )
        return vote, share, "ballots", working
    if typed:
        mean = sum((v for v, _s in typed), Decimal(0)) / len(typed)
        share = max(s for _v, s in typed)
        return (
            _scale(mean, full_marks),
            share,
            "typed",
            [_("录入值（历史）：民主测评 %(m)s（千分制），“不称职”票比例 %(s)s") % {"m": scoring._q(mean), "s": share}],
        )
    return None, Decimal(0), "", []


def annual_inputs(*, county_id, year, conf):
    """Each village secretary's year (DOMAIN §6), one entry per person.

    - Only the months the person held the post count (a month's score belongs to the
      person in office, see ``selectors.secretary_days``); a successor inherits nothing.
    - 跨村任职: every village-month the person served counts once in the daily average;
      the year-end concentrated score is the average of their scores in the last month
      they served; the vote is the average of their villages' votes, with the highest
      share of 不称职 votes (one village's verdict is not diluted by another's).
    - The vote comes from the person's 述职述廉 ballots of the year (``_ballot_votes``); a typed
      ``VoteResult`` is read only when the person has no ballots that year (history).
    - Fewer distinct months than ``annual.min_months``: not rated this year.
    - Any vetoed month of their own makes the year vetoed.
    """
    monthly = (
        Score.objects.filter(
            township__county_id=county_id, year=year, period_kind=PeriodKind.MONTH, target=Target.VILLAGE_SECRETARY
        )
        .exclude(person__isnull=True)
        .values_list(
            "person_id",
            "village_id",
            "village__name",
            "township_id",
            "period",
            "total",
            "veto",
            "veto_reason",
            "scheme__full_marks",
        )
        .order_by("person_id", "period", "village_id")
    )
    people = {}
    for person_id, village_id, village_name, township_id, period, total, veto, reason, full_marks in monthly:
        entry = people.setdefault(
            person_id, {"scores": [], "villages": {}, "vetoes": [], "full_marks": full_marks, "last": 0}
        )
        entry["scores"].append((period, total))
        months = entry["villages"].setdefault(village_id, {"name": village_name, "township": township_id, "n": 0})
        months["n"] += 1
        months["last"] = period
        if veto:
            entry["vetoes"].append(f"{reason}（{year}年{period}月，{village_name}）")
        entry["full_marks"] = full_marks  # the scheme in force at the person's last month
    votes = {}
    for person_id, score, share in VoteResult.objects.filter(township__county_id=county_id, year=year).values_list(
        "person_id", "score", "incompetent_share"
    ):
        votes.setdefault(person_id, []).append((score, share))
    ballots = _ballot_votes(county_id, year)
    result = {}
    for person_id, entry in people.items():
        periods = sorted({p for p, _t in entry["scores"]})
        if len(periods) < conf["annual.min_months"]:
            continue
        last = periods[-1]
        daily = sum((t for _p, t in entry["scores"]), Decimal(0)) / len(entry["scores"])
        closing = [t for p, t in entry["scores"] if p == last]
        concentrated = sum(closing, Decimal(0)) / len(closing)
        vote, share, source, vote_working = _vote_of(ballots.get(person_id), votes.get(person_id), entry["full_marks"])
        main_village, main = max(entry["villages"].items(), key=lambda kv: (kv[1]["n"], kv[1]["last"], -kv[0]))
        result[person_id] = {
            "village": main_village,
            "township": main["township"],
            "villages": [v["name"] for v in entry["villages"].values()],
            "months": len(periods),
            "daily": scoring._q(daily),
            "concentrated": scoring._q(concentrated),
            "vote": scoring._q(vote) if vote is not None else None,
            "share": share,
            "vote_source": source,
            "vote_working": vote_working,
            "veto": bool(entry["vetoes"]),
            "veto_reason": "；".join(entry["vetoes"]),
            "full_marks": entry["full_marks"],
        }
    return result


@transaction.atomic
def annual_rating_compute(*, county_id, year, run=None):
    """Rate every village secretary of the year and apply the removal rule (flags await a decision).

    Ratings already signed off are left as they were; re-running a year recomputes the rest.
    """
    conf = settings_for(county_id)
    people = annual_inputs(county_id=county_id, year=year, conf=conf)
    weights = (conf["annual.weight_daily"], conf["annual.weight_concentrated"], conf["annual.weight_vote"])
    tie_break = conf["grade.tie_break"].split(",")
    by_township = conf["grade.quota_scope"] == "township"
    inputs, totals = [], {}
    full_marks = max((p["full_marks"] for p in people.values()), default=Decimal(1000))
    for person_id, p in people.items():
        vote = p["vote"] if p["vote"] is not None else p["daily"]
        total = scoring.combine_annual(daily=p["daily"], concentrated=p["concentrated"], vote=vote, weights=weights)
        totals[person_id] = total
        inputs.append(
            scoring.GradeInput(
                target=person_id,
                total=total,
                veto=p["veto"],
                veto_reason=p["veto_reason"],
                incompetent_vote_share=p["share"],
                group=p["township"] if by_township else county_id,
                tie_values=tuple(
                    {"vote": vote, "concentrated": p["concentrated"], "daily": p["daily"]}[c] for c in tie_break
                ),
            )
        )
    grades = scoring.assign_grades(
        inputs,
        full_marks=full_marks,
        bands=(conf["grade.excellent_share"], conf["grade.competent_share"], conf["grade.basic_share"]),
        excellent_quota=Decimal(str(conf["grade.excellent_quota"])),
        incompetent_vote_share=Decimal(str(conf["grade.incompetent_vote_share"])),
        rounding=conf["grade.quota_rounding"],
        min_pool=conf["grade.quota_min_pool"],
    )
    group_of = {pid: (p["township"] if by_township else county_id) for pid, p in people.items()}
    kept, lapsed = _tie_decisions(county_id=county_id, year=year, conf=conf, grades=grades, group_of=group_of)
    for pid, decided in kept.items():  # the same tie for the same places: the county's choice stands
        grades[pid] = scoring.GradeResult(decided.grade, decided.reason)
    for pid in lapsed:
        grades[pid] = scoring.GradeResult(
            grades[pid].grade,
            _("县委组织部此前对优秀名额并列的决定已不适用（并列情况已变化）。") + grades[pid].reason,
            grades[pid].tie_pending,
        )
    ids = list(people)
    ranks = scoring.competition_ranks(ids, key=lambda pid: scoring.ranking_key(totals[pid], people[pid]["veto"]))
    signed = set(
        AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    ratings = [
        AnnualRating(
            person_id=pid,
            village_id=people[pid]["village"],
            township_id=people[pid]["township"],
            villages=people[pid]["villages"],
            months=people[pid]["months"],
            year=year,
            daily=people[pid]["daily"],
            concentrated=people[pid]["concentrated"],
            vote=people[pid]["vote"],
            incompetent_vote_share=people[pid]["share"],
            vote_source=people[pid]["vote_source"],
            vote_working=people[pid]["vote_working"],
            total=totals[pid],
            veto=people[pid]["veto"],
            grade=grades[pid].grade,
            reason=grades[pid].reason[:300],
            tie_pending=grades[pid].tie_pending,
            decided_by_county=pid in kept,
            rank_in_county=ranks[index],
            run=run,
        )
        for index, pid in enumerate(ids)
        if pid not in signed
    ]
    AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=True).exclude(
        person_id__in=ids
    ).delete()
    AnnualRating.objects.bulk_create(
        ratings,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=[
            "village",
            "township",
            "villages",
            "months",
            "daily",
            "concentrated",
            "vote",
            "incompetent_vote_share",
            "vote_source",
            "vote_working",
            "total",
            "veto",
            "grade",
            "reason",
            "tie_pending",
            "decided_by_county",
            "rank_in_county",
            "run",
        ],
    )
    removal_rule_apply(county_id=county_id, year=year)
    talks_apply(county_id=county_id, year=year)  # 不称职 and 软弱涣散 propose a 约谈
    return len(ratings)


def quota_places(conf, count):
    """The 优秀 places of a group of ``count`` rated secretaries under the county's settings."""
    return scoring.quota_places(
        count,
        Decimal(str(conf["grade.excellent_quota"])),
        rounding=conf["grade.quota_rounding"],
        min_pool=conf["grade.quota_min_pool"],
    )


def _tie_decisions(*, county_id, year, conf, grades, group_of):
    """The county's decisions on 优秀 ties (excellent_ties_decide) against a recomputed year.

    A group's decision still stands when the recomputation ties exactly the people it decided and
    leaves exactly as many places as it filled; then ``kept`` maps each of them to their decided
    rating. Otherwise its people are ``lapsed``: they take the computed grade (tied again, or not)
    and their reason says the earlier decision no longer applies."""
    decided = {
        r.person_id: r
        for r in AnnualRating.objects.filter(
            township__county_id=county_id, year=year, signed_off_by__isnull=True, decided_by_county=True
        ).only("person_id", "grade", "reason")
    }
    if not decided:
        return {}, set()
    members = {}
    for pid, group in group_of.items():
        members.setdefault(group, []).append(pid)
    kept, lapsed = {}, set()
    for pids in members.values():
        before = {pid for pid in pids if pid in decided}
        if not before:
            continue
        tied = {pid for pid in pids if grades[pid].tie_pending}
        places = quota_places(conf, len(pids))
        free = places - sum(1 for pid in pids if grades[pid].grade == Grade.EXCELLENT and pid not in tied)
        chosen = sum(1 for pid in before if decided[pid].grade == Grade.EXCELLENT)
        if tied == before and chosen == free:
            kept.update((pid, decided[pid]) for pid in before)
        else:
            lapsed |= before
    # Decided people no longer rated this year (fewer months now) simply drop out with their rating.
    return kept, {pid for pid in lapsed if pid in grades}


def removal_rule_apply(*, county_id, year):
    """The removal rule for ``year`` (DOMAIN §6): it follows the person across villages and townships,
    reads only ratings up to ``year``, and counts afresh after each decided flag. Decided flags are
    never touched; undecided ones are recomputed."""
    conf = settings_for(county_id)
    township_of = dict(
        AnnualRating.objects.filter(township__county_id=county_id, year=year).values_list("person_id", "township_id")
    )
    history, decided = {}, {}
    for person_id, rating_year, grade in AnnualRating.objects.filter(
        person_id__in=township_of, year__lte=year
    ).values_list("person_id", "year", "grade"):
        history.setdefault(person_id, []).append((rating_year, grade))
    for person_id, flag_year in (
        RemovalFlag.objects.filter(person_id__in=township_of).exclude(decision="").values_list("person_id", "year")
    ):
        decided.setdefault(person_id, set()).add(flag_year)
    flags = []
    for person_id, grades in history.items():
        if year in decided.get(person_id, ()):
            continue  # this year's flag is decided: it stands as it was
        status = scoring.removal_status(
            grades,
            year=year,
            consecutive=conf["removal.consecutive"],
            total=conf["removal.total"],
            decided_years=decided.get(person_id, ()),
            gap_breaks=bool(conf["removal.gap_breaks"]),
        )
        if status.flagged or status.watch:
            flags.append(
                RemovalFlag(
                    person_id=person_id,
                    township_id=township_of[person_id],
                    year=year,
                    state=RemovalState.FLAGGED if status.flagged else RemovalState.WATCH,
                    incompetent_count=status.incompetent_count,
                    reason=status.reason,
                    rated_years=list(status.counted_years),
                )
            )
    RemovalFlag.objects.filter(township__county_id=county_id, year=year, decision="").exclude(
        person_id__in=[f.person_id for f in flags]
    ).delete()
    RemovalFlag.objects.bulk_create(
        flags,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=["township", "state", "incompetent_count", "reason", "rated_years"],
    )
    _tell_flags(county_id, year, [f.person_id for f in flags if f.state == RemovalState.FLAGGED])
    return len(flags)


def _tell_flags(county_id, year, person_ids):
    """The county's administrators hear once of each secretary flagged for a decision."""
    if not person_ids:
        return
    admins = list(county_admin_recipients(county_id))
    for person_id, name in Person.objects.filter(pk__in=person_ids).values_list("pk", "name"):
        notify(
            admins,
            kind=AssessmentMessageKind.FLAG_PENDING,
            title=_("%(n)s 达到调整退出条件（%(y)s 年度），待县委组织部决定") % {"n": name, "y": year},
            url=reverse("removal-list"),
            key=f"flag:{person_id}:{year}",
        )


@transaction.atomic
def removal_decide(*, actor, flag, decision, opinion, request=None):
    """A named county user decides a 调整退出 flag: 同意调整 or 不予调整, with an opinion.

    Counting starts afresh after the decision: later years' undecided flags are recomputed.
    """
    if decision not in RemovalDecision.values:
        raise ValidationError({"decision": _("请选择“同意调整”或“不予调整”。")})
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写意见。")})
    flag = RemovalFlag.objects.select_for_update().select_related("township").get(pk=flag.pk)
    if flag.state != RemovalState.FLAGGED:
        raise ValidationError(_("警示名单仅供提醒，不需要决定。"))
    if flag.decision:
        raise ValidationError(
            _("该预警已于 %(d)s 决定（%(x)s），不能再次决定。")
            % {"d": timezone.localtime(flag.decided_at).strftime("%Y-%m-%d"), "x": flag.get_decision_display()}
        )
    flag.decision, flag.opinion = decision, opinion.strip()
    flag.decided_by, flag.decided_at = actor_or_none(actor), timezone.now()
    flag.save(update_fields=["decision", "opinion", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=flag,
        detail={"removal_decision": decision, "opinion": flag.opinion, "year": flag.year},
        request=request,
    )
    county_id = flag.township.county_id
    for later in sorted(
        set(
            AnnualRating.objects.filter(township__county_id=county_id, year__gt=flag.year).values_list(
                "year", flat=True
            )
        )
    ):
        removal_rule_apply(county_id=county_id, year=later)
    return flag
