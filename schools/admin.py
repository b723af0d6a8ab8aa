import json

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
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


@admin.register(PlanYear)
class PlanYearAdmin(admin.ModelAdmin):
    """A plan year is opened (rules, roster, previously subsidised) and its rules edited on the
    MOE's pages, which validate them against the period and recompute the roster: here the year
    is only read, apart from its title and deadline."""

    list_display = ("year", "title", "period_start", "period_end", "submission_deadline")
    fields = ("year", "title", "period_start", "period_end", "survey_year", "submission_deadline", "rules_in_force")
    readonly_fields = ("year", "period_start", "period_end", "survey_year", "rules_in_force")

    def add_view(self, request, form_url="", extra_context=None):
        # Copying a year by hand left keys at the code's defaults; the open page writes them all.
        return HttpResponseRedirect(reverse("plan_year_open"))

    @admin.display(description="生效的完整規則")
    def rules_in_force(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        link = format_html('<a href="{}">在補助規則頁查看與修改</a>', reverse("plan_year_rules", args=[obj.year]))
        try:
            text = json.dumps(engine.RuleSet.from_dict(obj.rules).to_dict(), ensure_ascii=False, indent=1)
        except engine.RuleSetError as exc:
            text = f"規則有誤：{exc}"
        return format_html("{}<pre>{}</pre>", link, text)


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
