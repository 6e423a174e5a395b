from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

# Django's form views treat PUT as POST; pages here answer only the methods they state.
FORM_METHODS = ["get", "head", "post"]

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(http_method_names=FORM_METHODS), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(http_method_names=FORM_METHODS),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(http_method_names=["get", "head"]),
        name="password_change_done",
    ),
    path("settings/", views.county_settings_view, name="county-settings"),
    path("audit/", views.audit_list_view, name="audit-list"),
    path("messages/", views.message_list, name="message-list"),
    path("audit/export.xlsx", views.audit_export, name="audit-export"),
    path("review/", views.entry_review_list, name="entry-review-list"),
    path("review/<slug:kind>/<int:pk>/", views.entry_review, name="entry-review"),
    path("townships/", views.township_list_view, name="township-list"),
    path("townships/export.xlsx", views.township_export, name="township-export"),
    path("townships/new/", views.township_create_view, name="township-create"),
    path("townships/<int:pk>/edit/", views.township_update_view, name="township-update"),
    path("townships/<int:pk>/active/", views.township_set_active_view, name="township-set-active"),
]
