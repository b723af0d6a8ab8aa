"""Pages of the portal itself: the answer when something fails."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader

from portal.db import database_problem

logger = logging.getLogger(__name__)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404. The reason our own code gives (「沒有「999」年度的計畫」, in Chinese) is shown;
    Django's own messages (English, naming models) are not."""
    message = exception.args[0] if exception.args and isinstance(exception.args[0], str) else ""
    reason = message if any("\u4e00" <= ch <= "\u9fff" for ch in message) else ""
    return HttpResponse(loader.get_template("404.html").render({"reason": reason}, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that cannot be reached is a 503 with a page that needs no
    database (no user, no session); anything else the plain 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and database_problem(exc):
        logger.error("database unavailable: %s", exc)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


# --- Health and status --------------------------------------------------------------------------


def health_checks() -> dict[str, dict]:
    """Each part the portal needs, with ok and what was seen. No data, nothing private."""
    import shutil
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from portal.backup import backup_status
    from portal.models import Heartbeat

    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    checks["redis"] = _redis_check(settings)
    if checks["database"]["ok"]:
        beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
        age = (timezone.now() - beat).total_seconds() if beat else None
        checks["worker"] = {
            "ok": age is not None and age <= settings.HEARTBEAT_MAX_AGE_SECONDS,
            "heartbeat_age_seconds": round(age) if age is not None else None,
        }
    else:
        checks["worker"] = {"ok": False, "error": "database unavailable"}
    media = settings.MEDIA_ROOT
    media.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(media).free
    checks["disk"] = {"ok": free >= settings.HEALTH_MIN_FREE_BYTES, "free_bytes": free}
    status = backup_status()
    now = timezone.now()

    def age(when):
        return round((now - when).total_seconds()) if when else None

    fresh_install = _installed_within(timedelta(hours=settings.BACKUP_MAX_AGE_HOURS))
    checks["backup"] = {"ok": status.backup_ok or (status.last_backup_at is None and fresh_install),
                        "age_seconds": age(status.last_backup_at)}  # fmt: skip
    checks["verification"] = {
        "ok": status.verify_ok or (status.last_verified_at is None and fresh_install),
        "age_seconds": age(status.last_verified_at),
        "passed": status.last_verified_ok,
    }
    return checks


def _redis_check(settings) -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _installed_within(period) -> bool:
    """A new installation has had no night for its first backup yet."""
    from django.db.migrations.recorder import MigrationRecorder
    from django.db.models import Min
    from django.utils import timezone

    try:
        first = MigrationRecorder.Migration.objects.aggregate(first=Min("applied"))["first"]
    except Exception:
        return False
    return first is not None and timezone.now() - first <= period


def healthz(request: HttpRequest) -> HttpResponse:
    """GET /healthz, no login: 200 when every part is fine, 503 otherwise (docker health checks)."""
    from django.http import JsonResponse

    checks = health_checks()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)


def system_status(request: HttpRequest) -> HttpResponse:
    """「系統狀態」 for admins: backups, their verification and the health of every part."""
    from django.shortcuts import render

    from portal import access
    from portal.backup import archives, backup_status, verification_of

    access.require(request.user.is_authenticated and request.user.is_admin, "只有系統管理者可以查看系統狀態")
    recent = [(archive, archive.stat().st_size, verification_of(archive)) for archive in archives()[:20]]
    return render(
        request,
        "portal/system_status.html",
        {"status": backup_status(), "checks": health_checks(), "recent": recent},
    )
