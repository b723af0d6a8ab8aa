"""What every request passes after authentication (issue 12, 資通系統防護基準):

- `IdleSessionMiddleware`: a session with no activity for SESSION_IDLE_MINUTES ends (on the
  server: the session is flushed). The last activity is written at most once a minute, so
  that a busy user does not cost a session write a request; polling (an htmx GET, the
  session-status check) is not activity.
- `AccountGateMiddleware`: a session that has not passed its second factor may open only the
  code and enrolment pages; then one whose password was set by someone else or has expired
  may open only the password-change page. Everything else redirects there.
- `PermissionsPolicyMiddleware`: the Permissions-Policy header (no camera, microphone,
  location ... for any page).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from portal.security import Kind, security_event

# Pages a session may open before its second factor, and before a forced password change.
OPEN_BEFORE_MFA = {
    "login",
    "logout",
    "mfa_verify",
    "mfa_setup",
    "session_status",
    "session_keepalive",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
OPEN_BEFORE_PASSWORD_CHANGE = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "session_status",
    "session_keepalive",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Requests that do not count as the user's activity.
PASSIVE = {"session_status"}
LAST_SEEN = "last_seen"
MFA_PENDING = "mfa_pending"  # set at login for a user who enrolled without having to
WRITE_EVERY_SECONDS = 60


def _url_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")


def _is_background(request) -> bool:
    return request.headers.get("HX-Request") == "true" or request.headers.get("X-Requested-With") == "fetch"


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        now = time.time()
        idle = settings.SESSION_IDLE_MINUTES * 60
        last = request.session.get(LAST_SEEN)
        if last is not None and now - last > idle:
            security_event(
                Kind.SESSION_TIMEOUT, request=request, detail=f"閒置超過 {settings.SESSION_IDLE_MINUTES} 分鐘"
            )
            request._idle_logout = True
            logout(request)
            # Said on the login page, whether the page's own check or the user found it out.
            messages.info(
                request, f"您已閒置超過 {settings.SESSION_IDLE_MINUTES} 分鐘，為保護帳號已自動登出，請重新登入。"
            )
            if _is_background(request):
                return JsonResponse({"remaining": 0, "login": reverse("login")}, status=401)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        passive = _url_name(request) in PASSIVE or (request.method == "GET" and request.headers.get("HX-Request"))
        if last is None or (not passive and now - last >= WRITE_EVERY_SECONDS):
            request.session[LAST_SEEN] = last = now
        request.session_idle_remaining = int(idle - (now - last))
        request.session_idle_warning = settings.SESSION_IDLE_WARNING_SECONDS
        return None


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        name = _url_name(request)
        if needs_second_factor(request):
            if name in OPEN_BEFORE_MFA:
                request.account_gate = "mfa"  # the page shows no menu: nothing else opens yet
                return None
            return _gate(request, "mfa_verify" if has_device(request) else "mfa_setup")
        if user.must_change_password or user.password_expired:
            if name in OPEN_BEFORE_PASSWORD_CHANGE:
                request.account_gate = "password"
                return None
            if user.must_change_password:
                messages.warning(request, "您的密碼是由他人設定的，請先變更密碼再使用系統。")
            else:
                messages.warning(request, f"您的密碼已超過 {settings.PASSWORD_MAX_AGE_DAYS} 天未變更，請先變更密碼。")
            return _gate(request, "password_change")
        return None


def needs_second_factor(request) -> bool:
    """The session's user must pass a second factor and has not yet."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return user.mfa_required or bool(request.session.get(MFA_PENDING))


def has_device(request) -> bool:
    from django_otp import user_has_device

    return bool(request.session.get(MFA_PENDING)) or user_has_device(request.user)


def _gate(request, name: str):
    target = reverse(name)
    if _is_background(request):
        return HttpResponse(status=403)
    if request.method == "GET" and request.path != target:
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    return redirect(target)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseWaitMiddleware:
    """A request that finds the database away (PostgreSQL restarting: about a second) waits for
    it, a few seconds at most, before anything touches it, instead of answering 503 at once.
    Nothing has run yet, so a write waits as safely as a read. /healthz does not wait: it is
    there to say that the database is away."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            wait_for_database()
        return self.get_response(request)


def wait_for_database() -> bool:
    """True once the connection answers; False after settings.DATABASE_WAIT_SECONDS of tries
    (the request then goes on and meets the error: the 503 page)."""
    for delay in (0.0, *settings.DATABASE_WAIT_SECONDS):
        time.sleep(delay)
        try:
            # The health check Django would run at the first query (CONN_HEALTH_CHECKS), done now.
            connection.close_if_health_check_failed()
            connection.ensure_connection()
            return True
        except (OperationalError, InterfaceError):
            connection.close()
    return False


class ReadRetryMiddleware:
    """A page read (GET/HEAD) whose database connection died under it (PostgreSQL restarted,
    the connection cut) is run again on a new connection, once the database answers, instead of
    answering 503: a read changes nothing, so running it again is safe. Writes are not retried:
    their transaction was rolled back and the page says so (issue 11's drills)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            request.method not in ("GET", "HEAD")
            or not isinstance(exception, (OperationalError, InterfaceError))
            or getattr(request, "_read_retried", False)
            or connection.in_atomic_block
            or getattr(request, "resolver_match", None) is None
        ):
            return None
        request._read_retried = True
        connection.close()
        wait_for_database()
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
