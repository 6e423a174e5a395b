from .views import TownshipViewSet

# Registered on the one /api/v1/ router in config/api_urls.py.
routes = [("townships", TownshipViewSet, "township")]
