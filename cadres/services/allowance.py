"""Writes for the leaving allowance (离任生活补贴): band tables, disqualifications, stops, and the
tenure listener that records what a tenure change means for the roster. Each write is checked
whole before anything is written and audited."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.dates import overlaps
from townships.scoping import can_edit_in_township, can_manage_registry
from townships.services import audit_record

from .. import allowance as rule
from ..choices import AllowanceStopKind, DisqualificationKind
from ..models import (
    AllowanceBand,
    AllowanceChange,
    AllowanceDisqualification,
    AllowanceStop,
    AllowanceTable,
    Person,
    Tenure,
)
from .common import _today


def _require_county_admin(actor):
    if not can_manage_registry(actor):
        raise PermissionDenied(_("只有县委组织部管理员可以设定生活补贴标准。"))


def _require_writer_for(actor, person):
    if not can_edit_in_township(actor, person.township_id):
        raise PermissionDenied(_("您没有修改这些记录的权限。"))


def parse_bands(text):
    """Bands typed one a line as "满年限 书记 主任 其他" (e.g. "20 525 505 485"); a Chinese message
    naming the line when one can't be read."""
    bands, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 4:
                raise ValueError
            years = int(parts[0])
            amounts = [Decimal(p) for p in parts[1:]]
            if not all(a.is_finite() for a in amounts):
                raise ValueError
        except (ValueError, InvalidOperation):
            errors.append(_("第 %(n)s 行应为“满年限 书记 主任 其他”四个数字，如“20 525 505 485”。") % {"n": number})
            continue
        bands.append((years, *amounts))
    if errors:
        raise ValidationError({"bands": errors})
    return bands


def _check_bands(bands):
    errors = []
    if not bands:
        errors.append(_("至少要设一个档次。"))
    years = [b[0] for b in bands]
    if len(set(years)) != len(years):
        errors.append(_("同一任职年限只能设一个档次。"))
    if any(y < 0 for y in years):
        errors.append(_("任职年限不能为负数。"))
    if any(a < 0 for b in bands for a in b[1:]):
        errors.append(_("补贴金额不能为负数。"))
    if any(a >= Decimal("1000000") for b in bands for a in b[1:]):
        errors.append(_("补贴金额过大，请核对。"))
    return errors


@transaction.atomic
def allowance_table_save(*, actor, county, name, effective_from, effective_to=None, bands, request=None):
    """A new band table, checked whole (name, dates in order, bands, no overlap with the county's
    other tables) before anything is written."""
    _require_county_admin(actor)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写标准名称（依据文件）。")
    if not isinstance(effective_from, datetime.date):
        errors["effective_from"] = _("请填写起始日期。")
    elif effective_to is not None and effective_to < effective_from:
        errors["effective_to"] = _("截止日期不能早于起始日期。")
    band_errors = _check_bands(bands)
    if band_errors:
        errors["bands"] = band_errors
    if not errors:
        others = list(AllowanceTable.objects.select_for_update().filter(county=county))
        new = rule.Table(effective_from, effective_to, (), name)
        existing = [rule.Table(t.effective_from, t.effective_to, (), t.name) for t in others]
        clashes = [pair for pair in overlaps([new, *existing]) if new in pair]
        if clashes:
            other = next(t for t in clashes[0] if t is not new)
            errors["effective_from"] = _("起止日期与已有标准“%(n)s”（%(a)s 起）重叠，请先为其设定截止日期。") % {
                "n": other.name,
                "a": other.effective_from,
            }
    if errors:
        raise ValidationError(errors)
    table = AllowanceTable.objects.create(
        county=county, name=name, effective_from=effective_from, effective_to=effective_to, created_by=actor
    )
    AllowanceBand.objects.bulk_create(
        AllowanceBand(table=table, min_years=y, secretary=s, director=d, other=o) for y, s, d, o in bands
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=table,
        detail={"bands": [[y, str(s), str(d), str(o)] for y, s, d, o in bands]},
        request=request,
    )
    return table


@transaction.atomic
def allowance_table_close(*, actor, table, effective_to, request=None):
    """End a table on a date (the day before a new document takes effect)."""
    _require_county_admin(actor)
    if effective_to < table.effective_from:
        raise ValidationError({"effective_to": _("截止日期不能早于起始日期。")})
    table.effective_to = effective_to
    table.save(update_fields=["effective_to"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=table,
        detail={"effective_to": str(effective_to)},
        request=request,
    )
    return table


@transaction.atomic
def allowance_disqualify(*, actor, person, kind, occurred_on, reason, request=None):
    """Record a disqualification (criminal or Party penalty, recall): a date and a reason required."""
    _require_writer_for(actor, person)
    errors = {}
    if kind not in DisqualificationKind.values:
        errors["kind"] = _("请选择情形。")
    if not isinstance(occurred_on, datetime.date):
        errors["occurred_on"] = _("请填写日期。")
    elif occurred_on > _today():
        errors["occurred_on"] = _("日期不能晚于今天。")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写事由（处分决定或判决文书）。")
    if errors:
        raise ValidationError(errors)
    entry = AllowanceDisqualification.objects.create(
        person=person, kind=kind, occurred_on=occurred_on, reason=reason, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=entry,
        detail={"kind": kind, "on": str(occurred_on)},
        request=request,
    )
    return entry


def left_on(person, posts):
    """The first day out of the person's last counted tenure; None when in office or never in one."""
    held = [
        rule.Held(t.post, t.village_id, t.started_on, t.ended_on)
        for t in Tenure.objects.filter(person=person, post__in=list(posts))
    ]
    found = rule.runs(held, frozenset(posts))
    if not found or found[-1][1] is None:
        return None
    return found[-1][1]


@transaction.atomic
def allowance_stop(*, actor, person, kind, stopped_on, reason="", request=None):
    """Stop payments from the month after ``stopped_on`` (death, a salaried public post). The person
    must have left their counted posts by then, and is stopped once."""
    _require_writer_for(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors = {}
    if kind not in AllowanceStopKind.values:
        errors["kind"] = _("请选择停发原因。")
    if not isinstance(stopped_on, datetime.date):
        errors["stopped_on"] = _("请填写日期。")
    elif stopped_on > _today():
        errors["stopped_on"] = _("日期不能晚于今天。")
    else:
        posts = settings_for(person.township.county_id)["allowance.posts"].split(",")
        out = left_on(person, posts)
        if out is None:
            errors["stopped_on"] = _("%(n)s 仍在任或无村干部任职记录，不能停发生活补贴。") % {"n": person.name}
        elif stopped_on < out:
            errors["stopped_on"] = _("停发日期 %(d)s 早于 %(n)s 的离任日期 %(o)s。") % {
                "d": stopped_on,
                "n": person.name,
                "o": out,
            }
    if AllowanceStop.objects.filter(person=person).exists():
        errors.setdefault("kind", _("%(n)s 的生活补贴已停发。") % {"n": person.name})
    if errors:
        raise ValidationError(errors)
    stop = AllowanceStop.objects.create(
        person=person, kind=kind, stopped_on=stopped_on, reason=(reason or "").strip(), recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=stop,
        detail={"kind": kind, "on": str(stopped_on)},
        request=request,
    )
    return stop


def allowance_tenures_changed(*, county_id, person_ids, post, since, what):
    """cadres' tenure listener: a change to a counted post is recorded for the roster, which shows it
    as 自上次查看后变化 (the roster itself is computed, so it is never stale; this says what moved)."""
    posts = settings_for(county_id)["allowance.posts"].split(",")
    concerned = Tenure.objects.filter(person_id__in=person_ids, post__in=posts).values_list("person_id", flat=True)
    AllowanceChange.objects.bulk_create(
        AllowanceChange(person_id=person_id, since=since, what=str(what)[:200]) for person_id in set(concerned)
    )
