from django.urls import path

from training import views
from training.records import RECORD_TYPES

urlpatterns = [
    path("office/", views.office, name="training_office"),
    path("office/plan-figures/", views.plan_figures, name="training_plan_figures"),
    path("office/meetings/<int:pk>/minutes/", views.meeting_minutes, name="training_meeting_minutes"),
    path("training/sessions/<int:pk>/", views.session_detail, name="training_session_detail"),
    path("training/attendance/", views.attendance_list, name="training_attendance"),
    path("training/attendance/<int:pk>/delete/", views.attendance_remove, name="training_attendance_delete"),
    path("training/attendance/import/", views.attendance_import, name="training_attendance_import"),
    path("training/attendance/import/template.xlsx", views.attendance_template, name="training_attendance_template"),
    path(
        "training/attendance/import/<int:upload_id>/",
        views.attendance_import_preview,
        name="training_attendance_preview",
    ),
    path(
        "training/attendance/import/<int:upload_id>/confirm/",
        views.attendance_import_confirm,
        name="training_attendance_confirm",
    ),
    path(
        "training/attendance/import/<int:upload_id>/discard/",
        views.attendance_import_discard,
        name="training_attendance_discard",
    ),
    path("training/progress/", views.progress, name="training_progress"),
]

# The office's simple records share four views; each kind gets its own named URLs.
for slug in RECORD_TYPES:
    urlpatterns += [
        path(f"office/{slug}/", views.record_list, {"slug": slug}, name=f"training_{slug}"),
        path(f"office/{slug}/new/", views.record_create, {"slug": slug}, name=f"training_{slug}_create"),
        path(f"office/{slug}/<int:pk>/", views.record_edit, {"slug": slug}, name=f"training_{slug}_edit"),
        path(f"office/{slug}/<int:pk>/delete/", views.record_delete, {"slug": slug}, name=f"training_{slug}_delete"),
    ]
