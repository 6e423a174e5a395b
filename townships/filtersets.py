import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, TownshipKind
from .models import AuditEvent, Township, User
from .scoping import scope_for


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


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


def county_users(request):
    """Actor choices: the accounts of the requesting user's county, by name."""
    if request is None or not request.user.is_authenticated:
        return User.objects.none()
    users = User.objects.order_by("first_name", "username")
    return users if request.user.is_superuser else users.filter(county_id=request.user.county_id)


def scoped_townships(request):
    """Township choices of a filter, limited to the requesting user's scope."""
    if request is None:
        return Township.objects.none()
    return scope_for(request.user, Township.objects.all())


class UserChoiceField(django_filters.fields.ModelChoiceField):
    """Users named as people see them: by name, never by account name."""

    def label_from_instance(self, obj):
        return obj.display_name


class ActorChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class AuditFilterSet(django_filters.FilterSet):
    """The county's audit log (/audit/): who did what to which record, when."""

    actor = ActorChoiceFilter(queryset=county_users, label=_("操作人"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("动作"))
    township = django_filters.ModelChoiceFilter(queryset=scoped_townships, label=_("乡镇"))
    q = django_filters.CharFilter(method="filter_q", label=_("对象包含"))
    since = django_filters.DateFilter(field_name="created_at__date", lookup_expr="gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="created_at__date", lookup_expr="lte", label=_("截止日期"))
    # The reveals of one person's data, linked from the person's page (a hidden parameter).
    person = IntegerFilter(method="filter_person", widget=forms.HiddenInput, label=_("人员"))

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "township", "q", "since", "until", "person"]
        form = AuditFilterForm

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(target_repr__icontains=value) | Q(actor_name__icontains=value))

    def filter_person(self, queryset, name, value):
        """Events on the person's record, and the full-roster reveals that could include them:
        those without one target, county-wide or of the person's township (the queryset is
        already the user's county). The person model is above this app: reached by its relation."""
        township_id = Township.objects.filter(people__pk=value).values_list("pk", flat=True).first()
        return queryset.filter(
            Q(target_type="cadres.person", target_id=str(value))
            | Q(action=AuditAction.REVEAL, target_type="", township__isnull=True)
            | Q(action=AuditAction.REVEAL, target_type="", township_id=township_id)
        )


def searchable_attrs():
    """Widget attributes that ``static/js/searchable-select.js`` enhances with a search box."""
    return {"data-searchable": True, "data-searchable-placeholder": _("输入名称查找")}


class ScopedIdChoiceField(django_filters.fields.ModelChoiceField):
    """A select of names whose submitted value is still the row's id, as API clients send it.

    An id the user may not see (another township's village) is not among the choices, yet it
    answers as the id filter always did: it filters, and the scoped list comes back empty
    (rather than a 400 that would tell an API client the id exists elsewhere). What is not a
    whole number, or is too large for a key, stays a 400. ``label_of`` names a row."""

    def __init__(self, *args, label_of=str, **kwargs):
        self.label_of = label_of
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.label_of(obj)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return super().to_python(value)
        except ValidationError:
            pk = forms.IntegerField(min_value=0, max_value=2**63 - 1).clean(value)
            return self.queryset.model(pk=pk)  # never saved: only its id is used, to filter


class ScopedChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter on a related row, offered as a searchable select of the names the user may see
    (``queryset`` is a function of the request), accepting the row's id as its value."""

    field_class = ScopedIdChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(attrs=searchable_attrs()))
        super().__init__(*args, **kwargs)
