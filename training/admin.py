from django.contrib import admin

from training import models as m


@admin.register(m.TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "county", "plan_year", "held_on")
    list_filter = ("plan_year", "county", "kind")
    search_fields = ("code", "title")


@admin.register(m.Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("session", "school", "teacher_code", "name")
    list_select_related = ("session", "school")
    raw_id_fields = ("session", "school")
    search_fields = ("teacher_code", "school__code", "session__code")


for model in (
    m.OfficeStaff,
    m.WorkingGroup,
    m.OfficeMember,
    m.SchoolVisit,
    m.HelpRequest,
    m.Promotion,
    m.WorkingMeeting,
    m.PublicLesson,
    m.SchoolDesignation,
):
    admin.site.register(model, list_display=("__str__", "plan_year"), list_filter=("plan_year",))
