"""The metrics an indicator can read, in one registry: reported monthly by the township, or derived
from records.

A metric is read per unit and period: most per village; the township metrics (``level="township"``,
``township.py``) per township, for the schemes whose target is the township — mostly aggregates
of its villages' records and scores, and what the township reports of itself. Reported metrics come
from the approved monthly report's ``values``: a village's report, or the township's own (乡镇本级,
the report without a village). A derived metric is one function registered under its code (``derived_metric``) with its
label, unit and origin; a scoring run asks the registry for the metrics its indicators read
(``read_derived``) and never special-cases a code. Readers take a ``MetricPeriod`` and answer
{village id: value} for its townships in a fixed number of queries, whatever their number of
villages; readers that share a query share it through ``MetricPeriod.shared``. A village a reader
does not list takes the metric's ``default``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

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
    origin: str = ""  # derived: the records it is computed from, in words (shown in the scheme editor)
    read: Callable | None = None  # derived: read(period) -> {village id: value}
    default: Any = 0  # derived: the value of a village the reader does not list (None: no value)
    level: str = "village"  # the unit it is read for: "village", or "township" ({township id: value})


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
    Metric("pledged_matters_done", _("承诺事项完成"), "report", _("件"), compare_with="commitments_completed"),
    Metric("collective_income", _("村集体经济收入（累计）"), "report", _("元"), "decimal"),
    Metric("satisfaction", _("群众满意度"), "report", "%", "percent", compare_with="satisfaction_rate"),
    Metric("environment_score", _("人居环境整治评分"), "report", _("分"), "decimal"),
    Metric("meetings_reported", _("本月召开三会一课"), "report", _("次"), compare_with="meetings_held"),
    # The township's own report (乡镇本级月报): what the township itself did in the month, for the
    # schemes whose target is the township (信访量排名, 中心组学习, 书记走访, 警示谈话, 督查).
    Metric("township_petitions", _("乡镇本级受理信访件数"), "report", _("件"), level="township"),
    Metric("township_petitions_resolved", _("信访事项按期办结率"), "report", "%", "percent", level="township"),
    Metric("theory_study_sessions", _("党委理论学习中心组学习"), "report", _("次"), level="township"),
    Metric("committee_party_building", _("党委会专题研究党建工作"), "report", _("次"), level="township"),
    Metric("secretary_village_visits", _("党委书记走访联系村（社区）"), "report", _("次"), level="township"),
    Metric("warning_talks", _("警示谈话、提醒谈话"), "report", _("人次"), level="township"),
    Metric("key_tasks_progress", _("重点工作督查完成率"), "report", "%", "percent", level="township"),
)

METRICS = {m.code: m for m in REPORTED}


def reported_codes(level="village"):
    """The codes a report of that unit holds, in the form's order: a village's report, or the
    township's own (``"township"``)."""
    return [m.code for m in REPORTED if m.level == level]


REPORTED_CODES = reported_codes("village")


def derived_metric(code, label, *, unit="", kind="int", origin, default=0, level="village"):
    """Register the decorated function as the reader of a derived metric."""

    def register(read):
        if code in METRICS:
            raise ValueError(f"metric {code} is registered twice")
        METRICS[code] = Metric(
            code, label, "derived", unit, kind, origin=origin, read=read, default=default, level=level
        )
        return read

    return register


def metrics_for(level):
    """The metrics a scheme of that level of unit may read ("village" or "township")."""
    return {code: metric for code, metric in METRICS.items() if metric.level == level}


def derived_codes():
    return [code for code, metric in METRICS.items() if metric.source == "derived"]


@dataclass
class MetricPeriod:
    """What a reader reads for: some townships of one county and a month, with the county's settings."""

    township_ids: list
    year: int
    month: int
    conf: dict
    _shared: dict = field(default_factory=dict, repr=False)

    @property
    def unit(self):
        from cadres.periods import month_unit

        return month_unit(self.year, self.month)

    def shared(self, key, compute):
        """One computation for every reader that needs it (e.g. one aggregate query giving two metrics)."""
        if key not in self._shared:
            self._shared[key] = compute(self)
        return self._shared[key]


def read_derived(period, codes=None):
    """{code: {village id: value}} of the derived metrics named (all of them by default)."""
    wanted = derived_codes() if codes is None else [c for c in dict.fromkeys(codes) if c in METRICS]
    return {code: METRICS[code].read(period) for code in wanted if METRICS[code].source == "derived"}


def metric_value(code, unit_id, *, report_values, derived):
    """A metric's value for one unit (a village, or a township for a township metric): from its
    approved report, or from the derived readings."""
    metric = METRICS[code]
    if metric.source == "report":
        return (report_values or {}).get(code)
    return derived.get(code, {}).get(unit_id, metric.default)


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


# The readers register themselves on import.
from . import readers, township  # noqa: E402, F401
