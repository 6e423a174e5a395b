from django.db.models import Prefetch

from townships.api.views import ScopedReadOnlyViewSet
from villages.filtersets import MatterFilterSet, PartyOrganizationFilterSet, VillageFilterSet
from villages.models import Matter, MatterStepRecord, PartyOrganization, Village

from .serializers import MatterSerializer, PartyOrganizationSerializer, VillageSerializer


class VillageViewSet(ScopedReadOnlyViewSet):
    """村（社区）：可按乡镇、类型、示范村类型、名称筛选。"""

    base_queryset = Village.objects.select_related("township")
    serializer_class = VillageSerializer
    filterset_class = VillageFilterSet
    ordering_fields = ["name", "sort_key", "population", "households", "township__sort_key"]
    ordering = ["township__sort_key", "township__name", "sort_key", "name"]


class PartyOrganizationViewSet(ScopedReadOnlyViewSet):
    """党组织：党委、党总支、党支部、党小组。"""

    base_queryset = PartyOrganization.objects.select_related("township", "village").prefetch_related(
        Prefetch("joint_villages", queryset=Village.objects.only("pk"))
    )
    serializer_class = PartyOrganizationSerializer
    filterset_class = PartyOrganizationFilterSet
    ordering_fields = ["name", "kind", "term_end", "township__sort_key"]
    ordering = ["township__sort_key", "name"]


class MatterViewSet(ScopedReadOnlyViewSet):
    """“四议两公开”事项及其步骤。"""

    base_queryset = Matter.objects.prefetch_related(
        Prefetch("steps", queryset=MatterStepRecord.objects.order_by("step"))
    )
    serializer_class = MatterSerializer
    filterset_class = MatterFilterSet
    ordering_fields = ["created_at", "title"]
    ordering = ["-created_at", "id"]
