import django_filters
from django.utils.translation import gettext_lazy as _

from townships.filtersets import IntegerFilter
from villages.filtersets import scoped_townships

from .choices import CorrectionOutcome, Education, Gender, MeetingKind, MemberPostType, PostKind, Stage
from .models import Correction, Meeting, MemberPost, MobileRecord, PartyMember, Person, Tenure


class PersonFilterSet(django_filters.FilterSet):
    """Shared by the people page and /api/v1/people/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))
    education = django_filters.ChoiceFilter(choices=Education.choices, label=_("学历"))

    class Meta:
        model = Person
        fields = ["q", "township", "village", "gender", "education"]


class PartyMemberFilterSet(django_filters.FilterSet):
    """Shared by the roster page and /api/v1/members/."""

    q = django_filters.CharFilter(field_name="person__name", lookup_expr="icontains", label=_("姓名包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))
    organization = IntegerFilter(field_name="organization_id", label=_("党组织编号"))
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
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))
    post = django_filters.ChoiceFilter(choices=PostKind.choices, label=_("职务"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("现任"))

    class Meta:
        model = Tenure
        fields = ["q", "township", "village", "post", "current"]


class MeetingFilterSet(django_filters.FilterSet):
    """Shared by the organizational life page and /api/v1/meetings/."""

    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))
    organization = IntegerFilter(field_name="organization_id", label=_("党组织编号"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("类型"))
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("开始日期"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("结束日期"))

    class Meta:
        model = Meeting
        fields = ["township", "village", "organization", "kind", "held_after", "held_before"]


class MemberPostFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    post_type = django_filters.ChoiceFilter(choices=MemberPostType.choices, label=_("岗位"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("在岗"))

    class Meta:
        model = MemberPost
        fields = ["township", "post_type", "current"]


class MobileRecordFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("仍在外"))
    last_contact_before = django_filters.DateFilter(
        field_name="last_contact_on", lookup_expr="lt", label=_("最近联系早于")
    )

    class Meta:
        model = MobileRecord
        fields = ["township", "current", "last_contact_before"]


class CorrectionFilterSet(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    outcome = django_filters.ChoiceFilter(choices=CorrectionOutcome.choices, label=_("结果"))

    class Meta:
        model = Correction
        fields = ["township", "outcome"]
