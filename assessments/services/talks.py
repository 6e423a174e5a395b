"""约谈 that follow the results: the causes read from the results, the proposals stored from them
(``talk_rules``), the decision, the record, the follow-up; the reminders of follow-ups due.

The removal rule's pattern: a pure rule decides, ``talks_apply`` stores undecided proposals once per
(person, cause, period) and never touches a decided one, a named user decides with an opinion
(audited), and the people who decide hear of each proposal once.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from cadres.models import Person
from townships.choices import AuditAction, Role
from townships.county_settings import settings_for
from townships.models import User
from townships.services import audit_record, county_admin_recipients, notify
from villages.models import WeakDesignation

from .. import talk_rules
from ..choices import (
    AssessmentMessageKind,
    DutyGrade,
    DutyLevel,
    Grade,
    ReportStatus,
    TalkCause,
    TalkDecision,
    TalkLevel,
    TalkState,
    Target,
)
from ..county_settings import LAST_SCOPES
from ..models import AnnualRating, Bulletin, DutyReview, MonthlyReport, Talk
from ..selectors import month_secretaries
from ..selectors.talks import can_act_on_talk
from .common import actor_or_none

# --- Cause readers ---------------------------------------------------------------
# Each reader reads one cause from a county's results for a period and answers [talk_rules.Cause].
# A quarter's readers run when its bulletin is published, a year's when its ratings are computed.


def _quarter_secretaries(county_id, year, quarter):
    from townships.models import Township

    township_ids = list(Township.objects.filter(county_id=county_id).values_list("pk", flat=True))
    return month_secretaries(township_ids=township_ids, year=year, month=3 * quarter)


def _bulletin_table(data):
    """The ranked rows a bulletin holds for the secretaries (or, without that target, the villages)."""
    targets = {t["target"]: t for t in (data or {}).get("targets", [])}
    chosen = targets.get(Target.VILLAGE_SECRETARY) or targets.get(Target.VILLAGE)
    return chosen["rows"] if chosen else []


def _published_window(county_id, year, quarter, running):
    """The ``running`` quarters ending with (year, quarter), oldest first, and the published
    bulletins' data among them {(year, quarter): data}."""
    now = talk_rules.quarter_index(year, quarter)
    window = [talk_rules.quarter_of_index(i) for i in range(now - running + 1, now + 1)]
    bulletins = {
        (b.year, b.quarter): b.data
        for b in Bulletin.objects.filter(
            county_id=county_id, published_at__isnull=False, year__in={y for y, _q in window}
        )
        if (b.year, b.quarter) in window
    }
    return window, bulletins


def _raised_last_places(person_ids):
    """{person: [(year, quarter)]} of their earlier last-place proposals, decided or not."""
    raised = defaultdict(list)
    for person_id, period in Talk.objects.filter(
        person_id__in=list(person_ids), cause=TalkCause.LAST_IN_BULLETIN
    ).values_list("person_id", "period"):
        raised[person_id].append((int(period[:4]), int(period[5:])))
    return raised


def read_last_in_bulletin(*, county_id, year, quarter, conf):
    """Village secretaries last in the published bulletins ``talk.last_quarters`` quarters running
    (in their township, or the county: ``talk.last_scope``), counted per person."""
    running, scope = conf["talk.last_quarters"], conf["talk.last_scope"]
    window, bulletins = _published_window(county_id, year, quarter, running)
    if (year, quarter) not in bulletins:
        return []
    history, where = defaultdict(dict), {}
    for y, q in window:
        if (y, q) not in bulletins:
            continue
        rows = _bulletin_table(bulletins[(y, q)])
        rank_field = "rank_in_township" if scope == "township" else "rank_in_county"
        last = talk_rules.lowest_ranked(
            [(r["village_id"], r["township_id"] if scope == "township" else 0, r[rank_field]) for r in rows]
        )
        secretaries = _quarter_secretaries(county_id, y, q)
        for row in rows:
            person_id = secretaries.get(row["village_id"])
            if person_id is None:
                continue
            history[person_id][(y, q)] = row["village_id"] in last
            if (y, q) == (year, quarter):
                where[person_id] = (row["township_id"], row["village_id"])
    raised = _raised_last_places(where)
    found = []
    for person_id, (township_id, village_id) in where.items():
        status = talk_rules.last_place_status(
            history[person_id], year=year, quarter=quarter, running=running, raised=raised[person_id]
        )
        if status.proposed:
            found.append(
                talk_rules.Cause(
                    TalkCause.LAST_IN_BULLETIN,
                    person_id,
                    township_id,
                    village_id,
                    TalkLevel.TOWNSHIP,
                    year,
                    talk_rules.quarter_period(year, quarter),
                    talk_rules.last_place_reason(status, scope_label=str(LAST_SCOPES[scope])),
                )
            )
    return found


def read_township_last_in_bulletin(*, county_id, year, quarter, conf):
    """Township Party secretaries whose township is last among the county's townships in the
    published bulletins' 乡镇 section ``talk.last_quarters`` quarters running (the same rule as the
    villages': competition ranks, a vetoed township last, nobody last when all are tied); the person
    is the 乡镇党委书记 at each quarter's end, and the county talks to them."""
    from townships.models import Township

    running = conf["talk.last_quarters"]
    window, bulletins = _published_window(county_id, year, quarter, running)
    if (year, quarter) not in bulletins:
        return []
    township_ids = list(Township.objects.filter(county_id=county_id).values_list("pk", flat=True))
    history, where = defaultdict(dict), {}
    for y, q in window:
        section = next(
            (t for t in (bulletins.get((y, q)) or {}).get("targets", []) if t["target"] == Target.TOWNSHIP), None
        )
        if section is None:
            continue
        rows = section["rows"]
        last = talk_rules.lowest_ranked([(r["township_id"], 0, r["rank_in_county"]) for r in rows])
        secretaries = month_secretaries(township_ids=township_ids, year=y, month=3 * q, post=PostKind.PARTY_SECRETARY)
        for row in rows:
            person_id = secretaries.get(row["township_id"])
            if person_id is None:
                continue
            history[person_id][(y, q)] = row["township_id"] in last
            if (y, q) == (year, quarter):
                where[person_id] = row["township_id"]
    raised = _raised_last_places(where)
    found = []
    for person_id, township_id in where.items():
        status = talk_rules.last_place_status(
            history[person_id], year=year, quarter=quarter, running=running, raised=raised[person_id]
        )
        if status.proposed:
            found.append(
                talk_rules.Cause(
                    TalkCause.LAST_IN_BULLETIN,
                    person_id,
                    township_id,
                    None,
                    TalkLevel.COUNTY,
                    year,
                    talk_rules.quarter_period(year, quarter),
                    talk_rules.last_place_reason(status, scope_label=_("全县乡镇末位")),
                )
            )
    return found


def read_petitions(*, county_id, year, quarter, conf):
    """Village secretaries whose village's approved reports count more petitions in the quarter than
    ``talk.petitions_above`` (the 信访件数 of the monthly reports)."""
    above = conf["talk.petitions_above"]
    if not above:
        return []
    totals, townships = defaultdict(Decimal), {}
    for village_id, township_id, values in MonthlyReport.objects.filter(
        township__county_id=county_id,
        year=year,
        month__in=[3 * quarter - 2, 3 * quarter - 1, 3 * quarter],
        status=ReportStatus.APPROVED,
        village__isnull=False,
    ).values_list("village_id", "township_id", "values"):
        try:
            totals[village_id] += Decimal(str((values or {}).get("petitions") or 0))
        except InvalidOperation:
            continue
        townships[village_id] = township_id
    secretaries = _quarter_secretaries(county_id, year, quarter)
    return [
        talk_rules.Cause(
            TalkCause.PETITIONS,
            secretaries[village_id],
            townships[village_id],
            village_id,
            TalkLevel.TOWNSHIP,
            year,
            talk_rules.quarter_period(year, quarter),
            _("%(y)s年第%(q)s季度信访 %(n)s 件，超过 %(a)s 件。") % {"y": year, "q": quarter, "n": total, "a": above},
        )
        for village_id, total in totals.items()
        if talk_rules.petitions_exceed(total, above=above) and village_id in secretaries
    ]


def read_incompetent(*, county_id, year, conf):
    """Village secretaries rated 不称职 for the year."""
    return [
        talk_rules.Cause(
            TalkCause.INCOMPETENT,
            person_id,
            township_id,
            village_id,
            TalkLevel.TOWNSHIP,
            year,
            str(year),
            _("%(y)s 年度考核不称职。") % {"y": year},
        )
        for person_id, township_id, village_id in AnnualRating.objects.filter(
            township__county_id=county_id, year=year, grade=Grade.INCOMPETENT
        ).values_list("person_id", "township_id", "village_id")
    ]


def read_weak(*, county_id, year, conf):
    """The secretaries of the villages designated 软弱涣散 that year (the secretary of December, or now)."""
    if not conf["talk.weak_triggers"]:
        return []
    designations = list(
        WeakDesignation.objects.filter(township__county_id=county_id, year=year).values_list(
            "village_id", "township_id", "reason"
        )
    )
    if not designations:
        return []
    secretaries = month_secretaries(township_ids={t for _v, t, _r in designations}, year=year, month=12)
    return [
        talk_rules.Cause(
            TalkCause.WEAK,
            secretaries[village_id],
            township_id,
            village_id,
            TalkLevel.TOWNSHIP,
            year,
            str(year),
            _("%(y)s 年认定为软弱涣散村党组织：%(r)s") % {"y": year, "r": reason},
        )
        for village_id, township_id, reason in designations
        if village_id in secretaries
    ]


def read_review_grade(*, county_id, year, conf):
    """Township Party secretaries whose 述职评议考核 of the year is 差 (or 一般, by
    ``talk.review_fair_triggers``): the county talks to them. A grade still tied at the cap on 好
    is 较好 until the county decides, and proposes nothing."""
    found = []
    for person_id, township_id, grade in DutyReview.objects.filter(
        township__county_id=county_id, year=year, level=DutyLevel.TOWNSHIP
    ).values_list("person_id", "township_id", "grade"):
        if grade and talk_rules.review_grade_triggers(grade, fair_triggers=conf["talk.review_fair_triggers"]):
            found.append(
                talk_rules.Cause(
                    TalkCause.REPORT_REVIEW,
                    person_id,
                    township_id,
                    None,
                    TalkLevel.COUNTY,
                    year,
                    str(year),
                    _("%(y)s年度抓基层党建述职评议考核为“%(g)s”。") % {"y": year, "g": DutyGrade(grade).label},
                )
            )
    return found


# The one list of cause readers: (when it runs, the cause it reads, the reader). A township's
# secretary's causes read into talk_rules.Cause with level TalkLevel.COUNTY and no village.
QUARTER, YEAR = "quarter", "year"
CAUSE_READERS = [
    (QUARTER, TalkCause.LAST_IN_BULLETIN, read_last_in_bulletin),
    (QUARTER, TalkCause.LAST_IN_BULLETIN, read_township_last_in_bulletin),
    (QUARTER, TalkCause.PETITIONS, read_petitions),
    (YEAR, TalkCause.INCOMPETENT, read_incompetent),
    (YEAR, TalkCause.WEAK, read_weak),
    (YEAR, TalkCause.REPORT_REVIEW, read_review_grade),
]


# --- Proposals -----------------------------------------------------------------


@transaction.atomic
def talks_apply(*, county_id, year, quarter=None):
    """Propose the 约谈 a county's results give for a quarter (``quarter``) or a year: undecided
    proposals are stored once per (person, cause, period) and recomputed on every application;
    decided ones stand. The deciders hear of each new proposal once. Returns the number proposed."""
    conf = settings_for(county_id)
    when = QUARTER if quarter else YEAR
    period = talk_rules.quarter_period(year, quarter) if quarter else str(year)
    kwargs = {"county_id": county_id, "year": year, "conf": conf} | ({"quarter": quarter} if quarter else {})
    readers = [(cause, read) for kind, cause, read in CAUSE_READERS if kind == when]
    found = [c for _cause, read in readers for c in read(**kwargs)]
    read_causes = {cause for cause, _read in readers}
    existing = {
        (p, c, pe): s
        for p, c, pe, s in Talk.objects.filter(
            township__county_id=county_id, period=period, cause__in=read_causes
        ).values_list("person_id", "cause", "period", "state")
    }
    result = talk_rules.proposals(found, existing, read_causes=read_causes, period=period)
    for person_id, cause, key_period in result.drop:
        Talk.objects.filter(person_id=person_id, cause=cause, period=key_period, state=TalkState.PROPOSED).delete()
    Talk.objects.bulk_create(
        [
            Talk(
                person_id=c.person_id,
                township_id=c.township_id,
                village_id=c.village_id,
                level=c.level,
                cause=c.cause,
                year=c.year,
                period=c.period,
                reason=c.reason[:300],
            )
            for c in result.store
        ],
        update_conflicts=True,
        unique_fields=["person", "cause", "period"],
        update_fields=["township", "village", "level", "year", "reason"],
    )
    _tell_proposals(county_id, result.new)
    return len(result.store)


def _tell_proposals(county_id, causes):
    """Those who decide hear once of each proposal: the county's administrators, and for a village
    secretary the township's office as well (it talks to them)."""
    if not causes:
        return
    admins = list(county_admin_recipients(county_id))
    staff = defaultdict(list)
    for user in User.objects.filter(county_id=county_id, role=Role.TOWNSHIP_STAFF, is_active=True):
        staff[user.township_id].append(user)
    names = dict(Person.objects.filter(pk__in={c.person_id for c in causes}).values_list("pk", "name"))
    for c in causes:
        recipients = admins + (staff[c.township_id] if c.level == TalkLevel.TOWNSHIP else [])
        notify(
            recipients,
            kind=AssessmentMessageKind.TALK_PENDING,
            title=_("建议约谈 %(n)s（%(c)s，%(p)s），待决定")
            % {"n": names.get(c.person_id, ""), "c": TalkCause(c.cause).label, "p": c.period},
            url=reverse("talk-list") + "?state=proposed",
            key=f"talk:{c.person_id}:{c.cause}:{c.period}",
        )


def _require(actor, talk):
    if not can_act_on_talk(actor, talk):
        raise PermissionDenied(_("您不能办理这项约谈。"))


def _locked(talk, state):
    talk = Talk.objects.select_for_update().select_related("township", "person").get(pk=talk.pk)
    if talk.state != state:
        raise ValidationError(
            _("该约谈当前状态为“%(s)s”，不能执行此操作（可能已由他人办理）。") % {"s": talk.get_state_display()}
        )
    return talk


@transaction.atomic
def talk_decide(*, actor, talk, decision, opinion, request=None):
    """A named user decides a proposal: 决定约谈 or 不予约谈, with a required opinion (audited)."""
    if decision not in TalkDecision.values:
        raise ValidationError({"decision": _("请选择“决定约谈”或“不予约谈”。")})
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写决定意见。")})
    _require(actor, talk)
    talk = _locked(talk, TalkState.PROPOSED)
    talk.decision, talk.opinion = decision, opinion.strip()
    talk.state = TalkState.SCHEDULED if decision == TalkDecision.HOLD else TalkState.DISMISSED
    talk.decided_by, talk.decided_at = actor_or_none(actor), timezone.now()
    talk.save(update_fields=["decision", "opinion", "state", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=talk,
        detail={"talk_decision": decision, "opinion": talk.opinion, "cause": talk.cause, "period": talk.period},
        request=request,
    )
    return talk


@transaction.atomic
def talk_record(*, actor, talk, held_on, talker, content, commitment, follow_up_on, today=None, request=None):
    """Record a 约谈 decided to be held: when, who talked, what was said and promised, and the
    follow-up date (not before the talk)."""
    today = today or timezone.localdate()
    errors = {}
    if held_on is None:
        errors["held_on"] = _("请填写约谈日期。")
    elif held_on > today:
        errors["held_on"] = _("约谈日期不能晚于今天。")
    if not (content or "").strip():
        errors["content"] = _("请填写约谈内容。")
    if not (talker or "").strip():
        errors["talker"] = _("请填写谈话人。")
    if follow_up_on is None:
        errors["follow_up_on"] = _("请填写回访日期。")
    elif held_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = _("回访日期不能早于约谈日期。")
    if errors:
        raise ValidationError(errors)
    _require(actor, talk)
    talk = _locked(talk, TalkState.SCHEDULED)
    talk.held_on, talk.talker, talk.content = held_on, talker.strip(), content.strip()
    talk.commitment, talk.follow_up_on = (commitment or "").strip(), follow_up_on
    talk.state, talk.recorded_by = TalkState.HELD, actor_or_none(actor)
    talk.save(update_fields=["held_on", "talker", "content", "commitment", "follow_up_on", "state", "recorded_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=talk,
        detail={"talk_held_on": held_on.isoformat(), "follow_up_on": follow_up_on.isoformat()},
        request=request,
    )
    return talk


@transaction.atomic
def talk_follow_up(*, actor, talk, note, request=None):
    """The follow-up's outcome (回访情况) closes the 约谈."""
    if not (note or "").strip():
        raise ValidationError({"follow_up_note": _("请填写回访情况。")})
    _require(actor, talk)
    talk = _locked(talk, TalkState.HELD)
    talk.follow_up_note, talk.state = note.strip(), TalkState.CLOSED
    talk.closed_at, talk.closed_by = timezone.now(), actor_or_none(actor)
    talk.save(update_fields=["follow_up_note", "state", "closed_at", "closed_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=talk, detail={"talk_closed": True}, request=request)
    return talk


def talks_remind(*, today):
    """Beat, daily: the follow-ups that fall due reach those who follow up, once each (the township's
    office for a village secretary, the county's administrators for a township secretary)."""
    due = Talk.objects.filter(state=TalkState.HELD, follow_up_on__lte=today).select_related("person", "township")
    due_count = 0
    for talk in due:
        if talk.level == TalkLevel.TOWNSHIP:
            recipients = User.objects.filter(township_id=talk.township_id, role=Role.TOWNSHIP_STAFF, is_active=True)
        else:
            recipients = county_admin_recipients(talk.township.county_id)
        due_count += 1
        notify(
            recipients,
            kind=AssessmentMessageKind.TALK_FOLLOW_UP,
            title=_("约谈回访到期：%(n)s（%(d)s）") % {"n": talk.person.name, "d": talk.follow_up_on.isoformat()},
            url=reverse("talk-detail", args=[talk.pk]),
            key=f"talk-follow-up:{talk.pk}:{talk.follow_up_on.isoformat()}",
        )
    return due_count


def default_follow_up(county_id, held_on):
    return held_on + datetime.timedelta(days=settings_for(county_id)["talk.follow_up_days"])
