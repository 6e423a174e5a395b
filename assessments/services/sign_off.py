"""The county's decisions on a rated year: ties at the 优秀 quota boundary, then the sign-off."""

import hashlib
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.models import County
from townships.services import audit_record

from ..choices import Grade, Method, PeriodKind, Target
from ..models import AnnualRating, RatingSignOff, ScoreItem
from .common import actor_or_none
from .pay import pay_inputs_changed
from .ratings import quota_places


@transaction.atomic
def excellent_ties_decide(*, actor, county_id, year, chosen, opinion, request=None):
    """The county decides the ties left at the 优秀 quota boundary: ``chosen`` rating ids become 优秀,
    the other tied ones 称职. Exactly as many as the places left must be chosen."""
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写决定意见。")})
    tied = list(
        AnnualRating.objects.select_for_update().filter(
            township__county_id=county_id, year=year, tie_pending=True, signed_off_by__isnull=True
        )
    )
    if not tied:
        raise ValidationError(_("该年度没有待决定的并列人员。"))
    conf = settings_for(county_id)
    by_township = conf["grade.quota_scope"] == "township"
    groups = {}
    for rating in tied:
        groups.setdefault(rating.township_id if by_township else county_id, []).append(rating)
    chosen = {int(c) for c in chosen}
    unknown = chosen - {r.pk for r in tied}
    if unknown:
        raise ValidationError(_("所选人员不在并列名单中。"))
    everyone = AnnualRating.objects.filter(township__county_id=county_id, year=year)
    for group, members in groups.items():
        pool = everyone.filter(township_id=group) if by_township else everyone
        places = quota_places(conf, pool.count())
        free = places - pool.filter(grade=Grade.EXCELLENT).count()
        picked = [r for r in members if r.pk in chosen]
        if len(picked) != free:
            raise ValidationError(
                _("并列 %(n)s 人，剩余优秀名额 %(f)s 个：请恰好选择 %(f)s 人。") % {"n": len(members), "f": free}
            )
        for rating in members:
            rating.grade = Grade.EXCELLENT if rating.pk in chosen else Grade.COMPETENT
            rating.reason = (
                _("并列于优秀名额边界，县委组织部决定：%(g)s（%(o)s）")
                % {"g": Grade(rating.grade).label, "o": opinion.strip()}
            )[:300]
            rating.tie_pending = False
            rating.decided_by_county = True
            rating.save(update_fields=["grade", "reason", "tie_pending", "decided_by_county"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=tied[0],
        detail={"excellent_ties": year, "chosen": sorted(chosen), "opinion": opinion.strip()},
        request=request,
    )
    return len(tied)


@transaction.atomic
def _unsigned(county_id, year):
    return AnnualRating.objects.filter(township__county_id=county_id, year=year, signed_off_by__isnull=True)


def sign_off_digest(ratings):
    """A digest of exactly what is being signed: every rating's id, grade and total."""
    lines = sorted(f"{r.pk}:{r.grade}:{r.total}:{int(r.tie_pending)}" for r in ratings)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def grade_counts(ratings):
    """{grade: count} in the grades' own order, every grade present."""
    counted = Counter(r.grade for r in ratings)
    return {grade: counted.get(grade, 0) for grade in Grade.values}


def sign_off_summary(*, county_id, year):
    """What signing a year of ratings commits to, for the page that asks for the signature: the
    ratings waiting, their counts by grade, the 优秀 list, the ratings a person changed (a tie
    at the 优秀 quota decided by the county; months whose computed items were overridden), the
    ties still waiting, and the digest the signature must match."""
    ratings = list(
        _unsigned(county_id, year).select_related("person", "township", "village").order_by("rank_in_county", "pk")
    )
    overridden = dict(
        ScoreItem.objects.filter(
            score__township__county_id=county_id,
            score__year=year,
            score__period_kind=PeriodKind.MONTH,
            score__target=Target.VILLAGE_SECRETARY,
            override_points__isnull=False,
            score__person_id__in=[r.person_id for r in ratings],
        )
        .exclude(indicator__method=Method.MANUAL)
        .values_list("score__person_id")
        .annotate(n=Count("pk"))
    )
    changed = [(r, overridden.get(r.person_id, 0)) for r in ratings if r.decided_by_county or r.person_id in overridden]
    return {
        "year": year,
        "ratings": ratings,
        "counts": grade_counts(ratings),
        "excellent": [r for r in ratings if r.grade == Grade.EXCELLENT and not r.tie_pending],
        "changed": changed,
        "ties": [r for r in ratings if r.tie_pending],
        "digest": sign_off_digest(ratings),
    }


@transaction.atomic
def annual_ratings_sign_off(*, actor, county_id, year, opinion, digest, request=None):
    """The year's grades (the 优秀 commendation list with them) take effect when a named county user
    signs what they were shown (``digest``, from ``sign_off_summary``) with an opinion."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError(_("请填写审定意见。"))
    ratings = list(_unsigned(county_id, year).select_for_update())
    if not ratings:
        raise ValidationError(_("该年度没有待审定的评定结果。"))
    if any(r.tie_pending for r in ratings):
        raise ValidationError(_("还有人员并列于优秀名额边界，请先决定后再审定。"))
    if digest != sign_off_digest(ratings):
        raise ValidationError(_("评定结果在您核对之后发生了变化，请重新核对后再审定。"))
    count = _unsigned(county_id, year).update(signed_off_by=actor_or_none(actor), signed_off_at=timezone.now())
    counts = grade_counts(ratings)
    RatingSignOff.objects.create(
        county_id=county_id, year=year, signed_by=actor, opinion=opinion, counts=counts, digest=digest
    )
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=County.objects.get(pk=county_id),
        detail={"annual_ratings": year, "signed": count, "excellent": counts[Grade.EXCELLENT], "opinion": opinion},
        request=request,
    )
    # Next year's pay periods read these grades: a period computed before they were signed shows it.
    pay_inputs_changed(
        county_id=county_id,
        person_ids=[r.person_id for r in ratings],
        year=year + 1,
        what=_("%(y)s年度评定已审定（%(n)s 人）") % {"y": year, "n": count},
    )
    return count
