"""Village cadres' pay (报酬测算): the county's dated standards, each period's calculation from the
tenures, the standards and the result that applies, the county's deductions, approval (which locks
the period) and reopening (only by a decision). The rule itself is ``assessments/pay.py``.

A period reads ratings and never changes them. When a rating or a tenure a settled period read
changes afterwards, the period is not recomputed: it is marked ``changed_since`` and the county is
told once; a named county user decides to reopen it (``pay_period_reopen``) and compute it again.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import PostKind
from cadres.models import Tenure
from townships.choices import AuditAction, Role
from townships.dates import overlaps
from townships.services import audit_record, county_admin_recipients, notify, township_recipients

from .. import pay
from ..choices import AssessmentMessageKind as MessageKind
from ..choices import Grade, PayMode, PayPeriodState, PayRhythm, PeriodKind, Target
from ..models import AnnualRating, PayDeduction, PayLine, PayPeriod, PayStandard, Score
from .common import actor_or_none

AMOUNT_FIELDS = ("one_shoulder_month", "principal_month", "deputy_month")


def _require_county_admin(actor):
    """The county administrator acts here; ``None`` is the system itself (the demo, a command)."""
    if actor is None:
        return
    if not (actor.is_superuser or actor.role == Role.COUNTY_ADMIN):
        raise PermissionDenied(_("只有县委组织部管理员可以办理村干部报酬。"))


def _decimal(raw, message):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(message) from None
    if not value.is_finite():
        raise ValidationError(message)
    return value


def clean_coefficients(raw):
    """{grade: coefficient as text} for every grade, each a number ≥ 0 (at most 9.99)."""
    cleaned, errors = {}, []
    for grade in Grade:
        value = (raw or {}).get(grade.value, "")
        try:
            number = _decimal(value, _("“%(g)s”的系数须是数字。") % {"g": grade.label})
        except ValidationError as error:
            errors += error.messages
            continue
        if not Decimal(0) <= number <= Decimal("9.99"):
            errors.append(_("“%(g)s”的系数应在 0 到 9.99 之间。") % {"g": grade.label})
            continue
        cleaned[grade.value] = str(number)
    if errors:
        raise ValidationError({"coefficients": errors})
    return cleaned


def clean_bands(rows):
    """[[lowest mean score, coefficient], …] from pairs of text; blank rows are left out."""
    cleaned, errors = [], []
    for low, value in rows or []:
        if str(low).strip() == "" and str(value).strip() == "":
            continue
        try:
            low_d = _decimal(low, _("分档的最低分须是数字。"))
            value_d = _decimal(value, _("分档的系数须是数字。"))
        except ValidationError as error:
            errors += error.messages
            continue
        if not Decimal(0) <= low_d <= Decimal(1000):
            errors.append(_("分档的最低分应在 0 到 1000 之间。"))
        elif not Decimal(0) <= value_d <= Decimal("9.99"):
            errors.append(_("分档的系数应在 0 到 9.99 之间。"))
        else:
            cleaned.append([str(low_d), str(value_d)])
    if len({low for low, _v in cleaned}) != len(cleaned):
        errors.append(_("分档的最低分不能重复。"))
    if errors:
        raise ValidationError({"bands": errors})
    return sorted(cleaned, key=lambda row: Decimal(row[0]), reverse=True)


def _settled_periods(county_id, start, end):
    """The approved periods of the county whose days meet ``start``–``end`` (end None: open)."""
    found = []
    for period in PayPeriod.objects.filter(county_id=county_id, state=PayPeriodState.APPROVED):
        first, last = period.bounds
        if first <= (end or datetime.date.max) and start <= last:
            found.append(period)
    return found


@transaction.atomic
def pay_standard_save(*, actor, county, values, standard=None, request=None):
    """Create (or change) a pay standard, checked whole before anything is written: dates in order,
    no overlap with the county's other standards, amounts ≥ 0, a share between 0 and 1, coefficients
    ≥ 0, and never a change to what a settled (approved) period read."""
    _require_county_admin(actor)
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("请填写标准名称（依据文件）。")
    start, end = values.get("effective_from"), values.get("effective_to")
    if not isinstance(start, datetime.date):
        errors["effective_from"] = _("请填写起始日期。")
    elif end is not None and end < start:
        errors["effective_to"] = _("截止日期不能早于起始日期。")
    for field in AMOUNT_FIELDS:
        amount = values.get(field)
        if amount is None or Decimal(amount) < 0:
            errors[field] = _("金额不能为负数。")
    share = values.get("performance_share")
    if share is None or not Decimal(0) <= Decimal(share) <= Decimal(1):
        errors["performance_share"] = _("绩效报酬占比应在 0 到 1 之间（如 0.3 表示 30%）。")
    unrated = values.get("unrated")
    if unrated is None or not Decimal(0) <= Decimal(unrated) <= Decimal("9.99"):
        errors["unrated"] = _("未评定系数应在 0 到 9.99 之间。")
    if values.get("mode") not in PayMode.values:
        errors["mode"] = _("请选择绩效系数依据。")
    if values.get("rhythm") not in PayRhythm.values:
        errors["rhythm"] = _("请选择结算周期。")
    try:
        coefficients = clean_coefficients(values.get("coefficients"))
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        bands = clean_bands(values.get("bands"))
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors and values.get("mode") == PayMode.BAND and not bands:
        errors["bands"] = _("按分档计算绩效时，至少要设一档。")
    if errors:
        raise ValidationError(errors)

    others = PayStandard.objects.select_for_update().filter(county=county).exclude(pk=getattr(standard, "pk", None))
    new_dates = SimpleNamespace(effective_from=start, effective_to=end)
    for other in others:
        if overlaps([new_dates, other]):
            raise ValidationError(
                {
                    "effective_from": _("与“%(n)s”（%(f)s 至 %(t)s）的有效期重叠；请先调整那份标准的截止日期。")
                    % {
                        "n": other.name,
                        "f": other.effective_from.isoformat(),
                        "t": other.effective_to.isoformat() if other.effective_to else _("长期"),
                    }
                }
            )
    new = {
        "name": name,
        "effective_from": start,
        "effective_to": end,
        **{field: Decimal(values[field]) for field in AMOUNT_FIELDS},
        "performance_share": Decimal(share),
        "unrated": Decimal(unrated),
        "mode": values["mode"],
        "rhythm": values["rhythm"],
        "coefficients": coefficients,
        "bands": bands,
    }
    _refuse_settled_change(county, standard, new)
    if standard is None:
        standard = PayStandard.objects.create(county=county, created_by=actor_or_none(actor), **new)
        action, detail = AuditAction.CREATE, {"pay_standard": _audit_values(new)}
    else:
        before = {key: getattr(standard, key) for key in new}
        for key, value in new.items():
            setattr(standard, key, value)
        standard.save()
        action = AuditAction.UPDATE
        detail = {"pay_standard": _audit_values(new), "before": _audit_values(before)}
    audit_record(actor=actor, action=action, target=standard, detail=detail, request=request)
    return standard


def _refuse_settled_change(county, standard, new):
    """A settled period keeps what it read: a standard that applied to one may only be cut off after
    the settled periods (its end date set later than their last day); a new standard may not reach
    back into one."""
    if standard is None:
        settled = _settled_periods(county.pk, new["effective_from"], new["effective_to"])
        if settled:
            raise ValidationError(
                {
                    "effective_from": _("%(p)s的报酬已审定，新标准不能覆盖该期间；请从 %(d)s 以后起算。")
                    % {"p": settled[-1].label, "d": max(p.bounds[1] for p in settled).isoformat()}
                }
            )
        return
    settled = _settled_periods(county.pk, standard.effective_from, standard.effective_to)
    if not settled:
        return
    last_day = max(p.bounds[1] for p in settled)
    changed = [key for key, value in new.items() if key != "effective_to" and getattr(standard, key) != value]
    cut_too_early = new["effective_to"] is not None and new["effective_to"] < last_day
    if changed or cut_too_early:
        raise ValidationError(
            _(
                "“%(n)s”已用于已审定的%(p)s，不能修改；如需调整，请设定本标准的截止日期（不早于 %(d)s），再新增一份标准。"
            )
            % {"n": standard.name, "p": settled[-1].label, "d": last_day.isoformat()}
        )


def _audit_values(values):
    return {key: (value.isoformat() if hasattr(value, "isoformat") else str(value)) for key, value in values.items()}


# --- Periods ---------------------------------------------------------------------


def _check_period(county, year, half):
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 到 2100 之间。")})
    if half not in (0, 1, 2):
        raise ValidationError({"half": _("请选择上半年、下半年或全年。")})
    start, end = pay.period_bounds(year, half)
    # The standard in effect on the period's first day, or else the first one starting within it.
    standards = list(PayStandard.objects.filter(county=county).order_by("effective_from"))
    first = next((s for s in standards if s.rule().covers(start)), None) or next(
        (s for s in standards if start <= s.effective_from <= end), None
    )
    if first is None:
        raise ValidationError(_("%(y)s年没有适用的报酬标准，请先设定报酬标准。") % {"y": year})
    rhythm = first.rhythm
    if (rhythm == PayRhythm.HALF) != (half in (1, 2)):
        raise ValidationError(
            {"half": _("适用的报酬标准规定%(r)s，请按此选择测算期间。") % {"r": PayRhythm(rhythm).label}}
        )


@transaction.atomic
def pay_period_compute(*, actor, county, year, half, request=None, today=None):
    """Compute (or compute again) an open period: one line per person who held a paid post on any
    day of it, replacing the previous lines. An approved period is refused until it is reopened."""
    _require_county_admin(actor)
    _check_period(county, year, half)
    period, _created = PayPeriod.objects.select_for_update().get_or_create(county=county, year=year, half=half)
    if period.is_approved:
        raise ValidationError(
            _("%(p)s的报酬已审定并锁定；如需重新测算，须先由县委组织部决定重新打开。") % {"p": period.label}
        )
    start, end = period.bounds
    today = today or timezone.localdate()
    if start > today:
        raise ValidationError(_("%(p)s尚未开始，不能测算。") % {"p": period.label})
    lines = period_lines(county=county, period=period)
    PayLine.objects.filter(period=period).delete()
    PayLine.objects.bulk_create(lines)
    period.computed_at, period.changed_since = timezone.now(), ""
    period.save(update_fields=["computed_at", "changed_since"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=period,
        detail={"pay_computed": period.label, "lines": len(lines), "total": str(sum(line.total for line in lines))},
        request=request,
    )
    return period


def period_lines(*, county, period):
    """The unsaved ``PayLine`` rows of a period, in a fixed number of queries whatever its size."""
    start, end = period.bounds
    standards = [s.rule() for s in PayStandard.objects.filter(county=county).order_by("effective_from")]
    tenures = (
        Tenure.objects.filter(township__county=county, post__in=pay.PAID_POSTS, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
        .select_related("village", "township")
        .order_by("person_id", "started_on", "pk")
    )
    by_person = defaultdict(list)
    for tenure in tenures:
        by_person[tenure.person_id].append(tenure)
    ratings = {
        r.person_id: r
        for r in AnnualRating.objects.filter(
            person_id__in=list(by_person), year=period.year - 1, signed_off_by__isnull=False
        )
    }
    months = range(start.month, end.month + 1)
    means = dict(
        Score.objects.filter(
            person_id__in=list(by_person),
            target=Target.VILLAGE_SECRETARY,
            period_kind=PeriodKind.MONTH,
            year=period.year,
            period__in=list(months),
        )
        .values_list("person_id")
        .annotate(mean=Avg("total"))
        .values_list("person_id", "mean")
    )
    deductions = defaultdict(list)
    for person_id, amount, reason in PayDeduction.objects.filter(period=period).values_list(
        "person_id", "amount", "reason"
    ):
        deductions[person_id].append((amount, reason))
    labels = dict(PostKind.choices)
    lines = []
    for person_id, held in by_person.items():
        rating = ratings.get(person_id)
        mean = means.get(person_id)
        line = pay.pay_line(
            held=[pay.Held(t.post, t.village_id, t.started_on, t.ended_on) for t in held],
            standards=standards,
            start=start,
            end=end,
            grade=rating.grade if rating else None,
            grade_label=rating.get_grade_display() if rating else "",
            mean_score=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
            deductions=deductions.get(person_id, ()),
        )
        if not line.days:
            continue
        last = held[-1]
        lines.append(
            PayLine(
                period=period,
                person_id=person_id,
                township_id=last.township_id,
                villages=sorted({t.village.name for t in held if t.village_id}),
                posts=[
                    f"{t.village.name if t.village_id else t.township.name}{labels.get(t.post, t.post)}" for t in held
                ],
                days=line.days,
                base=line.base,
                performance_standard=line.performance_standard,
                coefficient=line.coefficient,
                performance=line.performance,
                deductions=line.deductions,
                total=line.total,
                grade=rating.grade if rating else "",
                rating_year=rating.year if rating else None,
                mean_score=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
                working=list(line.working),
            )
        )
    return lines


@transaction.atomic
def pay_period_approve(*, actor, period, opinion, request=None):
    """A named county user approves a computed period with an opinion: it is locked, the finance
    export of it counts as final, and each township is told."""
    _require_county_admin(actor)
    if not (opinion or "").strip():
        raise ValidationError({"opinion": _("请填写审定意见。")})
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_approved:
        raise ValidationError(_("%(p)s的报酬已审定。") % {"p": period.label})
    if period.computed_at is None or not period.lines.exists():
        raise ValidationError(_("请先测算%(p)s的报酬，再审定。") % {"p": period.label})
    period.state = PayPeriodState.APPROVED
    period.approved_by, period.approved_at = actor_or_none(actor), timezone.now()
    period.opinion, period.changed_since = opinion.strip(), ""
    period.save(update_fields=["state", "approved_by", "approved_at", "opinion", "changed_since"])
    audit_record(
        actor=actor,
        action=AuditAction.APPROVE,
        target=period,
        detail={"pay_approved": period.label, "opinion": period.opinion},
        request=request,
    )
    url = reverse("pay-period", args=[period.year, period.half])
    for township_id in sorted(set(period.lines.values_list("township_id", flat=True))):
        notify(
            township_recipients(township_id),
            kind=MessageKind.PAY_APPROVED,
            title=_("%(p)s村干部报酬已审定") % {"p": period.label},
            url=url,
            key=f"pay-approved:{period.pk}:{period.approved_at.isoformat()}",
        )
    return period


@transaction.atomic
def pay_period_reopen(*, actor, period, reason, request=None):
    """Reopen an approved period, by a named county user's decision with its reason (audited)."""
    _require_county_admin(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写重新打开的理由。")})
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_approved:
        raise ValidationError(_("%(p)s尚未审定，无需重新打开。") % {"p": period.label})
    period.state = PayPeriodState.OPEN
    period.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=period,
        detail={"pay_reopened": period.label, "reason": reason.strip(), "changed_since": period.changed_since},
        request=request,
    )
    return period


@transaction.atomic
def pay_deduction_add(*, actor, period, person, township, amount, reason, request=None):
    """Record a deduction from one person's pay for an open period (the period is computed again)."""
    _require_county_admin(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写扣减事由。")})
    if amount is None or Decimal(amount) <= 0:
        raise ValidationError({"amount": _("扣减金额须大于 0。")})
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_approved:
        raise ValidationError(_("%(p)s的报酬已审定并锁定，不能再扣减。") % {"p": period.label})
    if not period.lines.filter(person=person).exists():
        raise ValidationError({"person": _("%(n)s 在%(p)s没有报酬。") % {"n": person.name, "p": period.label}})
    entry = PayDeduction.objects.create(
        period=period,
        person=person,
        township=township,
        amount=Decimal(amount),
        reason=reason.strip(),
        created_by=actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.OVERRIDE,
        target=entry,
        detail={"pay_deduction": str(entry.amount), "reason": entry.reason, "period": period.label},
        request=request,
    )
    pay_period_compute(actor=actor, county=period.county, year=period.year, half=period.half, request=request)
    return entry


def pay_inputs_changed(*, county_id, person_ids, what, year=None, since=None, paid_post=False):
    """A rating (``year``: the periods of that year read it) or a tenure (``since``: the periods from
    that day on) that computed periods read changed. Such a period is never recomputed here: it is
    marked (``changed_since``, shown on its page); an approved one also tells the county once, and a
    named county user decides whether to reopen it. A tenure of a paid post (``paid_post``) concerns
    every period from its day on, whether or not the person is on its lines yet (a secretary appointed
    after the period was computed); anything else concerns only the periods that pay the person."""
    periods = PayPeriod.objects.filter(county_id=county_id, computed_at__isnull=False)
    if not paid_post:
        periods = periods.filter(lines__person_id__in=set(person_ids)).distinct()
    if year is not None:
        periods = periods.filter(year=year)
    for period in periods:
        if since is not None and period.bounds[1] < since:
            continue
        note = f"{timezone.localdate().isoformat()} {what}"
        if note in period.changed_since:
            continue
        period.changed_since = (period.changed_since + "\n" + note).strip()
        period.save(update_fields=["changed_since"])
        if not period.is_approved:
            continue
        notify(
            county_admin_recipients(county_id),
            kind=MessageKind.PAY_CHANGED,
            title=_("%(p)s已审定的村干部报酬所依据的数据有变化，请决定是否重新打开") % {"p": period.label},
            body=what,
            url=reverse("pay-period", args=[period.year, period.half]),
            key=f"pay-changed:{period.pk}:{note}",
        )


def pay_tenures_changed(*, county_id, person_ids, post, since, what):
    """cadres' tenure listener: the periods that read the changed days are marked."""
    pay_inputs_changed(
        county_id=county_id, person_ids=person_ids, what=what, since=since, paid_post=post in pay.PAID_POSTS
    )
