"""Schemes (考核方案): indicators edited as data, checked against full marks, activated, copied as a new version."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.services import audit_record

from .. import scoring
from ..choices import SchemeStatus, unit_level
from ..metrics import METRICS
from ..models import (
    Indicator,
    Scheme,
)


def metric_problem(scheme, indicator):
    """Why an indicator cannot read its metric in this scheme (a Chinese sentence), or "": the metric
    must exist and be read for the scheme's unit — a township scheme reads township metrics only,
    a village scheme village ones."""
    if indicator.method == scoring.Method.MANUAL:
        return ""
    metric = METRICS.get(indicator.metric)
    if metric is None:
        return _("数据指标“%(m)s”不存在。") % {"m": indicator.metric}
    if metric.level != unit_level(scheme.target):
        if metric.level == "village":
            return _("“%(m)s”是村级指标，乡镇考核方案不能直接读取；请选用乡镇指标（如村平均得分）。") % {
                "m": metric.label
            }
        return _("“%(m)s”是乡镇指标，只能用于考核对象为乡镇的方案。") % {"m": metric.label}
    return ""


def scheme_problems(scheme, indicators=None):
    """Everything wrong with a scheme, as Chinese sentences (empty when it can be used)."""
    indicators = list(indicators if indicators is not None else scheme.indicators.all())
    problems = []
    leaves = [i for i in indicators if i.method]
    for indicator in leaves:
        try:
            scoring.validate_parameters(indicator.method, indicator.max_points, indicator.params or {})
        except scoring.ParameterError as exc:
            problems.append(f"{indicator.code} {indicator.name}：{exc}")
        problem = metric_problem(scheme, indicator)
        if problem:
            problems.append(f"{indicator.code} {indicator.name}：{problem}")
    total = sum((i.max_points for i in leaves if not i.is_bonus), Decimal(0))
    if total != scheme.full_marks:
        problems.append(
            _("各项分值合计 %(total)s 分，与满分 %(full)s 分不符。")
            % {"total": scoring._fmt(total), "full": scoring._fmt(scheme.full_marks)}
        )
    return problems


def _require_editable(scheme):
    if scheme.status == SchemeStatus.LOCKED:
        raise ValidationError(_("该方案已用于评分，不能直接修改；请“生成新版本”，新版本启用后从下一次评分起生效。"))


@transaction.atomic
def indicator_save(*, actor, scheme, indicator=None, request=None, **data):
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _require_editable(scheme)
    indicator = indicator or Indicator(scheme=scheme)
    for field, value in data.items():
        setattr(indicator, field, value)
    if indicator.method:
        try:
            scoring.validate_parameters(indicator.method, indicator.max_points, indicator.params or {})
        except scoring.ParameterError as exc:
            raise ValidationError({"params": str(exc)}) from None
        problem = metric_problem(scheme, indicator)
        if problem:
            raise ValidationError({"metric": problem})
    indicator.full_clean()
    indicator.save()
    audit_record(
        actor=actor, action=AuditAction.UPDATE, target=scheme, detail={"indicator": indicator.code}, request=request
    )
    if scheme.status == SchemeStatus.ACTIVE and scheme_problems(scheme):
        # An active scheme must stay usable: refuse a change that breaks it.
        raise ValidationError(" ".join(scheme_problems(scheme)))
    return indicator


@transaction.atomic
def scheme_activate(*, actor, scheme, request=None):
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError(problems)
    _require_editable(scheme)
    Scheme.objects.filter(
        county=scheme.county, year=scheme.year, target=scheme.target, status=SchemeStatus.ACTIVE
    ).exclude(pk=scheme.pk).update(status=SchemeStatus.DRAFT)
    scheme.status = SchemeStatus.ACTIVE
    scheme.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=AuditAction.APPROVE, target=scheme, detail={"activated": True}, request=request)
    return scheme


@transaction.atomic
def scheme_copy(*, actor, scheme, year=None, request=None):
    """Copy a scheme as a draft: for next year, or as the next version of a locked one."""
    year = year or scheme.year
    version = 1 + max(
        Scheme.objects.filter(county=scheme.county, year=year, target=scheme.target).values_list("version", flat=True),
        default=0,
    )
    copy = Scheme.objects.create(
        county=scheme.county,
        year=year,
        target=scheme.target,
        version=version,
        name=scheme.name.replace(str(scheme.year), str(year)),
        full_marks=scheme.full_marks,
        bonus_cap=scheme.bonus_cap,
        based_on=scheme,
    )
    # Parents before their children, level by level (PostgreSQL sorts a NULL parent last, so an
    # ORDER BY parent would copy the children before the categories they belong to).
    mapping, waiting = {}, list(scheme.indicators.order_by("position", "pk"))
    while waiting:
        ready = [i for i in waiting if i.parent_id is None or i.parent_id in mapping]
        if not ready:
            raise ValidationError(_("方案的指标层级有误（循环引用），无法复制。"))
        for indicator in ready:
            old_pk, old_parent = indicator.pk, indicator.parent_id
            indicator.pk = None
            indicator.scheme = copy
            indicator.parent_id = mapping.get(old_parent)
            indicator.save()
            mapping[old_pk] = indicator.pk
        waiting = [i for i in waiting if i not in ready]
    audit_record(
        actor=actor, action=AuditAction.CREATE, target=copy, detail={"copied_from": scheme.pk}, request=request
    )
    return copy


def active_schemes(*, county_id, year):
    return {
        s.target: s
        for s in Scheme.objects.filter(
            county_id=county_id, year=year, status__in=[SchemeStatus.ACTIVE, SchemeStatus.LOCKED]
        ).order_by("version")
    }
