"""The admin site, for the admin role only, behind the portal's own login (password, then
the second factor): no second way in. Bulk deletions are logged like single ones."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import actions
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


class PortalAdminSite(admin.AdminSite):
    site_header = "數位學習精進方案 系統管理"
    site_title = "系統管理"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and getattr(user, "role", None) == "admin"
            and (not hasattr(user, "is_verified") or user.is_verified())
        )

    def login(self, request, extra_context=None):
        # The admin site's login form would skip the second factor and the password gate.
        if request.user.is_authenticated:
            raise PermissionDenied("系統管理僅限系統管理者")
        return redirect_to_login(request.GET.get("next") or "/admin/")


def delete_selected(modeladmin, request, queryset):
    """Django's bulk deletion, which writes its admin log entries in one bulk INSERT (no
    signal): the security log gets one entry for the whole deletion."""
    from portal.security import Kind, security_event

    names = [str(obj)[:60] for obj in queryset[:50]]
    count = queryset.count()
    response = actions.delete_selected(modeladmin, request, queryset)
    if response is None and count > 1:
        security_event(
            Kind.ADMIN_CHANGE,
            request=request,
            target=f"{queryset.model._meta.verbose_name} {count} 筆",
            detail="刪除：" + "、".join(names),
        )
    return response


delete_selected.allowed_permissions = ("delete",)
delete_selected.short_description = actions.delete_selected.short_description
