from django.urls import path

from portal.imports.urls import import_urls
from training import views
from training.importing import ATTENDANCE
from training.records import RECORD_TYPES

urlpatterns = [
    path("office/", views.office, name="training_office"),
    path("office/plan-figures/", views.plan_figures, name="training_plan_figures"),
    path("office/meetings/<int:pk>/minutes/", views.meeting_minutes, name="training_meeting_minutes"),
    path("training/sessions/<int:pk>/", views.session_detail, name="training_session_detail"),
    path("training/attendance/", views.attendance_list, name="training_attendance"),
    path("training/attendance/<int:pk>/delete/", views.attendance_remove, name="training_attendance_delete"),
    *import_urls(ATTENDANCE, "training/attendance/import/"),
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
