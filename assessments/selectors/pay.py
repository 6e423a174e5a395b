"""What the pay pages read: who may see amounts, a period's totals by township, the finance sheet."""

from decimal import Decimal

from django.db.models import Count, Sum

from townships.choices import AuditAction, Role
from townships.county_settings import settings_for
from townships.scoping import scope_for

from ..models import PayLine


def can_see_pay(user):
    """Pay amounts are personal data: the county administrator and township staff (their own
    township's, by scoping) see them; a county viewer only where the county allows it
    (``pay.viewer_sees_amounts``); nobody else."""
    if user.is_superuser or user.role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF):
        return True
    if user.role == Role.COUNTY_VIEWER:
        return bool(settings_for(user.county_id)["pay.viewer_sees_amounts"])
    return False


def period_totals(*, user, period):
    """[{township, people, base, performance, deductions, total}] of a period in the user's scope,
    in the townships' order, and the sum row (two queries)."""
    rows = list(
        scope_for(user, PayLine.objects.filter(period=period))
        .values("township_id", "township__name", "township__sort_key")
        .annotate(
            people=Count("pk"),
            base=Sum("base"),
            performance=Sum("performance"),
            deductions=Sum("deductions"),
            total=Sum("total"),
        )
        .order_by("township__sort_key", "township__name")
    )
    keys = ("people", "base", "performance", "deductions", "total")
    total = {key: sum((row[key] for row in rows), Decimal(0) if key != "people" else 0) for key in keys}
    return rows, total


FINANCE_HEADERS = (
    "序号",
    "乡镇",
    "村（社区）",
    "姓名",
    "职务",
    "计发天数",
    "基础报酬（元）",
    "绩效标准（元）",
    "绩效系数",
    "绩效报酬（元）",
    "扣减（元）",
    "应发合计（元）",
    "备注",
)


def finance_rows(*, user, period):
    """The 测算表 as a finance bureau reads it: one row per person by township and village, a 小计
    row after each township and a 合计 row at the end (plain values, two queries)."""
    lines = (
        scope_for(user, PayLine.objects.filter(period=period))
        .select_related("township", "person")
        .order_by("township__sort_key", "township__name", "villages", "person__name", "pk")
    )
    rows, subtotal, current, previous_name, number = [], None, None, "", 0

    def money():
        return dict.fromkeys(("base", "performance_standard", "performance", "deductions", "total"), Decimal(0)) | {
            "days": 0
        }

    def closing(label, sums, township=""):
        return [label, township, "", "", "", sums["days"], sums["base"], sums["performance_standard"], ""] + [
            sums["performance"],
            sums["deductions"],
            sums["total"],
            "",
        ]

    total = money()
    for line in lines:
        if current != line.township_id:
            if subtotal is not None:
                rows.append(closing("小计", subtotal, previous_name))
            subtotal, current, previous_name = money(), line.township_id, line.township.name
        number += 1
        if line.grade:
            note = f"{line.rating_year}年度{line.get_grade_display()}"
        elif line.mean_score is not None:
            note = f"期内平均分 {line.mean_score}"
        else:
            note = "无考核结果"
        rows.append(
            [
                number,
                line.township.name,
                "、".join(line.villages),
                line.person.name,
                "、".join(line.posts),
                line.days,
                line.base,
                line.performance_standard,
                line.coefficient,
                line.performance,
                line.deductions,
                line.total,
                note,
            ]
        )
        for sums in (subtotal, total):
            for key in ("base", "performance_standard", "performance", "deductions", "total"):
                sums[key] += getattr(line, key)
            sums["days"] += line.days
    if subtotal is not None:
        rows.append(closing("小计", subtotal, previous_name))
    rows.append(closing("合计", total))
    return rows, number


def person_pay_section(request, person):
    """The person page's pay by period (cadres.person_page): amounts only for those who may see
    them, scoped; showing them is audited like any view of an amount."""
    from townships.services import audit_record

    if not can_see_pay(request.user):
        return None
    lines = list(
        scope_for(request.user, PayLine.objects.filter(person=person))
        .select_related("period")
        .order_by("-period__year", "-period__half")
    )
    if not lines:
        return None
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW_AMOUNT,
        target=person,
        detail={"pay_lines": [line.pk for line in lines]},
        request=request,
    )
    return {"template": "assessments/inc_person_pay.html", "lines": lines}
