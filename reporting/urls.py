from django.urls import path

from portal.imports.urls import import_urls
from reporting import views, views_equity, views_reports
from reporting.importing import USAGE_IMPORT

urlpatterns = [
    path("", views.home, name="home"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/request/", views.export_request, name="export_request"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/cancel/", views.export_cancel, name="export_cancel"),
    path("usage/", views_reports.usage_overview, name="usage_overview"),
    *import_urls(USAGE_IMPORT, "usage/import/"),
    path("usage/entry/", views_reports.usage_entry, name="usage_entry"),
    path("usage/template.csv", views_reports.usage_template, name="usage_template"),
    path("usage/export.csv", views_reports.usage_export, name="usage_export"),
    path("usage/missing/", views_reports.usage_missing, name="usage_missing"),
    path("outcomes/", views_reports.outcomes, name="outcomes"),
    path("monthly/", views_reports.monthly_reports, name="monthly_reports"),
    path("monthly/<int:year>/<str:county_code>/<str:month>/", views_reports.monthly_report, name="monthly_report"),
    path(
        "monthly/<int:year>/<str:county_code>/<str:month>/submit/",
        views_reports.monthly_report_submit_view,
        name="monthly_report_submit",
    ),
    path(
        "monthly/<int:year>/<str:county_code>/<str:month>/return/",
        views_reports.monthly_report_return_view,
        name="monthly_report_return",
    ),
    path("completeness/", views_reports.completeness, name="completeness"),
    path("dashboard/", views_reports.dashboard, name="dashboard"),
    path("equity/", views_equity.equity_view, name="equity"),
]
