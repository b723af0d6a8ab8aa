from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budget.models import BudgetLine, CountyPlan, PlanEvent, PlanSubmission


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Plans change through their pages and services (which check the workflow), not here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    can_delete = False
    extra = 0
    readonly_fields = ("number", "requested", "recurrent_ntd", "capital_ntd", "explanation", "approved_ntd")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CountyPlan)
class CountyPlanAdmin(ReadOnlyAdmin):
    list_display = ("county", "plan_year", "status", "updated_at")
    list_filter = ("plan_year", "status")
    inlines = [BudgetLineInline]


@admin.register(PlanSubmission)
class PlanSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("plan", "number", "submitted_by", "submitted_at")


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyAdmin):
    list_display = ("plan", "kind", "actor", "at", "note")
    list_filter = ("kind",)
