from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal.models import User


@admin.register(User)
class PortalUserAdmin(SimpleHistoryAdmin, UserAdmin):
    """Users, with their change history (who changed a role, county or school, and when)."""

    list_display = ("username", "get_full_name", "role", "county", "school", "is_active")
    list_filter = ("role", "county", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "school__code", "school__name")
    autocomplete_fields = ("school",)
    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色與所屬單位", {"fields": ("role", "county", "school")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("角色與所屬單位", {"fields": ("role", "county", "school")}),
    )
