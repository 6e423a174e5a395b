from django import forms
from django.utils.translation import gettext_lazy as _

from townships.forms import BootstrapModelForm, bootstrapify
from townships.models import Township
from townships.scoping import scope_for

from .models import PartyOrganization, Village
from .terms import TERM_YEARS, TERM_YEARS_MAX

VILLAGE_STATISTICS = ["natural_villages", "villager_groups", "households", "population", "showcase_type"]


class VillageForm(BootstrapModelForm):
    """The county administrator's form: everything about a village."""

    class Meta:
        model = Village
        fields = ["township", "name", "kind", "division_code", "sort_key", *VILLAGE_STATISTICS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = scope_for(user, Township.objects.filter(is_active=True))


class VillageStatisticsForm(BootstrapModelForm):
    """Township staff keep their villages' statistics; names and townships are the county's."""

    class Meta:
        model = Village
        fields = VILLAGE_STATISTICS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class OrganizationForm(BootstrapModelForm):
    class Meta:
        model = PartyOrganization
        fields = ["township", "name", "kind", "parent", "village", "joint_villages", "term_start", "term_end"]
        widgets = {
            "term_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "joint_villages": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "joint_villages": _("仅联合党支部填写：除所属村外共同组建支部的村（社区）。"),
            "parent": _("党总支、党支部须选上级党委；党小组须选所在支部。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        townships = scope_for(user, Township.objects.filter(is_active=True))
        self.fields["township"].queryset = townships
        self.fields["parent"].queryset = scope_for(
            user, PartyOrganization.objects.filter(is_active=True)
        ).select_related("township")
        villages = scope_for(user, Village.objects.filter(is_active=True)).select_related("township")
        self.fields["village"].queryset = villages
        self.fields["joint_villages"].queryset = villages
        self.fields["parent"].label_from_instance = lambda o: f"{o.township.name} · {o.name}"
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} · {v.name}"
        self.fields["joint_villages"].label_from_instance = lambda v: f"{v.township.name} · {v.name}"
        if user.is_township_staff:
            self.fields["township"].initial = user.township_id


class MatterForm(forms.Form):
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none())
    title = forms.CharField(label=_("事项"), max_length=200)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = scope_for(user, Village.objects.filter(is_active=True)).select_related(
            "township"
        )
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} · {v.name}"
        bootstrapify(self)


class MatterStepForm(forms.Form):
    done_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence = forms.FileField(label=_("佐证材料（会议记录、公开照片）"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        bootstrapify(self)


class OrganizationElectionForm(forms.Form):
    """换届选举: the election day starts the new term; the rules are the service's."""

    elected_on = forms.DateField(
        label=_("选举日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写选举日期。"), "invalid": _("请填写有效的选举日期。")},
    )
    years = forms.IntegerField(
        label=_("新一届任期（年）"),
        initial=TERM_YEARS,
        min_value=1,
        max_value=TERM_YEARS_MAX,
        error_messages={
            "required": _("请填写任期年限。"),
            "invalid": _("任期年限须为 1 至 5 年。"),
            "min_value": _("任期年限须为 1 至 5 年。"),
            "max_value": _("任期年限须为 1 至 5 年。"),
        },
        help_text=_("村党组织每届任期五年。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class VillageLoginForm(forms.Form):
    """The county administrator opens a login for one village (村级账号)."""

    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none())
    username = forms.CharField(label=_("登录账号"), max_length=150)
    name = forms.CharField(label=_("姓名或称呼"), max_length=150, help_text=_("如：李家村党支部书记 张三"))
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = scope_for(user, Village.objects.filter(is_active=True)).select_related(
            "township"
        )
        self.fields["village"].label_from_instance = lambda v: f"{v.township.name} · {v.name}"
        bootstrapify(self)
