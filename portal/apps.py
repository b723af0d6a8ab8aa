from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created


def _raise_sqlite_parameter_limit(sender, connection, **kwargs):
    """Django assumes SQLite's old limit of 999 bound parameters, which splits bulk writes
    into many statements; the linked SQLite (3.32+) states its real limit, so use it."""
    if connection.vendor != "sqlite":
        return
    import sqlite3

    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = limit


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "入口網站"

    def ready(self) -> None:
        connection_created.connect(_raise_sqlite_parameter_limit, dispatch_uid="sqlite-param-limit")
        from portal import figures, signals  # noqa: F401 - figures listens for committed writes

        signals.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (portal.admin_site): admins only."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin

        from portal.admin_site import delete_selected

        admin.site.add_action(delete_selected, "delete_selected")
