from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments.views import dashboards, village, weak

from .health import healthz

# Every 403 is audited (townships.views.permission_denied).
handler403 = "townships.views.permission_denied"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # A browser page: send a signed-out visitor to the login page rather than a bare 401.
    # The split view serves Swagger UI's start-up script as a file, as the CSP requires.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("villages/weak/", weak.weak_list, name="weak-list"),
    path("villages/", include("villages.urls")),
    path("records/", include("cadres.urls")),
    path("assessment/", include("assessments.urls")),
    # The landing pages combine every app, so they live in the highest one (assessments).
    path("", dashboards.home, name="home"),
    path("village/", village.village_home, name="village-home"),
    path("townships/<int:pk>/", dashboards.township_detail, name="township-detail"),
    path("", include("townships.urls")),
]
