from django.urls import path

from . import views

urlpatterns = [
    path("schemes/", views.scheme_list, name="scheme-list"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<int:pk>/export.xlsx", views.scheme_export, name="scheme-export"),
    path("schemes/<int:pk>/indicators/new/", views.indicator_edit, name="indicator-create"),
    path("schemes/<int:pk>/indicators/<int:indicator_pk>/", views.indicator_edit, name="indicator-edit"),
    path("schemes/<int:pk>/import/", views.scheme_import, name="scheme-import"),
    path("schemes/<int:pk>/<str:action>/", views.scheme_action, name="scheme-action"),
    path("reports/", views.report_overview, name="report-overview"),
    path("reports/review/", views.report_list, name="report-list"),
    path("reports/review/export.xlsx", views.report_export, name="report-export"),
    path("reports/review/approve/", views.report_bulk_approve, name="report-bulk-approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("reports/template.xlsx", views.report_template, name="report-template"),
    path("reports/import/", views.report_import, name="report-import"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:village_pk>/<int:year>/<int:month>/", views.report_form, name="report-form"),
    path("runs/", views.run_list, name="run-list"),
    path("scores/", views.score_list, name="score-list"),
    path("scores/export.xlsx", views.score_export, name="score-export"),
    path("scores/<int:pk>/", views.score_detail, name="score-detail"),
    path("scores/<int:pk>/export.xlsx", views.score_export_one, name="score-export-one"),
    path("secretaries/<int:person_pk>/", views.secretary_detail, name="secretary-detail"),
    path("ratings/", views.rating_list, name="rating-list"),
    path("ratings/export.xlsx", views.rating_export, name="rating-export"),
    path("ratings/sign/<int:year>/", views.rating_sign, name="rating-sign"),
    path("removal/", views.removal_list, name="removal-list"),
    path("bulletins/<int:year>/<int:quarter>/", views.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:year>/<int:quarter>/export.xlsx", views.bulletin_export, name="bulletin-export"),
]
