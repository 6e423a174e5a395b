"""Writes for 述职: a village cadre's 述职述廉 and a township Party secretary's 述职评议考核 — the 述职
record and its ballots in one step, checked before anything is written; then what follows from them
(the year's annual rating of village secretaries re-run, or the county told when that year is signed;
the township secretaries' composites and grades of the year computed again)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from cadres.models import Tenure
from townships.choices import AuditAction, EvidenceKind, Role
from townships.county_settings import settings_for
from townships.evidence import validate_evidence
from townships.models import County
from townships.scoping import can_edit_in_township
from townships.services import audit_record, county_admin_recipients, notify

from .. import duty
from ..choices import (
    AssessmentMessageKind,
    BallotKind,
    DutyLevel,
    RunKind,
    SchemeStatus,
    SurveyMethod,
    SurveyPurpose,
    TallyTarget,
    Target,
)
from ..county_settings import duty_groups, duty_options, township_duty_bands
from ..models import AnnualRating, BallotTally, DutyReview, RatingSignOff, Scheme, ScoringRun
from ..selectors import secretary_days
from ..selectors.townships import township_year_scores
from .common import actor_or_none
from .runs import period_mark_dirty, scoring_run_start
from .surveys import latest_held_on

VILLAGE_POSTS = (PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR)
DEPUTY_POSTS = (PostKind.VILLAGE_DEPUTY_SECRETARY, PostKind.VILLAGE_MEMBER)


def village_duty_posts(conf):
    """The village posts that report each year: the secretary and the 村委会主任, and the deputies
    when the county says so (``duty.village.deputies``)."""
    return VILLAGE_POSTS + (DEPUTY_POSTS if conf["duty.village.deputies"] else ())


def _month_ends(year):
    for month in range(1, 13):
        start = datetime.date(year, month, 1)
        end = (datetime.date(year + (month == 12), month % 12 + 1, 1)) - datetime.timedelta(days=1)
        yield month, start, end


def year_holder(tenures, year):
    """(person id, months) of the one rated for a township post's year: each month belongs to the holder
    with more of its days (``secretary_days``, the villages' rule); the person with the most months is
    rated; on equal months, the one holding the later month (the successor). None when vacant all year."""
    months = {}
    for month, start, end in _month_ends(year):
        holder = secretary_days(tenures, start=start, end=end)
        if holder is not None:
            count, _last = months.get(holder, (0, 0))
            months[holder] = (count + 1, month)
    if not months:
        return None
    person_id, (count, _last) = max(months.items(), key=lambda kv: kv[1])
    return person_id, count


def township_secretary_of(township_id, year):
    """(person id, months) of the township Party secretary rated for ``year`` (see ``year_holder``)."""
    tenures = list(
        Tenure.objects.filter(
            township_id=township_id,
            village__isnull=True,
            post=PostKind.PARTY_SECRETARY,
            started_on__lte=datetime.date(year, 12, 31),
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=datetime.date(year, 1, 1)))
        .values_list("person_id", "started_on", "ended_on")
    )
    return year_holder(tenures, year)


def _check_holder(*, level, person, post, township, village, year, conf):
    if level == DutyLevel.TOWNSHIP:
        if post != PostKind.PARTY_SECRETARY:
            raise ValidationError({"post": _("乡镇述职评议的对象是乡镇党委书记。")})
        holder = township_secretary_of(township.pk, year)
        if holder is None or holder[0] != person.pk:
            raise ValidationError(
                {
                    "person": _("%(p)s 不是 %(t)s %(y)s 年度参加述职评议的党委书记（按任职月数认定）。")
                    % {"p": person.name, "t": township.name, "y": year}
                }
            )
        return
    if post not in village_duty_posts(conf):
        raise ValidationError({"post": _("“%(p)s”不在本县规定的述职述廉职务之内。") % {"p": PostKind(post).label}})
    held = (
        Tenure.objects.filter(person=person, village=village, post=post, started_on__lte=datetime.date(year, 12, 31))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=datetime.date(year, 1, 1)))
        .exists()
    )
    if not held:
        raise ValidationError(
            {
                "person": _("%(p)s %(y)s 年未在%(v)s任%(post)s，不能录入其述职测评。")
                % {"p": person.name, "y": year, "v": village.name, "post": PostKind(post).label}
            }
        )


def _check_scope(actor, level, township):
    if actor.is_superuser:
        return
    if actor.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF) or actor.county_id not in (None, township.county_id):
        raise ValidationError(_("您没有录入述职测评的权限。"))
    if level == DutyLevel.TOWNSHIP and actor.role != Role.COUNTY_ADMIN:
        raise ValidationError(_("乡镇党委书记的述职评议由县委组织部录入。"))
    if not can_edit_in_township(actor, township.pk):
        raise ValidationError(_("不能为其他乡镇录入述职测评。"))


def _check_dates(year, reported_on, meeting_on):
    if not isinstance(reported_on, datetime.date):
        raise ValidationError({"reported_on": _("请填写述职日期。")})
    for field, day in (("reported_on", reported_on), ("meeting_on", meeting_on)):
        if day is None:
            continue
        if day > timezone.localdate():
            raise ValidationError({field: _("日期不能晚于今天。")})
        if not datetime.date(year, 1, 1) <= day <= latest_held_on(year):
            raise ValidationError({field: _("%(y)s 年度的述职应在 %(y)s 年内（最晚到次年 3 月）。") % {"y": year}})


@transaction.atomic
def duty_review_save(
    *,
    actor,
    review=None,
    level,
    person,
    post,
    township,
    village=None,
    year,
    reported_on,
    meeting="",
    meeting_on=None,
    report_file=None,
    groups,
    method=SurveyMethod.MEETING,
    comment="",
    veto=False,
    veto_reason="",
    version=None,
    request=None,
):
    """Record (or correct) one person's 述职 of a year with its ballots: the holder of the post, the
    dates, the groups and options the county defined and the counts all checked first; nothing is
    written when one is wrong."""
    if level not in DutyLevel.values:
        raise ValidationError({"level": _("请选择述职类别。")})
    if level == DutyLevel.VILLAGE:
        if village is None:
            raise ValidationError({"village": _("请选择村（社区）。")})
        township = village.township
    elif township is None:
        raise ValidationError({"township": _("请选择乡镇。")})
    _check_scope(actor, level, township)
    conf = settings_for(township.county_id)
    _check_holder(level=level, person=person, post=post, township=township, village=village, year=year, conf=conf)
    _check_dates(year, reported_on, meeting_on)
    if veto and not (veto_reason or "").strip():
        raise ValidationError({"veto_reason": _("一票否决须写明事由。")})
    if report_file is not None:
        try:
            validate_evidence(report_file, kind=EvidenceKind.MINUTES, max_mb=conf["life.evidence_max_mb"])
        except ValidationError as error:
            raise ValidationError({"report_file": error.message_dict["evidence"]}) from None
    from .tallies import clean_groups, groups_write, tally_fill, tally_result

    weights = {code: weight for code, _label, weight in duty_groups(conf, level)}
    cleaned = clean_groups(groups, {code: label for code, label, _w in duty_groups(conf, level)}, weights)
    options = duty_options(conf, level)
    result = tally_result(cleaned, options, min_sample=conf["duty.min_sample"], bands=[], group_weighted=True)
    same = DutyReview.objects.filter(post=post, year=year)
    if village is not None:
        same = same.filter(person=person, village=village)
    else:
        same = same.filter(township=township, village__isnull=True)
    if same.exclude(pk=getattr(review, "pk", None)).exists():
        raise ValidationError(_("%(p)s %(y)s 年度的述职已录入，请在原记录上修改。") % {"p": person.name, "y": year})
    if review is not None:
        review = DutyReview.objects.select_for_update().select_related("tally").get(pk=review.pk)
        if version is not None and int(version) != review.version:
            raise ValidationError(_("这条述职记录已被他人修改，请刷新后再改。"))
        tally = review.tally
        previous_year = review.year
    else:
        tally = BallotTally(entered_by=actor_or_none(actor))
        review = DutyReview(entered_by=actor_or_none(actor))
        previous_year = None
    tally.kind = BallotKind.VILLAGE_DUTY if level == DutyLevel.VILLAGE else BallotKind.TOWNSHIP_DUTY
    tally.purpose, tally.method = SurveyPurpose.REPORT, method
    tally.target_kind = (
        TallyTarget.TOWNSHIP_SECRETARY
        if level == DutyLevel.TOWNSHIP
        else TallyTarget.SECRETARY
        if post == PostKind.VILLAGE_SECRETARY
        else TallyTarget.VILLAGE_CADRE
    )
    tally.county_id, tally.township, tally.village, tally.person = township.county_id, township, village, person
    tally.organization = None
    tally.year, tally.held_on = year, meeting_on or reported_on
    tally.group_weighted = True
    tally_fill(tally, options=options, result=result)
    tally.reviewed_by, tally.reviewed_at = actor_or_none(actor), timezone.now()
    if tally.pk:
        tally.version += 1
    tally.save()
    groups_write(tally, cleaned)
    created = review.pk is None
    review.level, review.county_id, review.township, review.village = level, township.county_id, township, village
    review.person, review.post, review.year = person, post, year
    review.reported_on, review.meeting, review.meeting_on = reported_on, (meeting or "").strip(), meeting_on
    review.comment = (comment or "").strip() if level == DutyLevel.TOWNSHIP else ""
    review.veto, review.veto_reason = bool(veto), (veto_reason or "").strip() if veto else ""
    review.tally = tally
    if report_file is not None:
        review.report_file = report_file
    if level == DutyLevel.VILLAGE:
        review.working = _village_working(result, cleaned)
    if not created:
        review.version += 1
    review.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=review,
        detail={"year": year, "post": post, "valid": result.valid, "score": str(result.score)},
        request=request,
    )
    if level == DutyLevel.TOWNSHIP:
        township_reviews_compute(county_id=township.county_id, year=year)
        if previous_year not in (None, year):
            township_reviews_compute(county_id=township.county_id, year=previous_year)
        review.refresh_from_db()
    elif post == PostKind.VILLAGE_SECRETARY:
        for changed in {year, previous_year} - {None}:
            annual_votes_changed(county_id=township.county_id, year=changed, actor=actor, review=review)
    return review


def _village_working(result, cleaned):
    lines = list(result.working)
    if result.score is not None:
        vote, line = duty.vote_on_1000(result.score)
        lines.append(line)
    share, line = duty.incompetent_share(cleaned)
    lines.append(line)
    return lines


def annual_votes_changed(*, county_id, year, actor, review=None):
    """A village secretary's 述职 ballots of ``year`` changed: a year whose annual rating was computed is
    computed again (marked dirty, a run queued after commit); a signed year is never changed silently —
    the county's administrators are told, and decide whether to re-run it."""
    rated = AnnualRating.objects.filter(township__county_id=county_id, year=year).exists()
    if not rated and not ScoringRun.objects.filter(county_id=county_id, kind=RunKind.ANNUAL, year=year).exists():
        return "not_rated"
    if RatingSignOff.objects.filter(county_id=county_id, year=year).exists():
        who = f"{review.person.name}（{review.village.name}）" if review is not None else ""
        notify(
            county_admin_recipients(county_id),
            kind=AssessmentMessageKind.RUN_FINISHED,
            title=_("%(y)s 年度评定已审定，其后%(w)s的述职测评有变更，未自动重算，请决定是否重新评定")
            % {"y": year, "w": who},
            url=reverse("duty-village-list") + f"?year={year}",
            key=f"duty-signed:{county_id}:{year}:{review.pk if review else 0}:{review.version if review else 0}",
        )
        return "signed"
    period_mark_dirty(county_id=county_id, kind=RunKind.ANNUAL, year=year, period=0)
    transaction.on_commit(lambda: _annual_if_idle(county_id=county_id, year=year, actor=actor))
    return "dirty"


def _annual_if_idle(*, county_id, year, actor):
    try:
        scoring_run_start(actor=actor, county_id=county_id, kind=RunKind.ANNUAL, year=year)
    except ValidationError:
        pass  # a run of the year is queued or computing: the dirty mark has it run again when it finishes


def annual_full_marks(county_id, year):
    """The full marks of the township scheme of ``year`` (the one in force, latest version)."""
    scheme = (
        Scheme.objects.filter(county_id=county_id, year=year, target=Target.TOWNSHIP)
        .exclude(status=SchemeStatus.DRAFT)
        .order_by("-version")
        .values_list("full_marks", flat=True)
        .first()
    )
    return scheme


@transaction.atomic
def township_reviews_compute(*, county_id, year):
    """Every township secretary's composite and grade of ``year`` (the cap on 好 reads them all): the
    ballots' score, the township's annual score (``township_year_scores``) on 100, the bands, the cap and
    its ties (the county's earlier decision stands while the tie is the same), 一票否决 → 差."""
    conf = settings_for(county_id)
    reviews = list(
        DutyReview.objects.select_for_update()
        .filter(county_id=county_id, year=year, level=DutyLevel.TOWNSHIP)
        .select_related("tally")
    )
    if not reviews:
        return 0
    scores = township_year_scores(county_id=county_id, year=year)
    full_marks = annual_full_marks(county_id, year)
    inputs, composites = [], {}
    for review in reviews:
        total, vetoed = scores.get(review.township_id, (None, False))
        if total is not None and full_marks is None:
            composite = duty.Composite(None, None, _("未找到本年度乡镇考核方案的满分，不计综合得分。"), ())
        else:
            composite = duty.township_composite(
                vote=review.tally.score,
                annual_total=total,
                full_marks=full_marks or 1,
                weight_vote=conf["duty.township.weight_vote"],
                weight_annual=conf["duty.township.weight_annual"],
            )
        reasons = [
            r for r in (review.veto_reason if review.veto else "", _("乡镇年度考核一票否决") if vetoed else "") if r
        ]
        composites[review.pk] = composite
        inputs.append(duty.DutyInput(review.pk, composite.value, bool(reasons), "；".join(reasons)))
    grades = duty.township_grades(inputs, bands=township_duty_bands(conf), good_cap=conf["duty.township.good_cap"])
    _keep_tie_decisions(reviews, grades)
    for review in reviews:
        composite, grade = composites[review.pk], grades[review.pk]
        review.annual, review.composite = composite.annual, composite.value
        review.grade, review.grade_reason, review.tie_pending = grade.grade, grade.reason[:300], grade.tie_pending
        review.working = [*review.tally.working, *composite.working, *([grade.reason] if grade.reason else [])]
        if composite.reason:
            review.working.append(composite.reason)
    DutyReview.objects.bulk_update(
        reviews, ["annual", "composite", "grade", "grade_reason", "tie_pending", "decided_by_county", "working"]
    )
    return len(reviews)


def _keep_tie_decisions(reviews, grades):
    """A county decision on a tie at the 好 cap stands while the recomputation ties exactly the same
    people; otherwise it lapses and they take the computed grade (as the 优秀 quota's decisions)."""
    decided = {r.pk: r for r in reviews if r.decided_by_county}
    if not decided:
        return
    tied = {pk for pk, g in grades.items() if g.tie_pending}
    if tied == set(decided):
        for pk, review in decided.items():
            grades[pk] = duty.DutyGradeResult(review.grade, review.grade_reason)
        return
    for review in decided.values():
        review.decided_by_county = False


@transaction.atomic
def township_reviews_refresh(*, actor, county_id, year, request=None):
    """The county computes the year's composites and grades again (after the townships' annual scores
    changed, say); audited."""
    count = township_reviews_compute(county_id=county_id, year=year)
    if not count:
        raise ValidationError(_("%(y)s 年度没有乡镇党委书记的述职评议。") % {"y": year})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=County.objects.get(pk=county_id),
        detail={"duty_recompute": year, "reviews": count},
        request=request,
    )
    return count


@transaction.atomic
def duty_ties_decide(*, actor, county_id, year, chosen, opinion, request=None):
    """The county decides the ties at the 好 cap: ``chosen`` review ids are 好, the other tied ones
    较好, with an opinion; exactly as many as the places left."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("请填写决定意见。")})
    tied = list(
        DutyReview.objects.select_for_update().filter(
            county_id=county_id, year=year, level=DutyLevel.TOWNSHIP, tie_pending=True
        )
    )
    if not tied:
        raise ValidationError(_("该年度没有并列待定的述职评议。"))
    conf = settings_for(county_id)
    everyone = DutyReview.objects.filter(county_id=county_id, year=year, level=DutyLevel.TOWNSHIP).exclude(grade="")
    places = int(everyone.count() * conf["duty.township.good_cap"] // 100)
    free = places - everyone.filter(grade="good").count()
    chosen = {int(c) for c in chosen}
    if not chosen <= {r.pk for r in tied}:
        raise ValidationError(_("所选人员不在并列名单中。"))
    if len(chosen) != free:
        raise ValidationError(
            _("并列 %(n)s 人，剩余“好”等次名额 %(f)s 个：请恰好选择 %(f)s 人。") % {"n": len(tied), "f": free}
        )
    for review in tied:
        review.grade = "good" if review.pk in chosen else "fair"
        review.grade_reason = (
            _("并列于“好”等次名额边界，县委组织部决定：%(g)s（%(o)s）")
            % {"g": "好" if review.grade == "good" else "较好", "o": opinion}
        )[:300]
        review.tie_pending, review.decided_by_county = False, True
        review.working = [*review.working, review.grade_reason]
        review.save(update_fields=["grade", "grade_reason", "tie_pending", "decided_by_county", "working"])
        audit_record(
            actor=actor,
            action=AuditAction.APPROVE,
            target=review,
            detail={"duty_tie": year, "grade": review.grade, "opinion": opinion},
            request=request,
        )
    return len(tied)
