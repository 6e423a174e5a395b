from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townships.choices import EntryStatus
from townships.county_settings import settings_for
from townships.dates import add_months
from townships.filtersets import IntegerFilter
from townships.models import Township
from villages.filtersets import organization_filter, scoped_townships, village_filter

from .choices import (
    CommitmentGrade,
    CommitmentStatus,
    CorrectionOutcome,
    Education,
    FocusArea,
    Gender,
    InspectionFinding,
    InspectionLevel,
    MeetingKind,
    MemberPostType,
    PostKind,
    Stage,
)
from .models import Commitment, Correction, Inspection, Meeting, MemberPost, MobileRecord, PartyMember, Person, Tenure
from .selectors.commitments import commitments_due


class PersonFilterSet(django_filters.FilterSet):
    """Shared by the people page and /api/v1/people/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("学历"))

    class Meta:
        model = Person
        fields = ["q", "township", "village", "gender", "education"]


class PartyMemberFilterSet(django_filters.FilterSet):
    """Shared by the roster page and /api/v1/members/."""

    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("姓名包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    organization = organization_filter()
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("发展阶段"))
    is_active = django_filters.BooleanFilter(label=_("在册"))
    mobile = django_filters.BooleanFilter(method="filter_mobile", label=_("流动党员"))
    born_after = django_filters.DateFilter(field_name="person__birth_date", lookup_expr="gte", label=_("出生不早于"))
    born_before = django_filters.DateFilter(field_name="person__birth_date", lookup_expr="lte", label=_("出生不晚于"))

    class Meta:
        model = PartyMember
        fields = ["q", "township", "village", "organization", "stage", "is_active", "mobile"]

    def filter_mobile(self, queryset, name, value):
        ids = MobileRecord.objects.filter(ended_on__isnull=True).values("member_id")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class TenureFilterSet(django_filters.FilterSet):
    """Shared by the cadres page and /api/v1/tenures/."""

    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("姓名包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    post = django_filters.ChoiceFilter(choices=PostKind.choices, label=_("职务"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("现任"))

    class Meta:
        model = Tenure
        fields = ["q", "township", "village", "post", "current"]


class MeetingFilterSet(django_filters.FilterSet):
    """Shared by the organizational life page and /api/v1/meetings/."""

    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    organization = organization_filter()
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("类型"))
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("开始日期"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("结束日期"))
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("审核状态"))

    class Meta:
        model = Meeting
        fields = ["township", "village", "organization", "kind", "held_after", "held_before", "status"]


class MemberPostFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    post_type = django_filters.ChoiceFilter(choices=MemberPostType.choices, label=_("岗位"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("在岗"))

    class Meta:
        model = MemberPost
        fields = ["township", "post_type", "current"]


@dataclass(frozen=True)
class LostContact:
    """失联: a member still away whose last contact is more than ``months`` months before
    ``today`` (before ``cutoff``), or who was never contacted. The same rule as the
    lost-contact alert (``selectors.alerts``) and the assessments' count."""

    months: int
    today: object
    cutoff: object

    def q(self):
        return Q(ended_on__isnull=True) & (Q(last_contact_on__lt=self.cutoff) | Q(last_contact_on__isnull=True))

    def applies(self, record):
        return record.ended_on is None and (record.last_contact_on is None or record.last_contact_on < self.cutoff)


def lost_contact_rule(user, today=None):
    """The user's county threshold (``alert.lost_contact_months``): one query for the settings
    (and one more for a superuser without a county, as the other county-setting pages do)."""
    today = today or timezone.localdate()
    county_id = user.county_id or Township.objects.values_list("county_id", flat=True).first()
    months = settings_for(county_id)["alert.lost_contact_months"]
    return LostContact(months=months, today=today, cutoff=add_months(today, -months))


def whole_months(since, today):
    """Whole months from ``since`` to ``today``: 2026-05-10 → 2026-11-09 is 5, → 2026-11-10 is 6."""
    return (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)


class MobileRecordFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("仍在外"))
    lost_contact = django_filters.BooleanFilter(method="filter_lost_contact", label=_("失联"))
    last_contact_before = django_filters.DateFilter(
        field_name="last_contact_on", lookup_expr="lt", label=_("最近联系早于")
    )

    class Meta:
        model = MobileRecord
        fields = ["township", "current", "lost_contact", "last_contact_before"]

    def filter_lost_contact(self, queryset, name, value):
        lost = lost_contact_rule(self.request.user).q()
        return queryset.filter(lost) if value else queryset.exclude(lost)


class CorrectionFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    outcome = django_filters.ChoiceFilter(choices=CorrectionOutcome.choices, label=_("结果"))

    class Meta:
        model = Correction
        fields = ["township", "outcome"]


class CommitmentFilterSet(django_filters.FilterSet):
    """Shared by the commitments page and /api/v1/commitments/."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("事项包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    year = IntegerFilter(label=_("年度"))
    focus = django_filters.ChoiceFilter(choices=FocusArea.choices, label=_("重点方面"))
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, label=_("状态"))
    grade = django_filters.ChoiceFilter(choices=CommitmentGrade.choices, label=_("评定等次"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("有逾期节点或整改"))

    class Meta:
        model = Commitment
        fields = ["q", "township", "village", "year", "focus", "status", "grade", "overdue"]

    def filter_overdue(self, queryset, name, value):
        """The same reading as the to-do's (``commitments_due``) on the townships of the rows in scope."""
        townships = Township.objects.filter(pk__in=queryset.values("township_id"))
        ids = {item.commitment_id for item in commitments_due(townships=townships, today=timezone.localdate())}
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class InspectionFilterSet(django_filters.FilterSet):
    """Shared by the 督查台账 page and /api/v1/inspections/."""

    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()
    year = IntegerFilter(field_name="commitment__year", label=_("年度"))
    level = django_filters.ChoiceFilter(choices=InspectionLevel.choices, label=_("督查层级"))
    finding = django_filters.ChoiceFilter(choices=InspectionFinding.choices, label=_("督查结论"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("整改未销号"))
    inspected_after = django_filters.DateFilter(field_name="inspected_on", lookup_expr="gte", label=_("督查不早于"))
    inspected_before = django_filters.DateFilter(field_name="inspected_on", lookup_expr="lte", label=_("督查不晚于"))

    class Meta:
        model = Inspection
        fields = ["township", "village", "year", "level", "finding", "open", "inspected_after", "inspected_before"]

    def filter_open(self, queryset, name, value):
        open_ = Q(closed_on__isnull=True) & ~Q(finding=InspectionFinding.ON_TRACK)
        return queryset.filter(open_) if value else queryset.exclude(open_)
