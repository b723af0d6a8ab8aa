import json

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budget import rules as engine
from schools.models import County, PlanYear, RosterRow, School


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order")


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "county", "ownership", "affiliation")
    list_filter = ("county", "ownership")
    search_fields = ("code", "name")


class PlanYearForm(forms.ModelForm):
    class Meta:
        model = PlanYear
        fields = ("year", "title", "period_start", "period_end", "rules")
        help_texts = {
            "rules": "補助規則參數（JSON）。新年度可複製前一年度的參數後修改；未列出的參數採預設值。",
        }


@admin.register(PlanYear)
class PlanYearAdmin(admin.ModelAdmin):
    form = PlanYearForm
    list_display = ("year", "title", "period_start", "period_end")
    readonly_fields = ("rules_in_force",)

    @admin.display(description="生效的完整規則")
    def rules_in_force(self, obj):
        try:
            return json.dumps(engine.RuleSet.from_dict(obj.rules).to_dict(), ensure_ascii=False, indent=1)
        except engine.RuleSetError as exc:
            return f"規則有誤：{exc}"


@admin.register(RosterRow)
class RosterRowAdmin(SimpleHistoryAdmin):
    """Read-only here: rows change through the import and the forms, which apply the rules."""

    list_display = ("school", "name", "level", "area", "classes", "students", "complies")
    list_filter = ("plan_year", "level", "area", "complies", "school__county")
    search_fields = ("school__code", "name")
    list_select_related = ("school",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
