import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import TownshipKind
from .models import Township


class TownshipFilterSet(django_filters.FilterSet):
    """Shared by the township list page and /api/v1/townships/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    kind = django_filters.ChoiceFilter(choices=TownshipKind.choices, label=_("类型"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Township
        fields = ["q", "kind", "is_active"]
