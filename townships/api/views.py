from rest_framework import viewsets

from townships.filtersets import TownshipFilterSet
from townships.models import Township
from townships.scoping import scope_for

from .serializers import TownshipSerializer


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, narrowed by the one scoping mechanism: out of scope is 404, like missing."""

    base_queryset = None

    def get_queryset(self):
        return scope_for(self.request.user, self.base_queryset.all())


class TownshipViewSet(ScopedReadOnlyViewSet):
    """乡镇（街道）：按用户范围可见。"""

    base_queryset = Township.objects.select_related("county")
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilterSet
    ordering_fields = ["name", "sort_key", "village_count", "population", "households"]
    ordering = ["sort_key", "name"]
