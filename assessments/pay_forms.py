"""Forms of the pay pages: a standard, a period to compute, approval, reopening, a deduction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from townships.forms import bootstrapify
from townships.web import BootstrapForm

from .choices import Grade, PayMode, PayRhythm
from .services.pay import AMOUNT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})
BAND_ROWS = 4
HALVES = [(1, _("上半年")), (2, _("下半年")), (0, _("全年"))]


class PayStandardForm(BootstrapForm):
    name = forms.CharField(label=_("标准名称（依据文件）"), max_length=120)
    effective_from = forms.DateField(label=_("起始日期"), widget=DATE)
    effective_to = forms.DateField(label=_("截止日期"), widget=DATE, required=False, help_text=_("留空表示长期有效"))
    one_shoulder_month = forms.DecimalField(label=_("一肩挑月报酬（元）"), min_value=0, max_digits=10, decimal_places=2)
    principal_month = forms.DecimalField(
        label=_("书记或主任（单设）月报酬（元）"), min_value=0, max_digits=10, decimal_places=2
    )
    deputy_month = forms.DecimalField(label=_("副职及委员月报酬（元）"), min_value=0, max_digits=10, decimal_places=2)
    performance_share = forms.DecimalField(
        label=_("绩效报酬占比"),
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        help_text=_("月报酬中按考核结果发放的部分，如 0.3 表示 30%"),
    )
    mode = forms.ChoiceField(label=_("绩效系数依据"), choices=PayMode.choices)
    unrated = forms.DecimalField(
        label=_("未评定系数"), min_value=0, max_value=9.99, decimal_places=2, help_text=_("无考核结果时的系数")
    )
    rhythm = forms.ChoiceField(label=_("结算周期"), choices=PayRhythm.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in Grade:
            self.fields[f"coefficient_{grade.value}"] = forms.DecimalField(
                label=_("“%(g)s”系数") % {"g": grade.label}, min_value=0, max_value=9.99, decimal_places=2
            )
        for row in range(BAND_ROWS):
            self.fields[f"band_low_{row}"] = forms.DecimalField(
                label=_("分档 %(n)s：平均分不低于") % {"n": row + 1}, min_value=0, max_value=1000, required=False
            )
            self.fields[f"band_value_{row}"] = forms.DecimalField(
                label=_("分档 %(n)s：系数") % {"n": row + 1}, min_value=0, max_value=9.99, required=False
            )
        bootstrapify(self)

    @staticmethod
    def initial_from(standard):
        initial = {
            "name": standard.name,
            "effective_from": standard.effective_from,
            "effective_to": standard.effective_to,
            "performance_share": standard.performance_share,
            "mode": standard.mode,
            "unrated": standard.unrated,
            "rhythm": standard.rhythm,
            **{field: getattr(standard, field) for field in AMOUNT_FIELDS},
            **{f"coefficient_{grade}": value for grade, value in (standard.coefficients or {}).items()},
        }
        for row, (low, value) in enumerate((standard.bands or [])[:BAND_ROWS]):
            initial[f"band_low_{row}"], initial[f"band_value_{row}"] = low, value
        return initial

    def values(self):
        """The cleaned form as ``pay_standard_save`` takes it."""
        data = self.cleaned_data
        return {
            **{key: data[key] for key in ("name", "effective_from", "effective_to", "performance_share", "mode")},
            **{key: data[key] for key in ("unrated", "rhythm", *AMOUNT_FIELDS)},
            "coefficients": {grade.value: data[f"coefficient_{grade.value}"] for grade in Grade},
            "bands": [
                [
                    "" if data[f"band_low_{row}"] is None else data[f"band_low_{row}"],
                    "" if data[f"band_value_{row}"] is None else data[f"band_value_{row}"],
                ]
                for row in range(BAND_ROWS)
            ],
        }


class PayComputeForm(BootstrapForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("期间"), choices=HALVES, coerce=int)


class PayApproveForm(BootstrapForm):
    opinion = forms.CharField(label=_("审定意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    confirm = forms.BooleanField(
        label=_("我已核对测算表，确认审定（审定后锁定，财务导出即为正式报表）"),
        error_messages={"required": _("请勾选确认后再审定。")},
    )


class PayReopenForm(BootstrapForm):
    reason = forms.CharField(label=_("重新打开的理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    confirm = forms.BooleanField(
        label=_("确认重新打开（须重新测算并审定）"), error_messages={"required": _("请勾选确认后再重新打开。")}
    )


class PayDeductionForm(BootstrapForm):
    line = forms.ChoiceField(label=_("人员"))
    amount = forms.DecimalField(label=_("扣减金额（元）"), min_value=0.01, max_digits=10, decimal_places=2)
    reason = forms.CharField(label=_("扣减事由"), max_length=200)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "—")] + [
            (line.pk, f"{line.township.name} {'、'.join(line.villages)} {line.person.name}") for line in lines
        ]
        bootstrapify(self)
