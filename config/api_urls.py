"""/api/v1/: one router over every app's API viewsets, so the API root lists them all."""

from rest_framework.routers import DefaultRouter

from assessments.api.urls import routes as assessment_routes
from cadres.api.urls import routes as cadre_routes
from townships.api.urls import routes as township_routes
from villages.api.urls import routes as village_routes

app_name = "api"

# No format suffixes (/reports/1/submit.json): JSON is the only format, chosen by the
# Accept header; a suffix on a custom action used to reach the action as an unexpected
# keyword argument and answer 500. Now every suffixed path is a plain 404.
router = DefaultRouter()
router.include_format_suffixes = False
for prefix, viewset, basename in [*township_routes, *village_routes, *cadre_routes, *assessment_routes]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
