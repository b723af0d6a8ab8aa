from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal.models import User


@admin.register(User)
class PortalUserAdmin(SimpleHistoryAdmin, UserAdmin):
    """Users, with their change history (who changed a role, county or school, and when).

    The portal's account pages (accounts/) are where accounts are managed; here an admin can
    still create one or set a password, and then, as there, the user must change it at the
    next login. The security log (portal.security) is not registered: no one edits it."""

    list_display = ("username", "get_full_name", "role", "county", "school", "is_active", "valid_until")
    list_filter = ("role", "county", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "school__code", "school__name")
    autocomplete_fields = ("school",)
    readonly_fields = ("created_by", "password_changed_at", "disabled_at", "last_login", "date_joined")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("角色與所屬單位", {"fields": ("role", "county", "school")}),
        (
            "帳號管理",
            {
                "fields": (
                    "valid_until",
                    "application_ref",
                    "must_change_password",
                    "password_changed_at",
                    "disabled_reason",
                    "disabled_at",
                    "created_by",
                )
            },
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("角色與所屬單位", {"fields": ("role", "county", "school", "valid_until", "application_ref")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.must_change_password = True
        obj.is_staff = obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            # A password an admin typed is someone else's choice: changed at the next login.
            User.objects.filter(pk=id).update(must_change_password=True)
        return response
