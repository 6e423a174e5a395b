"""Forms of the 约谈 pages (decision, record, follow-up) and the 整改台账."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import Township
from townships.scoping import scope_for
from townships.web import BootstrapForm

from .choices import TalkDecision, TalkState
from .models import Talk

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TalkDecideForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("决定"), choices=TalkDecision.choices, widget=forms.RadioSelect)
    # Not required here: the service refuses an empty opinion with its own message, so the page and
    # the API say the same thing.
    opinion = forms.CharField(
        label=_("决定意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TalkRecordForm(BootstrapForm):
    held_on = forms.DateField(label=_("约谈日期"), widget=DATE)
    talker = forms.CharField(label=_("谈话人"), max_length=100, help_text=_("姓名及职务"))
    content = forms.CharField(label=_("约谈内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    commitment = forms.CharField(
        label=_("表态与承诺"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_on = forms.DateField(label=_("回访日期"), widget=DATE)


class TalkFollowUpForm(BootstrapForm):
    follow_up_note = forms.CharField(label=_("回访情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.township.name}）"


class TalkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name} · {obj.period} · {obj.get_cause_display()}"


class RectificationForm(BootstrapForm):
    """An item of the 整改台账. The person responsible is chosen among the township's cadres in office
    (a full roster would be thousands of names)."""

    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none())
    problem = forms.CharField(label=_("问题"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)
    responsible = PersonChoiceField(label=_("责任人"), queryset=Person.objects.none())
    talk = TalkChoiceField(label=_("相关约谈（可选）"), queryset=Talk.objects.none(), required=False)

    def __init__(self, *args, user, township=None, **kwargs):
        super().__init__(*args, **kwargs)
        townships = scope_for(user, Township.objects.filter(is_active=True))
        self.fields["township"].queryset = townships
        if township is not None:  # editing, or a township office: the township is fixed
            self.fields["township"].initial = township.pk
            self.fields["township"].disabled = True
            townships = townships.filter(pk=township.pk)
        self.fields["responsible"].queryset = (
            Person.objects.filter(township__in=townships, tenures__ended_on__isnull=True)
            .select_related("township")
            .distinct()
            .order_by("township__sort_key", "name")
        )
        self.fields["talk"].queryset = (
            scope_for(user, Talk.objects.filter(township__in=townships))
            .exclude(state__in=[TalkState.PROPOSED, TalkState.DISMISSED])
            .select_related("person")
            .order_by("-period")
        )


class RectificationCloseForm(BootstrapForm):
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    completion_note = forms.CharField(label=_("完成情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
