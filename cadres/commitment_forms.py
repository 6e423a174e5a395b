"""The forms of 定·查·评: a commitment with its milestones in one form (a formset of milestone rows,
so a clerk enters a village's commitments quickly), progress, 督查, 整改销号, the grade, a reason."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townships.choices import EvidenceKind
from townships.forms import bootstrapify
from townships.scoping import scope_for
from townships.web import BootstrapForm
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

from .choices import CommitmentGrade, FocusArea, InspectionFinding, TargetKind
from .models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def _evidence_kind_required(form, file_field="evidence", kind_field="evidence_kind"):
    data = form.cleaned_data
    if data.get(file_field) and not data.get(kind_field):
        form.add_error(kind_field, _("请选择材料类型。"))


class CommitmentForm(BootstrapForm):
    organization = forms.ModelChoiceField(label=_("村党组织"), queryset=PartyOrganization.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("承诺事项"), max_length=120)
    focus = forms.ChoiceField(label=_("重点方面"), choices=FocusArea.choices)
    responsible = forms.ModelChoiceField(label=_("责任人（班子成员）"), queryset=Person.objects.none())
    plan = forms.CharField(label=_("实施方案"), widget=forms.Textarea(attrs={"rows": 3}))
    target_kind = forms.ChoiceField(label=_("目标类型"), choices=TargetKind.choices, initial=TargetKind.DONE)
    target_quantity = forms.DecimalField(label=_("目标数量"), required=False, **QUANTITY)
    target_unit = forms.CharField(label=_("计量单位"), max_length=10, required=False, help_text=_("如 公里、户、个"))
    plan_file = forms.FileField(label=_("实施方案附件（可选）"), required=False)
    plan_file_kind = forms.ChoiceField(label=_("附件类型"), choices=[("", "—"), *EvidenceKind.choices], required=False)

    def __init__(self, *args, user, amend=False, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            scope_for(user, PartyOrganization.objects.filter(is_active=True, village__isnull=False))
            .exclude(kind=OrganizationKind.GROUP)
            .select_related("township", "village")
            .order_by("township__sort_key", "village__sort_key", "name")
        )
        self.fields["organization"].label_from_instance = lambda o: f"{o.township.name} · {o.name}"
        # Village cadres on record (a tenure in a village): the service checks the year and the village.
        self.fields["responsible"].queryset = (
            scope_for(user, Person.objects.filter(tenures__village__isnull=False))
            .select_related("village")
            .distinct()
            .order_by("village__name", "name")
        )
        self.fields["responsible"].label_from_instance = lambda p: f"{p.name}（{p.village.name if p.village else ''}）"
        if not creating:
            del self.fields["organization"], self.fields["year"]
        if amend:
            del self.fields["plan_file"], self.fields["plan_file_kind"]
            self.fields["reason"] = forms.CharField(label=_("变更原因"), max_length=300)
        else:
            self.fields["submit"] = forms.BooleanField(label=_("保存后直接报乡镇党委审核"), required=False)
        self.initial.setdefault("year", timezone.localdate().year)
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        _evidence_kind_required(self, "plan_file", "plan_file_kind")
        return data


class MilestoneForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("节点内容"), max_length=120)
    due_on = forms.DateField(label=_("完成时限"), widget=DATE)
    quantity = forms.DecimalField(label=_("应达数量"), required=False, **QUANTITY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, can_delete=True, max_num=20, validate_max=True)


def milestone_rows(formset):
    """The formset's filled, not deleted rows as the services take them."""
    return [
        {k: f.cleaned_data.get(k) for k in ("id", "title", "due_on", "quantity")}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class ProgressForm(BootstrapForm):
    milestone = forms.ModelChoiceField(label=_("对应节点"), queryset=None, required=False)
    on_date = forms.DateField(label=_("日期"), widget=DATE)
    quantity = forms.DecimalField(label=_("累计完成数量"), required=False, **QUANTITY)
    percent = forms.IntegerField(label=_("完成进度（%）"), required=False, min_value=0, max_value=100)
    note = forms.CharField(label=_("进展情况"), max_length=300)
    evidence = forms.FileField(label=_("佐证照片或材料"), required=False)
    evidence_kind = forms.ChoiceField(label=_("材料类型"), choices=[("", "—"), *EvidenceKind.choices], required=False)

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = commitment.milestones.all()
        self.fields["milestone"].label_from_instance = lambda m: f"{m.due_on:%m-%d} {m.title}"
        self.initial.setdefault("on_date", timezone.localdate())
        if commitment.target_kind != TargetKind.QUANTITY:
            del self.fields["quantity"]
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        _evidence_kind_required(self)
        return data


class InspectionForm(BootstrapForm):
    inspected_on = forms.DateField(label=_("督查日期"), widget=DATE)
    finding = forms.ChoiceField(label=_("督查结论"), choices=InspectionFinding.choices)
    note = forms.CharField(label=_("督查情况"), max_length=300, required=False)
    rectification = forms.CharField(label=_("整改要求"), max_length=300, required=False)
    rectify_by = forms.DateField(label=_("整改期限"), widget=DATE, required=False)


class InspectionCloseForm(BootstrapForm):
    closed_on = forms.DateField(label=_("销号日期"), widget=DATE)
    closing_note = forms.CharField(label=_("整改情况"), max_length=300)


class GradeForm(BootstrapForm):
    grade = forms.ChoiceField(label=_("评定等次"), choices=CommitmentGrade.choices)
    note = forms.CharField(label=_("评定说明"), max_length=300)
    evidence = forms.FileField(label=_("佐证材料（可选）"), required=False)
    evidence_kind = forms.ChoiceField(label=_("材料类型"), choices=[("", "—"), *EvidenceKind.choices], required=False)

    def clean(self):
        data = super().clean()
        _evidence_kind_required(self)
        return data


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("原因"), max_length=300)
