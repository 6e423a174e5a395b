from .views import (
    AppraisalViewSet,
    CommitmentViewSet,
    InspectionViewSet,
    MeetingViewSet,
    PartyMemberViewSet,
    PersonViewSet,
    TenureViewSet,
)

# Registered on the one /api/v1/ router in config/api_urls.py.
routes = [
    ("people", PersonViewSet, "person"),
    ("members", PartyMemberViewSet, "member"),
    ("tenures", TenureViewSet, "tenure"),
    ("meetings", MeetingViewSet, "meeting"),
    ("appraisals", AppraisalViewSet, "appraisal"),
    ("commitments", CommitmentViewSet, "commitment"),
    ("inspections", InspectionViewSet, "inspection"),
]
