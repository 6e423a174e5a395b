import django_filters
from django.utils.translation import gettext_lazy as _

from townships.filtersets import IntegerFilter, ScopedChoiceFilter, scoped_townships
from townships.scoping import scope_for

from .choices import OrganizationKind, ShowcaseType, VillageKind
from .models import Matter, PartyOrganization, Village


def scoped_villages(request):
    """Village choices of a filter: what the user may see, in the townships' own order."""
    if request is None:
        return Village.objects.none()
    return scope_for(request.user, Village.objects.select_related("township"))


def village_label(village):
    """``城关镇 / 李家村``: unambiguous across a county, and typing the township narrows to it."""
    return f"{village.township.name} / {village.name}"


def scoped_organizations(request):
    """Organization choices of a filter: what the user may see, each with what it needs to be named."""
    if request is None:
        return PartyOrganization.objects.none()
    return scope_for(request.user, PartyOrganization.objects.select_related("township", "parent"))


def organization_label(organization):
    """``城关镇 / 李家村党支部``, and a 党小组 under its branch: ``城关镇 / 李家村党支部 / 第一党小组``
    (group names repeat from branch to branch)."""
    parts = [organization.township.name]
    if organization.kind == OrganizationKind.GROUP and organization.parent is not None:
        parts.append(organization.parent.name)
    return " / ".join([*parts, organization.name])


def village_filter(field_name="village"):
    """``?village=<id>``: a searchable select of village names on the page, the id in the API."""
    return ScopedChoiceFilter(
        field_name=field_name, queryset=scoped_villages, label_of=village_label, label=_("村（社区）")
    )


def organization_filter(field_name="organization", label=None):
    """``?organization=<id>``: a searchable select of organization names on the page, the id in the API."""
    return ScopedChoiceFilter(
        field_name=field_name,
        queryset=scoped_organizations,
        label_of=organization_label,
        label=label or _("党组织"),
    )


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
    village = village_filter()
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))
    parent = organization_filter("parent", label=_("上级组织"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = PartyOrganization
        fields = ["q", "township", "village", "kind", "parent", "is_active"]


class MatterFilterSet(django_filters.FilterSet):
    """Shared by the 四议两公开 page and /api/v1/matters/."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("事项包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    village = village_filter()

    class Meta:
        model = Matter
        fields = ["q", "township", "village"]
