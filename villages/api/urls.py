from .views import MatterViewSet, PartyOrganizationViewSet, VillageViewSet

# Registered on the one /api/v1/ router in config/api_urls.py.
routes = [
    ("villages", VillageViewSet, "village"),
    ("organizations", PartyOrganizationViewSet, "organization"),
    ("matters", MatterViewSet, "matter"),
]
