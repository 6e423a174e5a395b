"""The demo's 述职: last year's 述职述廉 of every village secretary (and of the 村委会主任 where another
person holds that post) and 述职评议 of every township Party secretary, with their ballots, written in bulk (COPY). A village secretary's ballots are drawn so that
their score and 不称职 share give the vote the demo planned for them (the annual rating reads them)."""

import datetime
import random
from decimal import Decimal

from django.db.models import Q

from cadres.choices import PostKind
from cadres.models import Tenure
from townships.bulk import copy_objects
from townships.choices import EntryStatus
from townships.county_settings import settings_for

from . import ballots, duty
from .choices import BallotKind, DutyLevel, SurveyMethod, SurveyPurpose, TallyTarget
from .county_settings import duty_groups, duty_options
from .models import BallotGroup, BallotTally, DutyReview
from .services.duty import township_reviews_compute, township_secretary_of

# Ballots issued per rater group (a range drawn from), by group code; other groups 10–20.
ISSUED = {"members": (20, 40), "representatives": (15, 30), "township": (5, 10), "county_committee": (15, 25)}


def _counts(rng, valid, score, share, codes):
    """Counts of a group's valid ballots over four options (best first, the last the 不称职/差 one)
    whose weighted score (100/80/60/0) is near ``score`` with about ``share`` on the last option."""
    worst = min(valid, round(valid * share))
    rest = valid - worst
    need = min(Decimal(100), max(Decimal(60), Decimal(score) / max(Decimal(1) - Decimal(share), Decimal("0.01"))))
    need += Decimal(rng.uniform(-3, 3))
    if need >= 80:
        best = round(rest * float((need - 80) / 20))
        best = max(0, min(rest, best))
        counts = [best, rest - best, 0, worst]
    else:
        basic = max(0, min(rest, round(rest * float((80 - need) / 20))))
        counts = [0, rest - basic, basic, worst]
    return dict(zip(codes, counts, strict=True))


def _groups(rng, conf, level, score, share):
    codes = [o.code for o in duty_options(conf, level)]
    rows = []
    for code, label, weight in duty_groups(conf, level):
        low, high = ISSUED.get(code, (10, 20))
        issued = rng.randint(low, high)
        returned = issued - rng.randint(0, 2)
        invalid = rng.randint(0, 1)
        valid = returned - invalid
        rows.append(
            ballots.Group(code, label, issued, returned, invalid, _counts(rng, valid, score, share, codes), weight)
        )
    return rows


def _write(pairs):
    """Write (tally, groups, review) triples: the tallies, their groups, then the reviews."""
    copy_objects(BallotTally, [tally for tally, _g, _r in pairs])
    copy_objects(
        BallotGroup,
        [
            BallotGroup(
                tally_id=tally.pk, position=i, code=g.code, label=g.label, weight=g.weight,
                issued=g.issued, returned=g.returned, invalid=g.invalid, counts=g.counts,
            )
            for tally, groups, _r in pairs
            for i, g in enumerate(groups)
        ],
    )  # fmt: skip
    for tally, _unused, review in pairs:
        review.tally_id = tally.pk
    copy_objects(DutyReview, [review for _t, _g, review in pairs])


def _tally(*, kind, target_kind, county, township_id, village_id, person_id, year, day, options, groups, conf):
    result = ballots.tally(groups, options, min_sample=conf["duty.min_sample"], bands=[], group_weighted=True)
    tally = BallotTally(
        kind=kind, purpose=SurveyPurpose.REPORT, target_kind=target_kind, county_id=county.pk,
        township_id=township_id, village_id=village_id, person_id=person_id, year=year, held_on=day,
        method=SurveyMethod.MEETING, options=[[o.code, o.label, str(o.weight), o.in_rate] for o in options],
        group_weighted=True, valid=result.valid, score=result.score, band="", reason=result.reason,
        working=list(result.working), status=EntryStatus.APPROVED,
    )  # fmt: skip
    return tally, result


def _directors(*, rng, county, year, votes, quality, conf, day):
    """The 村委会主任's own 述职 where the post is held apart from the secretary's (where one person
    holds both, 一肩挑, the secretary's 述职 is the one 述职). Ballots as the secretaries', drawn from
    the village's quality; they do not enter the secretary's annual rating."""
    secretaries = {village_id: person_id for village_id, _t, person_id, _v, _s in votes}
    directors = (
        Tenure.objects.filter(
            township__county=county, post=PostKind.COMMITTEE_DIRECTOR, started_on__lte=datetime.date(year, 12, 31)
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=datetime.date(year, 12, 31)))
        .order_by("village_id", "started_on")
        .values_list("village_id", "township_id", "person_id")
    )
    options = duty_options(conf, "village")
    pairs = []
    for village_id, township_id, person_id in directors:
        if village_id not in secretaries or secretaries[village_id] == person_id:
            continue
        q = quality.get(village_id, 0.7)
        groups = _groups(rng, conf, "village", Decimal(str(round(62 + 36 * q, 1))), max(0.0, 0.15 - q / 6))
        tally, result = _tally(
            kind=BallotKind.VILLAGE_DUTY, target_kind=TallyTarget.VILLAGE_CADRE, county=county, township_id=township_id,
            village_id=village_id, person_id=person_id, year=year, day=day, options=options, groups=groups, conf=conf,
        )  # fmt: skip
        review = DutyReview(
            level=DutyLevel.VILLAGE, county_id=county.pk, township_id=township_id, village_id=village_id,
            person_id=person_id, post=PostKind.COMMITTEE_DIRECTOR, year=year, reported_on=day,
            meeting="村党员大会暨述职述廉会议", meeting_on=day, working=list(result.working),
        )  # fmt: skip
        pairs.append((tally, groups, review))
    return pairs


def demo_duty(*, rng, county, year, votes, quality, villages):
    """``votes``: [(village id, township id, person id, planned vote out of 1000, planned 不称职 share)] of
    the village secretaries; ``quality``: {village id: 0–1} and ``villages``: [(village id, township id)],
    for the township secretaries' ballots (their villages' mean quality)."""
    conf = settings_for(county.pk)
    day = datetime.date(year, 12, 20)
    pairs = []
    options = duty_options(conf, "village")
    for village_id, township_id, person_id, vote, share in votes:
        groups = _groups(rng, conf, "village", Decimal(vote) / 10, share)
        tally, result = _tally(
            kind=BallotKind.VILLAGE_DUTY, target_kind=TallyTarget.SECRETARY, county=county, township_id=township_id,
            village_id=village_id, person_id=person_id, year=year, day=day, options=options, groups=groups, conf=conf,
        )  # fmt: skip
        working = list(result.working)
        if result.score is not None:
            working.append(duty.vote_on_1000(result.score)[1])
        working.append(duty.incompetent_share(groups)[1])
        review = DutyReview(
            level=DutyLevel.VILLAGE, county_id=county.pk, township_id=township_id, village_id=village_id,
            person_id=person_id, post=PostKind.VILLAGE_SECRETARY, year=year, reported_on=day,
            meeting="村党员大会暨述职述廉会议", meeting_on=day, working=working,
        )  # fmt: skip
        pairs.append((tally, groups, review))
    pairs += _directors(rng=random.Random(f"{county.pk}:{year}:directors"), county=county, year=year, votes=votes,
                        quality=quality, conf=conf, day=day)  # fmt: skip
    options = duty_options(conf, "township")
    by_township = {}
    for village_id, township_id in villages:
        by_township.setdefault(township_id, []).append(quality[village_id])
    day = datetime.date(year, 12, 28)
    for township in county.townships.filter(is_active=True).order_by("sort_key"):
        holder = township_secretary_of(township.pk, year)
        if holder is None:
            continue
        scores = by_township.get(township.pk) or [0.7]
        q = sum(scores) / len(scores)
        groups = _groups(rng, conf, "township", Decimal(70 + 28 * q), 0.02)
        tally, _result = _tally(
            kind=BallotKind.TOWNSHIP_DUTY, target_kind=TallyTarget.TOWNSHIP_SECRETARY, county=county,
            township_id=township.pk, village_id=None, person_id=holder[0], year=year, day=day, options=options,
            groups=groups, conf=conf,
        )  # fmt: skip
        review = DutyReview(
            level=DutyLevel.TOWNSHIP, county_id=county.pk, township_id=township.pk, village_id=None,
            person_id=holder[0], post=PostKind.PARTY_SECRETARY, year=year, reported_on=day, meeting_on=day,
            meeting="全县党委书记抓基层党建述职评议会",
            comment="抓基层党建责任落实，村级组织建设有进展；软弱涣散整顿和发展党员工作仍须加强。",
        )  # fmt: skip
        pairs.append((tally, groups, review))
    _write(pairs)
    township_reviews_compute(county_id=county.pk, year=year)  # composites once the township scores exist
    return len(pairs)
