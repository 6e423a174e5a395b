"""Writes for cadres (干部): tenures, village contacts (包村联村) and reserve cadres (后备干部)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.inputs import inputs_changed
from townships.services import audit_record

from .. import rules
from ..choices import TOWNSHIP_POSTS, VILLAGE_POSTS
from ..models import PartyMember, ReserveCadre, Tenure, VillageContact
from .common import _breach

# --- Cadres -----------------------------------------------------------------

# Told, inside the transaction, that tenures changed: ``listener(county_id=..., person_ids=...,
# post=..., since=..., what=...)`` (``post``: the changed tenure's). The pay calculation reads tenures and lives above cadres (the layer rule),
# so it registers here from its AppConfig.ready(); the leaving allowance (services/allowance.py)
# registers the same way from cadres' own.
TENURE_LISTENERS = []


def on_tenures_changed(listener):
    """Register ``listener(county_id=..., person_ids=..., post=..., since=..., what=...)``; usable as a decorator."""
    TENURE_LISTENERS.append(listener)
    return listener


def _tell_tenure_listeners(tenure, since, what):
    for listener in TENURE_LISTENERS:
        listener(
            county_id=tenure.township.county_id, person_ids=[tenure.person_id], post=tenure.post, since=since, what=what
        )
    # The scores read tenures too (whose month a secretary's score is, a vacant post).
    inputs_changed(county_id=tenure.township.county_id, since=since)


def _membership_in_village(person, village):
    """The person's current stage (None when on no roster) and whether the membership is kept
    by the village's Party organization: the record names the village, or its organization
    belongs to the village or is a joint branch (联合党支部) covering it."""
    member = (
        PartyMember.objects.filter(person=person, is_active=True)
        .select_related("organization")
        .only("stage", "village_id", "organization__village_id")
        .first()
    )
    if member is None:
        return None, False
    in_village = (
        member.village_id == village.pk
        or member.organization.village_id == village.pk
        or member.organization.joint_villages.filter(pk=village.pk).exists()
    )
    return member.stage, in_village


@transaction.atomic
def tenure_start(*, actor, person, post, township, started_on, village=None, request=None):
    if post in VILLAGE_POSTS and village is None:
        raise ValidationError({"village": _("村干部职务须指定所在村（社区）。")})
    if post in TOWNSHIP_POSTS and village is not None:
        raise ValidationError({"village": _("乡镇班子职务不属于某个村。")})
    if village is not None and village.township_id != township.pk:
        raise ValidationError({"village": _("所选村（社区）不在该乡镇。")})
    if person.township.county_id != township.county_id:
        raise ValidationError({"person": _("此人不在本县。")})
    if Tenure.objects.filter(
        person=person, post=post, village=village, township=township, ended_on__isnull=True
    ).exists():
        raise ValidationError(_("此人已在任该职务。"))
    if village is not None:
        stage, in_village = _membership_in_village(person, village)
        try:
            rules.check_village_party_post(post=post, name=person.name, stage=stage, in_village_organization=in_village)
        except rules.RuleBreach as exc:
            raise _breach(exc) from None
    tenure = Tenure(person=person, post=post, township=township, village=village, started_on=started_on)
    tenure.full_clean()
    tenure.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=tenure, request=request)
    _tell_tenure_listeners(
        tenure,
        started_on,
        _("%(n)s 自 %(d)s 任%(p)s") % {"n": person.name, "d": started_on, "p": tenure.get_post_display()},
    )
    return tenure


@transaction.atomic
def tenure_end(*, actor, tenure, ended_on, reason="", request=None):
    tenure = Tenure.objects.select_for_update().select_related("township", "person").get(pk=tenure.pk)
    if tenure.ended_on is not None:
        raise ValidationError(_("此任职已经结束。"))
    if ended_on < tenure.started_on:
        raise ValidationError({"ended_on": _("离任日期不能早于任职日期。")})
    tenure.ended_on, tenure.end_reason = ended_on, reason
    tenure.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=tenure, detail={"ended_on": str(ended_on)}, request=request
    )
    _tell_tenure_listeners(
        tenure,
        ended_on,
        _("%(n)s 于 %(d)s 离任%(p)s") % {"n": tenure.person.name, "d": ended_on, "p": tenure.get_post_display()},
    )
    return tenure


@transaction.atomic
def contact_assign(*, actor, person, village, started_on, request=None):
    if not Tenure.objects.filter(
        person=person, township_id=village.township_id, post__in=list(TOWNSHIP_POSTS), ended_on__isnull=True
    ).exists():
        raise ValidationError({"person": _("包村联村干部须是该乡镇的在任班子成员。")})
    contact = VillageContact.objects.create(
        person=person, township_id=village.township_id, village=village, started_on=started_on
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=contact, request=request)
    return contact


@transaction.atomic
def reserve_add(*, actor, person, village, added_on, note="", request=None):
    if person.township_id != village.township_id:
        raise ValidationError({"person": _("后备干部须是本乡镇人员。")})
    if ReserveCadre.objects.filter(person=person, village=village, removed_on__isnull=True).exists():
        raise ValidationError(_("此人已在该村后备干部名单中。"))
    entry = ReserveCadre.objects.create(
        person=person, township_id=village.township_id, village=village, added_on=added_on, note=note
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=entry, request=request)
    return entry
