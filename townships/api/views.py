from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter

from townships.filtersets import TownshipFilterSet
from townships.models import Township
from townships.scoping import scope_for

from .schema import DocumentedErrorsSchema
from .serializers import TownshipSerializer


class StableOrderingFilter(OrderingFilter):
    """OrderingFilter that always ends with the primary key.

    Without a unique last key, rows that tie (same population, same sort key)
    may swap between two page requests, so a client walking the pages could
    see one row twice and miss another.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        if any(field.lstrip("-") in ("pk", "id") for field in ordering):
            return ordering
        return [*ordering, "pk"]

    def get_schema_operation_parameters(self, view):
        # Spell out the allowed fields so the docs show a choice instead of a free string.
        fields = [name for name, _label in self.get_valid_fields(view.get_queryset(), view, {"request": None})]
        default = self.get_default_ordering(view) or ["pk"]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"排序字段，可用逗号分隔多个；字段前加“-”为倒序。默认：{','.join(default)}",
                "schema": {"type": "array", "items": {"type": "string", "enum": _both_directions(fields)}},
                "style": "form",
                "explode": False,
            }
        ]


def _both_directions(fields):
    return [value for field in fields for value in (field, f"-{field}")]


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, narrowed by the one scoping mechanism: out of scope is 404, like missing."""

    base_queryset = None
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    schema = DocumentedErrorsSchema()  # every operation documents its 4xx answers too
    # Any path segment reaches the view, so a malformed id (/people/1.5/) is the API's JSON 404
    # like a missing one, not Django's HTML page for an unknown URL.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return scope_for(self.request.user, self.base_queryset.all())


class TownshipViewSet(ScopedReadOnlyViewSet):
    """乡镇（街道）：按用户范围可见。"""

    base_queryset = Township.objects.select_related("county")
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilterSet
    ordering_fields = ["name", "sort_key", "division_code", "village_count", "population", "households"]
    ordering = ["sort_key", "name"]
