"""The 述职 form: whose 述职 of which year, when and where, the written report and (township
secretaries) the county secretary's 点评意见 and a veto. The ballots are the survey's count grid
(``survey_forms.CountsForm``) with the 述职 options and rater groups."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from cadres.models import Person
from townships.forms import bootstrapify
from townships.models import Township
from townships.scoping import scope_for
from villages.models import Village

from .choices import DutyLevel, SurveyMethod
from .county_settings import duty_groups, duty_options
from .survey_forms import CountsForm

VILLAGE_POST_CHOICES = [
    (p, p.label)
    for p in (
        PostKind.VILLAGE_SECRETARY,
        PostKind.COMMITTEE_DIRECTOR,
        PostKind.VILLAGE_DEPUTY_SECRETARY,
        PostKind.VILLAGE_MEMBER,
    )
]


class DutyForm(forms.Form):
    person = forms.ModelChoiceField(label=_("述职人"), queryset=Person.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reported_on = forms.DateField(label=_("述职日期"), widget=forms.DateInput(attrs={"type": "date"}))
    meeting = forms.CharField(label=_("述职会议"), max_length=100, required=False)
    meeting_on = forms.DateField(
        label=_("测评会议日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("测评方式"), choices=SurveyMethod.choices)
    report_file = forms.FileField(label=_("书面述职报告（PDF、Word 或图片）"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, level, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        people = scope_for(user, Person.objects.all()).select_related("township").order_by("township__sort_key", "name")
        if level == DutyLevel.TOWNSHIP:
            self.fields["township"] = forms.ModelChoiceField(
                label=_("乡镇"), queryset=scope_for(user, Township.objects.filter(is_active=True))
            )
            people = people.filter(tenures__post=PostKind.PARTY_SECRETARY, tenures__village__isnull=True)
            self.fields["comment"] = forms.CharField(
                label=_("县委书记点评意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
            )
            self.fields["veto"] = forms.BooleanField(label=_("一票否决"), required=False)
            self.fields["veto_reason"] = forms.CharField(label=_("否决事由"), required=False, max_length=200)
        else:
            self.fields["village"] = forms.ModelChoiceField(
                label=_("村（社区）"),
                queryset=scope_for(user, Village.objects.filter(is_active=True)).select_related("township"),
            )
            self.fields["village"].label_from_instance = lambda v: f"{v.township.name} · {v.name}"
            self.fields["post"] = forms.ChoiceField(label=_("职务"), choices=VILLAGE_POST_CHOICES)
            people = people.filter(tenures__village__isnull=False)
        self.fields["person"].queryset = people.distinct()
        self.fields["person"].label_from_instance = lambda p: f"{p.township.name} · {p.name}"
        self.order_fields(["township", "village", "post", "person", "year"])
        bootstrapify(self)


def duty_counts_form(data, *, conf, level, initial=None):
    return CountsForm(
        data,
        initial=initial or {},
        conf=conf,
        groups=[(code, label) for code, label, _w in duty_groups(conf, level)],
        options=[(o.code, o.label) for o in duty_options(conf, level)],
        prefix="n",
    )
