import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TownshipKind
from .models import Township


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (an id, a year, a head count) that refuses what no column can hold.

    django-filter's NumberFilter takes any decimal, and ``?village=99999999999999999999``
    then overflows the database's integer: a server error. This one answers 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class TownshipFilterSet(django_filters.FilterSet):
    """Shared by the township list page and /api/v1/townships/."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    kind = django_filters.ChoiceFilter(choices=TownshipKind.choices, label=_("类型"))
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Township
        fields = ["q", "kind", "is_active"]
