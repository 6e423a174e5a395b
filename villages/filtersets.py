import django_filters
from django.utils.translation import gettext_lazy as _

from townships.filtersets import IntegerFilter
from townships.models import Township
from townships.scoping import scope_for

from .choices import OrganizationKind, ShowcaseType, VillageKind
from .models import Matter, PartyOrganization, Village


def scoped_townships(request):
    """Township choices limited to the requesting user's scope."""

    if request is None:
        return Township.objects.none()
    return scope_for(request.user, Township.objects.all())


class VillageFilterSet(django_filters.FilterSet):
    """Shared by the village list page and /api/v1/villages/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label=_("类型"))
    showcase_type = django_filters.ChoiceFilter(choices=ShowcaseType.choices, label=_("示范村类型"))
    is_active = django_filters.BooleanFilter(label=_("启用"))
    population_min = IntegerFilter(field_name="population", lookup_expr="gte", label=_("人口不少于"))
    population_max = IntegerFilter(field_name="population", lookup_expr="lte", label=_("人口不多于"))

    class Meta:
        model = Village
        fields = ["q", "township", "kind", "showcase_type", "is_active"]


class PartyOrganizationFilterSet(django_filters.FilterSet):
    """Shared by the organization list page and /api/v1/organizations/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))
    parent = IntegerFilter(field_name="parent_id", label=_("上级组织编号"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = PartyOrganization
        fields = ["q", "township", "village", "kind", "parent", "is_active"]


class MatterFilterSet(django_filters.FilterSet):
    """Shared by the 四议两公开 page and /api/v1/matters/."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("事项包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = IntegerFilter(field_name="village_id", label=_("村（社区）编号"))

    class Meta:
        model = Matter
        fields = ["q", "township", "village"]
