"""Terms of office (任期) and 换届: the calendar rules and the list page's filters.

A village Party organization serves a five-year term (村党组织每届任期五年). The date
arithmetic is ``townships.dates``, shared with ``cadres`` (probation periods).
"""

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import OrganizationKind
from .filtersets import scoped_townships
from .models import PartyOrganization

# How far ahead 换届 is announced: organizations whose term ends within half a year.
TERM_DUE_MONTHS = 6
# The usual term (五年) and the longest one a recorded election may set.
TERM_YEARS = 5
TERM_YEARS_MAX = 5


class TermState(models.TextChoices):
    """Where an organization's term stands against today."""

    OVERDUE = "overdue", _("已届满")
    DUE = "due", _("半年内届满")


class TermsDueFilterSet(django_filters.FilterSet):
    """The filters of the 换届提醒 list (/villages/terms/); ``state`` reads the selector's annotation."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    state = django_filters.ChoiceFilter(field_name="term_state", choices=TermState.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))

    class Meta:
        model = PartyOrganization
        fields = ["q", "township", "state", "kind"]
