from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from townships.choices import EvidenceKind
from townships.filtersets import searchable_attrs
from townships.forms import BootstrapModelForm, bootstrapify
from townships.models import Township
from townships.scoping import scope_for
from townships.web import BootstrapForm
from villages.choices import OrganizationKind
from villages.models import PartyOrganization, Village

from .choices import (
    ETHNICITIES,
    CorrectionOutcome,
    LeaveReason,
    MeetingKind,
    MemberPostType,
    PoliticalCheck,
    PostKind,
    Rating,
    Stage,
    Transition,
)
from .models import PartyMember, Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label_with_township(obj):
    return f"{obj.township.name} · {obj.name}"


class PersonForm(BootstrapModelForm):
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")

    class Meta:
        model = Person
        fields = [
            "township",
            "village",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "phone",
            "education",
            "occupation",
            "household_address",
        ]
        widgets = {"birth_date": DATE}
        help_texts = {"id_number": _("18 位，末位可为 X；系统会核对出生日期与性别。")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = scope_for(user, Township.objects.filter(is_active=True))
        villages = scope_for(user, Village.objects.filter(is_active=True)).select_related("township")
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = _label_with_township
        if user.is_township_staff:
            self.fields["township"].initial = user.township_id


def _organizations(user):
    field = forms.ModelChoiceField(
        label=_("所在党组织"),
        queryset=scope_for(user, PartyOrganization.objects.filter(is_active=True))
        .exclude(kind=OrganizationKind.COMMITTEE, parent__isnull=True)
        .select_related("township"),
    )
    field.label_from_instance = _label_with_township
    return field


class ApplyForm(BootstrapForm):
    applied_on = forms.DateField(label=_("递交入党申请日期"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"organization": _organizations(user), **self.fields}
        bootstrapify(self)


class RegisterForm(BootstrapForm):
    """登记在册: a member whose earlier steps were taken before the product existed."""

    stage = forms.ChoiceField(label=_("目前阶段"), choices=Stage.choices)
    applied_on = forms.DateField(label=_("申请入党日期"), required=False, widget=DATE)
    activist_on = forms.DateField(label=_("确定积极分子日期"), required=False, widget=DATE)
    candidate_on = forms.DateField(label=_("列为发展对象日期"), required=False, widget=DATE)
    admitted_on = forms.DateField(label=_("入党日期"), required=False, widget=DATE)
    confirmed_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"organization": _organizations(user), **self.fields}
        bootstrapify(self)


def branch_full_members(member):
    """Who may be a member's mentor or sponsor: the full members of the member's branch (its
    groups included; a member recorded in a 党小组 is counted in the group's branch), not the
    whole township. Four levels cover a village committee → general branch → branch → group."""
    organization = member.organization
    branch = (
        organization.parent if organization.kind == OrganizationKind.GROUP and organization.parent_id else organization
    )
    in_branch = Q()
    path = "organization"
    for _level in range(4):
        in_branch |= Q(**{path: branch})
        path += "__parent"
    return (
        PartyMember.objects.filter(in_branch, is_active=True, stage=Stage.FULL)
        .exclude(pk=member.pk)
        .select_related("person", "organization")
        .order_by("person__name", "pk")
    )


class TransitionForm(BootstrapForm):
    """The fields a transition needs, and only those."""

    FIELDS = {
        Transition.TALK: [],
        Transition.REVIEW: ["summary"],
        Transition.ACTIVIST: ["mentors", "notice_from", "notice_to"],
        Transition.CANDIDATE: [
            "sponsors",
            "political_check",
            "training_days",
            "training_hours",
            "notice_from",
            "notice_to",
        ],
        Transition.ADMIT: [
            "entitled",
            "present",
            "in_favour",
            "approved_on",
            "delay_reason",
            "notice_from",
            "notice_to",
        ],
        Transition.CONFIRM: ["entitled", "present", "in_favour", "notice_from", "notice_to"],
        Transition.EXTEND: ["months"],
        Transition.CANCEL: [],
        Transition.LEAVE: ["reason"],
    }
    DATE_LABELS = {
        Transition.TALK: _("谈话日期"),
        Transition.REVIEW: _("考察日期"),
        Transition.ACTIVIST: _("支部委员会确定日期"),
        Transition.CANDIDATE: _("支部委员会确定日期"),
        Transition.ADMIT: _("支部党员大会日期"),
        Transition.CONFIRM: _("支部党员大会日期"),
        Transition.EXTEND: _("支部党员大会日期"),
        Transition.CANCEL: _("决定日期"),
        Transition.LEAVE: _("日期"),
    }

    on_date = forms.DateField(widget=DATE)
    summary = forms.CharField(label=_("考察意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mentors = forms.ModelMultipleChoiceField(
        label=_("培养联系人（正式党员 1–2 名）"), queryset=PartyMember.objects.none()
    )
    sponsors = forms.ModelMultipleChoiceField(
        label=_("入党介绍人（正式党员 2 名）"), queryset=PartyMember.objects.none()
    )
    political_check = forms.ChoiceField(label=_("政审结论"), choices=PoliticalCheck.choices)
    training_days = forms.IntegerField(label=_("集中培训天数"), min_value=0, initial=0)
    training_hours = forms.IntegerField(label=_("集中培训学时"), min_value=0, initial=0)
    entitled = forms.IntegerField(label=_("应到会有表决权党员"), min_value=0)
    present = forms.IntegerField(label=_("实到会有表决权党员"), min_value=0)
    in_favour = forms.IntegerField(label=_("赞成人数"), min_value=0)
    approved_on = forms.DateField(label=_("乡镇党委审批日期"), widget=DATE)
    delay_reason = forms.CharField(label=_("超过 3 个月审批的特殊情况"), required=False)
    notice_from = forms.DateField(label=_("公示开始"), widget=DATE)
    notice_to = forms.DateField(label=_("公示结束"), widget=DATE)
    months = forms.IntegerField(label=_("延长月数（6–12）"), min_value=1, max_value=24)
    reason = forms.ChoiceField(
        label=_("原因"), choices=[c for c in LeaveReason.choices if c[0] != LeaveReason.PROBATION_CANCELLED]
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args, transition, member, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"on_date", "note", *self.FIELDS[transition]}
        self.fields = {name: field for name, field in self.fields.items() if name in keep}
        self.fields["on_date"].label = self.DATE_LABELS[transition]
        for name in ("mentors", "sponsors"):
            if name in self.fields:
                self.fields[name].queryset = branch_full_members(member)
                self.fields[name].label_from_instance = lambda m: f"{m.person.name}（{m.organization.name}）"
                self.fields[name].widget.attrs.update(size=8, **searchable_attrs())
        bootstrapify(self)

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data.pop("on_date")
        return data


class MobileForm(BootstrapForm):
    destination = forms.CharField(label=_("流入地（省市县及单位）"), max_length=100)
    since = forms.DateField(label=_("外出日期"), widget=DATE)
    last_contact_on = forms.DateField(label=_("最近联系日期"), required=False, widget=DATE)


class ContactDateForm(BootstrapForm):
    contacted_on = forms.DateField(label=_("联系日期"), widget=DATE)


class MemberPostForm(BootstrapForm):
    post_type = forms.ChoiceField(label=_("岗位"), choices=MemberPostType.choices)
    duty = forms.CharField(label=_("职责"), required=False, max_length=200)
    started_on = forms.DateField(label=_("设岗日期"), widget=DATE)


class CorrectionCloseForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[c for c in CorrectionOutcome.choices if c[0] != CorrectionOutcome.PENDING]
    )
    outcome_on = forms.DateField(label=_("处理日期"), widget=DATE)


class TenureForm(BootstrapForm):
    post = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none())
    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none(), required=False)
    started_on = forms.DateField(label=_("任职日期"), widget=DATE, help_text=_("在任的第一天（任职之日）。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = scope_for(user, Township.objects.filter(is_active=True))
        self.fields["village"].queryset = scope_for(user, Village.objects.filter(is_active=True)).select_related(
            "township"
        )
        self.fields["village"].label_from_instance = _label_with_township
        if user.is_township_staff:
            self.fields["township"].initial = user.township_id


class TenureEndForm(BootstrapForm):
    # The convention every count of days in office reads (the month's secretary, terms, pay):
    # the tenure covers started_on up to the day before ended_on.
    ended_on = forms.DateField(
        label=_("离任日期"),
        widget=DATE,
        help_text=_(
            "填写免职（离任）之日：当日起不再任职，通常就是接任者的任职日期。"
            "最后在任的一天是它的前一天，例如 3 月 16 日最后在任，应填 3 月 17 日。"
        ),
    )
    reason = forms.CharField(label=_("离任原因"), required=False, max_length=100)


class VillageDateForm(BootstrapForm):
    """包村 and 后备干部: a village and a date."""

    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=Village.objects.none())
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)
    note = forms.CharField(label=_("备注（培养方向）"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = scope_for(user, Village.objects.filter(is_active=True)).select_related(
            "township"
        )
        self.fields["village"].label_from_instance = _label_with_township


class MeetingForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("召开日期"), widget=DATE)
    topic = forms.CharField(label=_("主题"), max_length=200)
    entitled = forms.IntegerField(label=_("应到人数"), min_value=0)
    present = forms.IntegerField(label=_("实到人数"), min_value=0)
    evidence = forms.FileField(label=_("佐证材料（照片或会议记录）"), required=False)
    evidence_kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(
            label=_("党组织"),
            queryset=scope_for(user, PartyOrganization.objects.filter(is_active=True))
            .exclude(kind=OrganizationKind.COMMITTEE, parent__isnull=True)
            .select_related("township"),
        )
        field.label_from_instance = _label_with_township
        self.fields = {"organization": field, **self.fields}
        bootstrapify(self)

    def clean(self):
        data = super().clean()
        if data.get("evidence") and not data.get("evidence_kind"):
            self.add_error("evidence_kind", _("请选择材料类型。"))
        return data


class AppraisalForm(BootstrapForm):
    """One rating select per member of the organization."""

    held_on = forms.DateField(label=_("评议日期"), widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"m{member.pk}"] = forms.ChoiceField(
                label=f"{member.person.name}（{member.get_stage_display()}）",
                choices=Rating.choices,
                initial=Rating.QUALIFIED,
            )
        bootstrapify(self)

    def ratings(self):
        return {m.pk: self.cleaned_data[f"m{m.pk}"] for m in self.members}
