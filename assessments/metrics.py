"""The metrics an indicator can read: reported monthly by the township, or derived from records.

A metric is read per village and period. Reported metrics come from the
approved monthly report's ``values``; derived ones are computed by
assessments.selectors in a fixed number of aggregate queries per township.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    source: str  # "report" or "derived"
    unit: str = ""
    kind: str = "int"  # int, decimal, percent, bool
    compare_with: str = ""  # a derived metric a reported value must agree with (杜绝弄虚作假)


REPORTED = (
    Metric("petitions", _("信访件数"), "report", _("件")),
    Metric("petitions_skip_level", _("越级上访"), "report", _("件")),
    Metric("mass_incidents", _("群体性事件"), "report", _("起")),
    Metric("safety_incidents", _("安全生产事故"), "report", _("起")),
    Metric("major_accidents", _("重特大安全事故"), "report", _("起")),
    Metric("discipline_cases", _("违纪违法案件"), "report", _("起")),
    Metric("illegal_buildings_new", _("新增违章建筑"), "report", _("处")),
    Metric("illegal_buildings_removed", _("拆除违章建筑"), "report", _("处")),
    Metric("key_project_progress", _("重点项目推进（完成率）"), "report", "%", "percent"),
    Metric("pledged_matters_done", _("承诺事项完成"), "report", _("件")),
    Metric("collective_income", _("村集体经济收入（累计）"), "report", _("元"), "decimal"),
    Metric("satisfaction", _("群众满意度"), "report", "%", "percent"),
    Metric("environment_score", _("人居环境整治评分"), "report", _("分"), "decimal"),
    Metric("meetings_reported", _("本月召开三会一课"), "report", _("次"), compare_with="meetings_held"),
)

DERIVED = (
    Metric("meetings_ratio", _("组织生活开展率（已开÷应开）"), "derived", "", "decimal"),
    Metric("meetings_held", _("组织生活记录"), "derived", _("次")),
    Metric("members_developed", _("本年发展党员"), "derived", _("人")),
    Metric("candidates", _("在册发展对象"), "derived", _("人")),
    Metric("lost_contact_mobile", _("失联流动党员"), "derived", _("人")),
    Metric("secretary_vacant", _("书记岗位空缺"), "derived", "", "bool"),
    Metric("matters_completed", _("“四议两公开”完成事项"), "derived", _("件")),
    Metric("appraisal_done", _("上年度民主评议已开展"), "derived", "", "bool"),
)

METRICS = {m.code: m for m in (*REPORTED, *DERIVED)}
REPORTED_CODES = [m.code for m in REPORTED]


def parse_reported(code, raw):
    """A reported value from a form or a workbook: numbers ≥ 0 (percent ≤ 100). ValueError with a Chinese message."""
    metric = METRICS[code]
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_gettext("请填写数字。")) from None
    if value < 0:
        raise ValueError(_gettext("不能为负数。"))
    if metric.kind == "percent" and value > 100:
        raise ValueError(_gettext("百分比不能超过 100。"))
    if metric.kind == "int":
        if value != value.to_integral():
            raise ValueError(_gettext("请填写整数。"))
        return int(value)
    return float(value)
