"""The leaving allowance's forms: the roster's filters, a band table, a disqualification, a stop."""

from django import forms
from django.utils.translation import gettext_lazy as _

from townships.forms import bootstrapify
from townships.models import Township

from .allowance import CLASS_LABELS
from .choices import AllowanceStopKind, DisqualificationKind

DEFAULT_BANDS = "20 525 505 485\n15 505 485 465\n10 485 465 445\n3 465 445 425"
SORTS = ("township", "name", "years", "amount", "first_month")


class RosterFilterForm(forms.Form):
    month = forms.CharField(
        label=_("发放月份"), required=False, widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none(), required=False)
    q = forms.CharField(label=_("姓名"), required=False, max_length=30)
    last_class = forms.ChoiceField(
        label=_("离任职务类别"), required=False, choices=[("", _("全部"))] + list(CLASS_LABELS.items())
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_township_staff:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = Township.objects.filter(county_id=user.county_id).order_by(
                "sort_key", "name"
            )
        self.compact = True
        bootstrapify(self)


class TableForm(forms.Form):
    name = forms.CharField(label=_("标准名称（依据文件）"), max_length=120, required=False)
    effective_from = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空表示长期有效"),
    )
    bands = forms.CharField(
        label=_("档次（每行：满年限 书记 主任 其他，单位元/月）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial=DEFAULT_BANDS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class TableCloseForm(forms.Form):
    table = forms.IntegerField(widget=forms.HiddenInput)
    effective_to = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))


class DisqualifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("情形"), choices=DisqualificationKind.choices)
    occurred_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("事由（处分决定或判决文书）"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="disqualify", **kwargs)
        bootstrapify(self)


class StopForm(forms.Form):
    kind = forms.ChoiceField(label=_("停发原因"), choices=AllowanceStopKind.choices)
    stopped_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="stop", **kwargs)
        bootstrapify(self)
