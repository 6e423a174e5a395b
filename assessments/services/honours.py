"""七一 commendations and 推荐: proposals drawn from the signed ratings (``assessments/honours.py``),
township nominations (优秀共产党员, 先进基层党组织), and the county's decision on each with an opinion."""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind, Stage
from cadres.models import PartyMember, Tenure
from townships.choices import AuditAction, Role
from townships.county_settings import settings_for
from townships.models import County
from townships.scoping import can_edit_in_township
from townships.services import audit_record, notify, township_recipients

from .. import honours
from ..choices import NOMINATED_HONOURS, AssessmentMessageKind, HonourKind, HonourState
from ..models import AnnualRating, Honour
from .common import actor_or_none


def _require_county_admin(actor):
    if actor is not None and not (actor.is_superuser or actor.role == Role.COUNTY_ADMIN):
        raise PermissionDenied(_("只有县委组织部管理员可以办理表彰和推荐。"))


def draw_day(year, today):
    """The day a year's lists are drawn: 1 July (七一), or today when earlier."""
    return min(datetime.date(year, 7, 1), today)


def records(*, county_id, year, today, conf):
    """{person: honours.Record} of the county's village secretaries with a signed rating in the years
    the rules read, and {person: (township, village)} of the post they hold on the draw day."""
    window = max(conf["honours.clean_years"], conf["honours.window"])
    ratings = defaultdict(dict)
    for person_id, rated_year, grade, total in AnnualRating.objects.filter(
        township__county_id=county_id,
        year__gte=year - window,
        year__lte=year - 1,
        signed_off_by__isnull=False,
    ).values_list("person_id", "year", "grade", "total"):
        ratings[person_id][rated_year] = (grade, total)
    day = draw_day(year, today)
    posts = {}
    for person_id, township_id, village_id in (
        Tenure.objects.filter(
            person_id__in=list(ratings),
            post=PostKind.VILLAGE_SECRETARY,
            started_on__lte=day,
            township__county_id=county_id,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .order_by("started_on", "pk")
        .values_list("person_id", "township_id", "village_id")
    ):
        posts.setdefault(person_id, (township_id, village_id))
    commended = defaultdict(set)
    for person_id, honoured_year in Honour.objects.filter(
        county_id=county_id, kind=HonourKind.EXCELLENT_SECRETARY, state=HonourState.APPROVED, person__isnull=False
    ).values_list("person_id", "year"):
        commended[person_id].add(honoured_year)
    found = {
        person_id: honours.Record(
            person=person_id,
            ratings=by_year,
            commended=frozenset(commended.get(person_id, ())),
            in_office=person_id in posts,
        )
        for person_id, by_year in ratings.items()
    }
    return found, posts


@transaction.atomic
def honours_propose(*, actor, county_id, year, today=None, request=None):
    """Draw the year's lists from the record: 优秀村党组织书记 (七一), 职务晋升推荐 and 代表委员推荐. Drawing
    again replaces the undecided proposals of the record (one the record no longer gives is removed);
    a decided one stays as it is. Returns {kind: number proposed}."""
    _require_county_admin(actor)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 到 2100 之间。")})
    today = today or timezone.localdate()
    conf = settings_for(county_id)
    found, posts = records(county_id=county_id, year=year, today=today, conf=conf)
    lists = {
        HonourKind.EXCELLENT_SECRETARY: honours.secretary_commendations(
            found.values(), year=year, clean_years=conf["honours.clean_years"], quota=conf["honours.quota"]
        ),
        HonourKind.PROMOTION: honours.promotion_proposals(
            found.values(),
            year=year,
            window=conf["honours.window"],
            promotion_excellent=conf["honours.promotion_excellent"],
        ),
        HonourKind.CANDIDATE: honours.candidate_proposals(found.values(), year=year, window=conf["honours.window"]),
    }
    counts = {}
    for kind, proposals in lists.items():
        existing = {
            h.person_id: h
            for h in Honour.objects.select_for_update().filter(
                county_id=county_id, year=year, kind=kind, from_record=True
            )
        }
        wanted = {p.person for p in proposals}
        Honour.objects.filter(
            pk__in=[h.pk for pid, h in existing.items() if pid not in wanted and h.state == HonourState.PROPOSED]
        ).delete()
        for proposal in proposals:
            township_id, village_id = posts[proposal.person]
            honour = existing.get(proposal.person)
            if honour is None:
                Honour.objects.create(
                    county_id=county_id,
                    year=year,
                    kind=kind,
                    township_id=township_id,
                    village_id=village_id,
                    person_id=proposal.person,
                    from_record=True,
                    reason=proposal.reason[:300],
                    nominated_by=actor_or_none(actor),
                )
            elif honour.state == HonourState.PROPOSED:
                honour.reason, honour.township_id, honour.village_id = proposal.reason[:300], township_id, village_id
                honour.save(update_fields=["reason", "township", "village"])
        counts[kind] = len(proposals)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=County.objects.get(pk=county_id),
        detail={"honours_proposed": year, **{str(k): n for k, n in counts.items()}},
        request=request,
    )
    return counts


@transaction.atomic
def honour_nominate(*, actor, year, kind, township, reason, deeds="", person=None, organization=None, request=None):
    """A township nominates a 优秀共产党员 (a full Party member of its own) or a 先进基层党组织 (one of its
    organizations); checked whole, nothing written on a refusal."""
    if kind not in NOMINATED_HONOURS:
        raise ValidationError({"kind": _("请选择“优秀共产党员”或“先进基层党组织”。")})
    if not can_edit_in_township(actor, township.pk) or actor.role == Role.COUNTY_VIEWER:
        raise PermissionDenied(_("您不能为该乡镇提名。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写提名理由。")})
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 到 2100 之间。")})
    village = None
    if kind == HonourKind.EXCELLENT_MEMBER:
        if person is None:
            raise ValidationError({"person": _("请选择被提名的党员。")})
        member = PartyMember.objects.filter(person=person, is_active=True, stage=Stage.FULL).first()
        if member is None or person.township_id != township.pk:
            raise ValidationError({"person": _("%(n)s 不是本乡镇在册的正式党员。") % {"n": person.name}})
        village, organization = member.village or person.village, None
    else:
        if organization is None or organization.township_id != township.pk:
            raise ValidationError({"organization": _("请选择本乡镇的党组织。")})
        village, person = organization.village, None
    duplicate = Honour.objects.filter(year=year, kind=kind).filter(
        Q(person=person) if person is not None else Q(organization=organization)
    )
    if duplicate.exists():
        raise ValidationError(_("该对象本年度已被提名。"))
    honour = Honour.objects.create(
        county_id=township.county_id,
        year=year,
        kind=kind,
        township=township,
        village=village,
        person=person,
        organization=organization,
        reason=reason.strip()[:300],
        deeds=(deeds or "").strip(),
        nominated_by=actor_or_none(actor),
    )
    audit_record(
        actor=actor, action=AuditAction.SUBMIT, target=honour, detail={"honour": kind, "year": year}, request=request
    )
    return honour


@transaction.atomic
def honour_decide(*, actor, honour, approve, opinion, request=None):
    """A named county user decides a proposal or a nomination, with an opinion (audited); the township
    is told."""
    _require_county_admin(actor)
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写决定意见。")})
    honour = Honour.objects.select_for_update(of=("self",)).select_related("person", "organization").get(pk=honour.pk)
    if honour.state != HonourState.PROPOSED:
        raise ValidationError(_("已经决定过，不能重复决定。"))
    honour.state = HonourState.APPROVED if approve else HonourState.DECLINED
    honour.opinion, honour.decided_by, honour.decided_at = opinion.strip(), actor_or_none(actor), timezone.now()
    honour.save(update_fields=["state", "opinion", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=honour,
        detail={"honour": honour.kind, "year": honour.year, "approved": approve, "opinion": honour.opinion},
        request=request,
    )
    notify(
        township_recipients(honour.township_id),
        kind=AssessmentMessageKind.HONOUR_DECIDED,
        title=_("%(y)s年%(k)s：%(n)s %(s)s")
        % {"y": honour.year, "k": honour.get_kind_display(), "n": honour.name, "s": honour.get_state_display()},
        url=reverse("honour-detail", args=[honour.pk]),
    )
    return honour
