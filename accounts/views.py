"""Logging in (password, then the second factor), passwords and sessions: what each user does
for themselves. The accounts they manage and the security log are in views_manage.py. Thin:
access from portal.access, writes in services."""

from __future__ import annotations

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import (
    CodeForm,
    OwnPasswordChangeForm,
    PortalAuthenticationForm,
    PortalPasswordResetForm,
    ResetSetPasswordForm,
)
from portal import throttle
from portal.middleware import MFA_PENDING, needs_second_factor
from portal.models import SecurityEvent, User
from portal.security import Kind, Outcome, security_event

# Each throttle scope's limit, by setting name: read at each request, so a changed setting counts.
THROTTLE_LIMITS = {"login": "THROTTLE_LOGIN_FAILURES_PER_ADDRESS", "reset": "THROTTLE_RESET_REQUESTS_PER_ADDRESS"}


def _too_many(request: HttpRequest, scope: str, template: str, context: dict) -> HttpResponse | None:
    if request.method == "POST" and throttle.exceeded(scope, request, getattr(settings, THROTTLE_LIMITS[scope])):
        security_event(Kind.THROTTLED, request=request, outcome=Outcome.DENIED, detail=f"{scope}：來源位址嘗試過多")
        context["throttled"] = settings.THROTTLE_WINDOW_MINUTES
        return render(request, template, context, status=429)
    return None


class LoginView(auth_views.LoginView):
    """Django's login, with the per-address throttle in front of it (django-axes locks a
    username from an address; this stops one address guessing across usernames)."""

    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        context = {"form": self.get_form_class()(request), "next": request.POST.get("next", "")}
        refused = _too_many(request, "login", "registration/login.html", context)
        return refused or super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        account = getattr(self.request, "refused_account", None)
        if account is not None:
            security_event(
                Kind.DISABLED_LOGIN,
                request=self.request,
                username=account.username,
                outcome=Outcome.DENIED,
                detail=account.get_disabled_reason_display() or "臨時帳號已到期",
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Ends the session on the server (Django flushes it), then the login page."""


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app (or a recovery code)."""
    if not needs_second_factor(request):
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(f"{reverse('mfa_setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    context = {"form": form, "next": _next_url(request)}
    refused = _too_many(request, "login", "accounts/mfa_verify.html", context)
    if refused:
        return refused
    if request.method == "POST" and form.is_valid():
        device, waiting = services.mfa_verify(request=request, token=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(MFA_PENDING, None)
            return redirect(_next_url(request))
        throttle.hit("login", request)
        if waiting:
            form.add_error("code", f"錯誤次數過多，請等 {waiting} 秒後再試。")
        else:
            form.add_error("code", "驗證碼不正確或已用過，請輸入 App 上目前顯示的 6 位數字。")
    return render(request, "accounts/mfa_verify.html", context)


@never_cache
@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: the QR code (drawn here, on our server), the key to type
    in instead, and a code to confirm; then the recovery codes, shown once.

    A session that has not passed its second factor may enrol only when the account has no
    device yet: a stolen password alone never replaces someone's authenticator."""
    user = request.user
    if not user.is_verified() and user_has_device(user):
        return redirect(f"{reverse('mfa_verify')}?{urlencode({'next': _next_url(request)})}")
    device = services.totp_device_for_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.mfa_confirm_enrolment(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(MFA_PENDING, None)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request), "enrolled": True}
            )
        form.add_error("code", "驗證碼不正確：請確認手機時間正確，並輸入 App 上目前顯示的 6 位數字。")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": _grouped_secret(device),
            "next": _next_url(request),
            "required": user.mfa_required,
            "replacing": user_has_device(user),
        },
    )


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Our own drawing of our own URL: safe to inline; labelled for screen readers.
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="雙因子驗證設定 QR Code" class="qr" ', 1))  # noqa: S308


def _grouped_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("mfa_verify")
    codes = services.mfa_new_recovery_codes(user=request.user, request=request)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("my_account")})


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    events = SecurityEvent.objects.filter(user_pk=user.pk).order_by("-at", "-pk")[:10]
    return render(
        request,
        "accounts/my_account.html",
        {
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "recovery_left": _recovery_left(user),
            "events": events,
        },
    )


def _recovery_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user).count()


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event(Kind.PASSWORD_CHANGE, request=self.request)
        messages.success(self.request, "密碼已變更。")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["forced"] = user.must_change_password or user.password_expired
        context["rules"] = _password_rules()
        return context


def _password_rules() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return [
        *password_validators_help_texts(),
        f"密碼每 {settings.PASSWORD_MAX_AGE_DAYS} 天須變更一次，{settings.PASSWORD_MIN_AGE_DAYS} 天內只能變更一次。",
    ]


class PasswordResetView(auth_views.PasswordResetView):
    """A reset link by e-mail (Django's one-time, expiring token). The page says the same
    whether or not the address belongs to an account."""

    form_class = PortalPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    @property
    def extra_email_context(self):
        return {"timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}

    def post(self, request, *args, **kwargs):
        refused = _too_many(
            request, "reset", "registration/password_reset_form.html", {"form": self.get_form_class()()}
        )
        if refused:
            return refused
        throttle.hit("reset", request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        users = [u.username for u in form.get_users(form.cleaned_data["email"])]
        security_event(
            Kind.PASSWORD_RESET_REQUEST,
            request=self.request,
            username=users[0] if len(users) == 1 else "",
            outcome=Outcome.SUCCESS if users else Outcome.FAILURE,
            target="、".join(users) or "（無相符帳號）",
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event(Kind.PASSWORD_RESET, request=self.request, user=form.user)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = _password_rules()
        return context


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the session ends for idleness; asking does not extend it."""
    remaining = getattr(request, "session_idle_remaining", 0) if request.user.is_authenticated else 0
    return JsonResponse({"remaining": remaining})


@login_required
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """「繼續使用」: the user is here; the idle time starts again."""
    import time

    from portal.middleware import LAST_SEEN

    request.session[LAST_SEEN] = time.time()
    remaining = settings.SESSION_IDLE_MINUTES * 60
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"remaining": remaining})
    back = request.headers.get("Referer", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("home")
