from django.urls import path

from portal.imports.urls import import_urls
from schools import views, views_official
from schools.importing import ROSTER_IMPORT

urlpatterns = [
    path("roster/", views.roster_list, name="roster_list"),
    path("roster/export.xlsx", views.roster_export, name="roster_export"),
    *import_urls(ROSTER_IMPORT, "roster/import/"),
    path("roster/rows/<int:pk>/edit/", views.roster_row_edit, name="roster_row_edit"),
    path("roster/rows/<int:pk>/entitlement/", views.roster_row_entitlement, name="roster_row_entitlement"),
    path("roster/findings/", views_official.official_findings, name="official_findings"),
    path("roster/findings/answer/", views_official.official_finding_answer, name="official_finding_answer"),
    path("schools/<str:code>/", views.school_detail, name="school_detail"),
]
