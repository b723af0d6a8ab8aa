from django.urls import path

from schools import views

urlpatterns = [
    path("roster/", views.roster_list, name="roster_list"),
    path("roster/export.xlsx", views.roster_export, name="roster_export"),
    path("roster/import/", views.roster_import, name="roster_import"),
    path("roster/import/<int:upload_id>/", views.roster_import_preview, name="roster_import_preview"),
    path("roster/import/<int:upload_id>/confirm/", views.roster_import_confirm, name="roster_import_confirm"),
    path("roster/import/<int:upload_id>/discard/", views.roster_import_discard, name="roster_import_discard"),
    path("roster/rows/<int:pk>/edit/", views.roster_row_edit, name="roster_row_edit"),
    path("roster/rows/<int:pk>/entitlement/", views.roster_row_entitlement, name="roster_row_entitlement"),
    path("schools/<str:code>/", views.school_detail, name="school_detail"),
]
