"""/api/v1/: one router over every app's API viewsets."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("townships.api.urls")),
    path("", include("villages.api.urls")),
]
