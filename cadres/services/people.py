"""Writes for people (人员): create, update, reveal of personal data."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.services import audit_record, changed_fields

from ..choices import ETHNICITIES, Gender
from ..identity import IdentityError, check_id_matches, normalize_phone, normalize_text, parse_id_number
from ..models import Person


def household_key(address):
    """Normalize an address so two spellings of one household compare equal."""
    key = normalize_text(address)
    key = re.sub(r"[，,。.、\-—()（）#]", "", key)
    return key.replace("号院", "号")[:120]


# --- People -----------------------------------------------------------------


def _clean_person_identity(person):
    try:
        parsed = parse_id_number(person.id_number)
        check_id_matches(parsed, birth_date=person.birth_date, is_male=person.gender == Gender.MALE)
        person.id_number = parsed.number
    except IdentityError as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    try:
        person.phone = normalize_phone(person.phone)
    except IdentityError as exc:
        raise ValidationError({"phone": str(exc)}) from None
    if person.village_id and person.village.township_id != person.township_id:
        raise ValidationError({"village": _("所属村（社区）不在所选乡镇。")})
    if person.ethnicity not in ETHNICITIES:
        raise ValidationError({"ethnicity": _("民族名称不正确，如“汉族”“回族”。")})
    person.household_key = household_key(person.household_address)


@transaction.atomic
def person_create(*, actor, request=None, **data):
    person = Person(**data)
    _clean_person_identity(person)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=person, request=request)
    return person


@transaction.atomic
def person_update(*, actor, person, request=None, **data):
    person = Person.objects.select_for_update().get(pk=person.pk)
    changes = changed_fields(person, data)
    for field, value in data.items():
        setattr(person, field, value)
    _clean_person_identity(person)
    person.full_clean()
    person.save()
    # Never put personal data into the audit trail in clear text.
    for sensitive in ("id_number", "phone"):
        if sensitive in changes:
            changes[sensitive] = ["***", "***"]
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=person, detail=changes, request=request)
    return person


def person_reveal(*, actor, person, request=None):
    """Record that ``actor`` asked to see the person's ID number and phone in full."""
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        target=person,
        detail={"fields": ["id_number", "phone"]},
        request=request,
    )
    return {"id_number": person.id_number, "phone": person.phone}
