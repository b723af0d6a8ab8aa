from django.contrib import admin

from reporting.models import LearningOutcome, MonthlyReport, MonthlyReportEvent, MonthlySpending, UsageRecord


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ("school", "month", "platform", "hours", "active_students", "active_devices", "updated_at")
    list_filter = ("county", "month", "platform")
    search_fields = ("school__code", "school__name")
    raw_id_fields = ("school", "uploaded_by")
    list_select_related = ("school",)


class SpendingInline(admin.TabularInline):
    model = MonthlySpending
    extra = 0


class EventInline(admin.TabularInline):
    model = MonthlyReportEvent
    extra = 0
    readonly_fields = ("action", "by", "at", "reason")


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ("county", "month", "status", "first_submitted_at", "submitted_at")
    list_filter = ("status", "county", "month")
    inlines = (SpendingInline, EventInline)


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(admin.ModelAdmin):
    list_display = ("county", "subject", "sampled_students", "improved_students")
    list_filter = ("county",)
