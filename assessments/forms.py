from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from townships.forms import BootstrapModelForm, bootstrapify

from .choices import Method, unit_level
from .metrics import METRICS, metrics_for, reported_codes
from .models import Indicator


class ReportForm(forms.Form):
    """One field per reported metric of the report's level: a village's, or the township's own."""

    def __init__(self, *args, level="village", **kwargs):
        super().__init__(*args, **kwargs)
        for code in reported_codes(level):
            metric = METRICS[code]
            self.fields[code] = forms.DecimalField(
                label=f"{metric.label}（{metric.unit}）" if metric.unit else metric.label, min_value=0, required=False
            )
        # The report's version this form was filled from (optimistic locking, see report_save).
        self.fields["version"] = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
        bootstrapify(self)


TIER_ROWS = 5
SOURCE_LABELS = {"report": _("月报"), "derived": _("台账")}


def metric_label(metric):
    """A metric as the editor offers it: its name, unit and source (for a derived one, the records
    it is computed from), never its code."""
    unit = f"，{metric.unit}" if metric.unit else ""
    origin = f"：{metric.origin}" if metric.origin else ""
    return f"{metric.label}（{SOURCE_LABELS[metric.source]}{origin}{unit}）"


class IndicatorForm(BootstrapModelForm):
    """An indicator in plain Chinese: the metric picked by name, and each method's parameters as
    their own fields (tiers as rows), shown only for the method chosen; ``clean`` turns them into
    the stored ``params``."""

    target = forms.DecimalField(
        label=_("目标值（达到即得满分）"), required=False, min_value=Decimal("0.0001"), decimal_places=4
    )
    per_item = forms.DecimalField(label=_("每项得分"), required=False, min_value=Decimal("0.01"), decimal_places=2)
    per_event = forms.DecimalField(label=_("每次扣分"), required=False, min_value=Decimal("0.01"), decimal_places=2)
    direction = forms.ChoiceField(
        label=_("排名方向"), required=False, choices=[("desc", _("数值越大越好")), ("asc", _("数值越小越好"))]
    )
    min_share = forms.DecimalField(
        label=_("末名得分比例（0～1，末名得满分的几成）"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=2,
    )

    # The parameters each method reads (the tier rows are added in __init__).
    PARAMETERS = {
        Method.RATIO: ("target",),
        Method.PER_ITEM: ("per_item",),
        Method.DEDUCTION: ("per_event",),
        Method.RANK: ("direction", "min_share"),
        Method.TIERED: tuple(f"tier_{i}_{part}" for i in range(1, TIER_ROWS + 1) for part in ("low", "points")),
    }
    REQUIRED = {Method.RATIO: "target", Method.PER_ITEM: "per_item", Method.DEDUCTION: "per_event"}

    class Meta:
        model = Indicator
        fields = [*(f for f in Indicator.EDITABLE_FIELDS if f != "params"), "position"]

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, TIER_ROWS + 1):
            self.fields[f"tier_{i}_low"] = forms.DecimalField(
                label=_("第 %(i)s 档：数值不低于") % {"i": i}, required=False, min_value=0, decimal_places=2
            )
            self.fields[f"tier_{i}_points"] = forms.DecimalField(
                label=_("第 %(i)s 档：得分") % {"i": i}, required=False, min_value=0, decimal_places=2
            )
        self.fields["parent"].queryset = scheme.indicators.filter(method="")
        self.fields["parent"].label_from_instance = lambda i: f"{i.code} {i.name}"
        self.fields["method"].choices = [("", _("（分类，不计分）")), *Method.choices]
        self.fields["metric"] = forms.ChoiceField(
            label=_("数据来源"),
            required=False,
            choices=[
                ("", _("（人工评分项不需要）")),
                *[(c, metric_label(m)) for c, m in metrics_for(unit_level(scheme.target)).items()],
            ],
        )
        for method, names in self.PARAMETERS.items():
            for name in names:
                self.fields[name].widget.attrs["data-param-for"] = method
        self._initial_params(self.instance.params or {} if self.instance.pk else {})
        bootstrapify(self)

    def _initial_params(self, params):
        for name in ("target", "per_item", "per_event", "direction", "min_share"):
            if name in params:
                self.initial[name] = params[name]
        for i, (low, points) in enumerate(params.get("tiers") or [], start=1):
            if i <= TIER_ROWS:
                self.initial[f"tier_{i}_low"], self.initial[f"tier_{i}_points"] = low, points

    def clean(self):
        data = super().clean()
        method = data.get("method") or ""
        required = self.REQUIRED.get(method)
        if required and data.get(required) is None:
            self.add_error(required, _("请填写%(f)s。") % {"f": self.fields[required].label})
        params = {}
        if method in (Method.RATIO, Method.PER_ITEM, Method.DEDUCTION) and data.get(required) is not None:
            params[required] = _number(data[required])
        elif method == Method.RANK:
            params["direction"] = data.get("direction") or "desc"
            if data.get("min_share") is not None:
                params["min_share"] = _number(data["min_share"])
        elif method == Method.TIERED:
            tiers = []
            for i in range(1, TIER_ROWS + 1):
                low, points = data.get(f"tier_{i}_low"), data.get(f"tier_{i}_points")
                if (low is None) != (points is None):
                    self.add_error(
                        f"tier_{i}_points" if points is None else f"tier_{i}_low", _("下限和得分须同时填写。")
                    )
                elif low is not None:
                    tiers.append([_number(low), _number(points)])
            if not tiers:
                self.add_error("tier_1_low", _("分档计分至少要设一档。"))
            params["tiers"] = sorted(tiers, reverse=True)
        if method and method != Method.MANUAL and not data.get("metric"):
            self.add_error("metric", _("请选择数据来源。"))
        data["params"] = params
        return data


def _number(value):
    """A parameter as stored in JSON: whole numbers as int, others as float."""
    return int(value) if value == value.to_integral() else float(value)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class OverrideForm(ReasonForm):
    points = forms.DecimalField(label=_("调整后得分"), min_value=0)
    field_order = ["points", "reason"]


class CorrectionForm(ReasonForm):
    metric = forms.ChoiceField(label=_("更正项目"))
    value = forms.DecimalField(label=_("更正后数值"), min_value=0)
    field_order = ["metric", "value", "reason"]

    def __init__(self, *args, level="village", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(c, METRICS[c].label) for c in reported_codes(level)]


class RunForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("monthly", _("月度评分")), ("quarterly", _("季度通报")), ("annual", _("年度评定"))]
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    period = forms.IntegerField(label=_("月份或季度（年度评定填 0）"), min_value=0, max_value=12, initial=0)
    allow_missing = forms.BooleanField(label=_("有村缺报或待审核时仍然计算（这些村不计分、不排名）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)
