from django import forms
from django.utils.translation import gettext_lazy as _

from townships.forms import BootstrapModelForm, bootstrapify

from .choices import Method
from .metrics import METRICS, REPORTED_CODES
from .models import Indicator


class ReportForm(forms.Form):
    """One field per reported metric."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in REPORTED_CODES:
            metric = METRICS[code]
            self.fields[code] = forms.DecimalField(
                label=f"{metric.label}（{metric.unit}）" if metric.unit else metric.label, min_value=0, required=False
            )
        # The report's version this form was filled from (optimistic locking, see report_save).
        self.fields["version"] = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
        bootstrapify(self)


class IndicatorForm(BootstrapModelForm):
    params = forms.JSONField(label=_("参数（JSON）"), required=False, initial=dict)

    class Meta:
        model = Indicator
        fields = [*Indicator.EDITABLE_FIELDS, "position"]

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = scheme.indicators.filter(method="")
        self.fields["method"].choices = [("", _("（分类，不计分）")), *Method.choices]
        self.fields["metric"] = forms.ChoiceField(
            label=_("数据指标"),
            required=False,
            choices=[("", "—"), *[(c, f"{m.label}（{c}）") for c, m in METRICS.items()]],
        )
        bootstrapify(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.TextInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class OverrideForm(ReasonForm):
    points = forms.DecimalField(label=_("调整后得分"), min_value=0)
    field_order = ["points", "reason"]


class CorrectionForm(ReasonForm):
    metric = forms.ChoiceField(label=_("更正项目"), choices=[(c, METRICS[c].label) for c in REPORTED_CODES])
    value = forms.DecimalField(label=_("更正后数值"), min_value=0)
    field_order = ["metric", "value", "reason"]


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
