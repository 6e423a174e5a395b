from django.db.models import Prefetch

from cadres.filtersets import (
    CommitmentFilterSet,
    InspectionFilterSet,
    MeetingFilterSet,
    PartyMemberFilterSet,
    PersonFilterSet,
    TenureFilterSet,
)
from cadres.models import (
    Appraisal,
    AppraisalRating,
    Commitment,
    Inspection,
    Meeting,
    Milestone,
    PartyMember,
    Person,
    Tenure,
)
from townships.api.views import ScopedReadOnlyViewSet

from .serializers import (
    AppraisalSerializer,
    CommitmentSerializer,
    InspectionSerializer,
    MeetingSerializer,
    PartyMemberSerializer,
    PersonSerializer,
    TenureSerializer,
)


class PersonViewSet(ScopedReadOnlyViewSet):
    """人员：身份证号和电话一律脱敏。"""

    base_queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["name", "birth_date"]
    ordering = ["township", "name", "id"]


class PartyMemberViewSet(ScopedReadOnlyViewSet):
    """党员（含入党申请人、积极分子、发展对象、预备党员）。"""

    base_queryset = PartyMember.objects.select_related("person", "organization")
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilterSet
    ordering_fields = ["admitted_on", "applied_on", "person__name", "person__birth_date"]
    ordering = ["township", "village", "person__name", "id"]


class TenureViewSet(ScopedReadOnlyViewSet):
    """干部任职（乡镇班子与村干部）。"""

    base_queryset = Tenure.objects.select_related("person")
    serializer_class = TenureSerializer
    filterset_class = TenureFilterSet
    ordering_fields = ["started_on", "ended_on", "post"]
    ordering = ["township", "village", "post", "-started_on"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    """组织生活记录（三会一课、主题党日、组织生活会、民主评议）。"""

    base_queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["held_on", "kind"]
    ordering = ["-held_on", "id"]


class AppraisalViewSet(ScopedReadOnlyViewSet):
    """民主评议党员结果。"""

    base_queryset = Appraisal.objects.prefetch_related(
        Prefetch("ratings", queryset=AppraisalRating.objects.order_by("member_id"))
    )
    serializer_class = AppraisalSerializer
    filterset_fields = ["year", "organization", "township"]
    ordering_fields = ["year", "held_on"]
    ordering = ["-year", "organization"]


class CommitmentViewSet(ScopedReadOnlyViewSet):
    """承诺实事（定·查·评），含节点。"""

    base_queryset = Commitment.objects.select_related("responsible").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk"))
    )
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    ordering_fields = ["year", "title", "approved_at", "graded_at"]
    ordering = ["-year", "township", "village", "id"]


class InspectionViewSet(ScopedReadOnlyViewSet):
    """督查台账：督查结论、整改要求、期限与销号。"""

    base_queryset = Inspection.objects.select_related("commitment")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    ordering_fields = ["inspected_on", "rectify_by", "closed_on"]
    ordering = ["-inspected_on", "-id"]
