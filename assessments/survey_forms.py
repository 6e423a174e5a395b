"""The satisfaction survey's forms: who was rated and how (``SurveyForm``), and the count grid — one
row per rater group the county uses, one column per option (``CountsForm``)."""

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from cadres.models import Person
from townships.choices import Role
from townships.forms import bootstrapify
from townships.models import Township
from townships.scoping import scope_for
from villages.models import PartyOrganization

from .choices import SURVEY_TARGETS, SurveyMethod, SurveyPurpose, TallyTarget
from .county_settings import SATISFACTION_OPTIONS, rater_groups

COUNT_FIELDS = (("issued", _("发出")), ("returned", _("收回")), ("invalid", _("无效")))


class SurveyForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("测评对象类型"), choices=[c for c in TallyTarget.choices if c[0] in SURVEY_TARGETS]
    )
    organization = forms.ModelChoiceField(
        label=_("村党组织"), queryset=PartyOrganization.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("村党组织书记"), queryset=Person.objects.none(), required=False, help_text=_("测评对象为书记时填写")
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, help_text=_("测评对象为乡镇时填写")
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    held_on = forms.DateField(label=_("测评日期"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.ChoiceField(label=_("测评用途"), choices=SurveyPurpose.choices)
    method = forms.ChoiceField(label=_("测评方式"), choices=SurveyMethod.choices)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope_for(
            user, PartyOrganization.objects.filter(village__isnull=False).select_related("township")
        ).order_by("township__sort_key", "name")
        self.fields["organization"].label_from_instance = lambda o: f"{o.township.name} · {o.name}"
        self.fields["person"].queryset = (
            scope_for(user, Person.objects.filter(tenures__post=PostKind.VILLAGE_SECRETARY))
            .select_related("township")
            .distinct()
            .order_by("township__sort_key", "name", "pk")
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.township.name} · {p.name}"
        self.fields["township"].queryset = scope_for(user, Township.objects.filter(is_active=True))
        if not (user.is_superuser or user.is_county_admin):
            self.fields["target_kind"].choices = [
                c for c in self.fields["target_kind"].choices if c[0] != TallyTarget.TOWNSHIP
            ]
            del self.fields["township"]
        if user.role == Role.VILLAGE_STAFF:  # a village records its own organization's surveys
            self.fields["target_kind"].choices = [(TallyTarget.ORGANIZATION, TallyTarget.ORGANIZATION.label)]
            del self.fields["person"]
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        kind = data.get("target_kind")
        if kind in (TallyTarget.ORGANIZATION, TallyTarget.SECRETARY) and not data.get("organization"):
            self.add_error("organization", _gettext("请选择被测评的村党组织。"))
        if kind == TallyTarget.SECRETARY and not data.get("person"):
            self.add_error("person", _gettext("请选择被测评的村党组织书记。"))
        if kind == TallyTarget.TOWNSHIP and not data.get("township"):
            self.add_error("township", _gettext("请选择被测评的乡镇。"))
        return data


class CountsForm(forms.Form):
    """The count grid: ``<group>__issued``, ``<group>__returned``, ``<group>__invalid`` and
    ``<group>__<option>`` for every group the county uses. A group left blank is not counted."""

    def __init__(self, *args, conf, groups=None, options=None, **kwargs):
        """``groups`` [(code, label)] and ``options`` [(code, label)]: the satisfaction survey's by
        default (the 述职 ballots pass theirs)."""
        super().__init__(*args, **kwargs)
        self.groups = groups if groups is not None else rater_groups(conf)
        self.options = options if options is not None else list(SATISFACTION_OPTIONS.items())
        for code, label in self.groups:
            for name, heading in (*COUNT_FIELDS, *self.options):
                self.fields[f"{code}__{name}"] = forms.IntegerField(
                    label=f"{label} · {heading}",
                    min_value=0,
                    max_value=1_000_000,
                    required=False,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
                )

    def rows(self):
        """[(group label, [bound field, …])] for the template's table."""
        names = [name for name, _heading in (*COUNT_FIELDS, *self.options)]
        return [(label, [self[f"{code}__{name}"] for name in names]) for code, label in self.groups]

    def headings(self):
        return [heading for _name, heading in (*COUNT_FIELDS, *self.options)]

    def cleaned_groups(self):
        groups = []
        for code, _label in self.groups:
            values = {name: self.cleaned_data.get(f"{code}__{name}") for name, _h in (*COUNT_FIELDS, *self.options)}
            if all(v is None for v in values.values()):
                continue
            groups.append(
                {
                    "code": code,
                    "issued": values["issued"] or 0,
                    "returned": values["returned"] or 0,
                    "invalid": values["invalid"] or 0,
                    "counts": {option: values[option] or 0 for option, _label in self.options},
                }
            )
        return groups

    @classmethod
    def initial_from(cls, tally):
        initial = {}
        for group in tally.groups.all():
            initial[f"{group.code}__issued"] = group.issued
            initial[f"{group.code}__returned"] = group.returned
            initial[f"{group.code}__invalid"] = group.invalid
            for option, count in group.counts.items():
                initial[f"{group.code}__{option}"] = count
        return initial
