from django.urls import path

from . import views

urlpatterns = [
    path("", views.village_list_view, name="village-list"),
    path("export.xlsx", views.village_export, name="village-export"),
    path("logins/", views.village_login_list, name="village-login-list"),
    path("new/", views.village_create_view, name="village-create"),
    path("<int:pk>/", views.village_detail, name="village-detail"),
    path("<int:pk>/edit/", views.village_update_view, name="village-update"),
    path("<int:pk>/active/", views.village_set_active_view, name="village-set-active"),
    path("organizations/", views.organization_list_view, name="organization-list"),
    path("organizations/export.xlsx", views.organization_export, name="organization-export"),
    path("organizations/new/", views.organization_create_view, name="organization-create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_update_view, name="organization-update"),
    path("organizations/<int:pk>/active/", views.organization_set_active_view, name="organization-set-active"),
    path("organizations/<int:pk>/elect/", views.organization_elect_view, name="organization-elect"),
    path("terms/", views.terms_due_view, name="terms-due"),
    path("terms/export.xlsx", views.terms_due_export, name="terms-due-export"),
    path("matters/", views.matter_list, name="matter-list"),
    path("matters/export.xlsx", views.matter_export, name="matter-export"),
    path("matters/new/", views.matter_create_view, name="matter-create"),
    path("matters/<int:pk>/", views.matter_detail, name="matter-detail"),
    path("weak/<int:pk>/", views.weak_detail, name="weak-detail"),
]
