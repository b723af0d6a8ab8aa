"""Logging in (password, then the second factor), passwords, sessions, the account pages
and the security log's review page. Thin: access from portal.access, writes in services."""

from __future__ import annotations

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import exporting, services
from accounts.forms import (
    AccountFilterForm,
    AccountForm,
    CodeForm,
    OwnPasswordChangeForm,
    PortalAuthenticationForm,
    PortalPasswordResetForm,
    ResetSetPasswordForm,
    SecurityLogFilterForm,
)
from portal import access, throttle
from portal.audit import recent
from portal.downloads import attachment_response
from portal.middleware import MFA_PENDING, needs_second_factor
from portal.models import Role, SecurityEvent, User
from portal.search import fold_name, name_q
from portal.security import Kind, Outcome, security_event

PAGE_SIZE = 50


def _too_many(request: HttpRequest, scope: str, limit: int, template: str, context: dict) -> HttpResponse | None:
    if request.method == "POST" and throttle.exceeded(scope, request, limit):
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
        refused = _too_many(
            request,
            "login",
            settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS,
            "registration/login.html",
            {"form": self.get_form_class()(request), "next": request.POST.get("next", "")},
        )
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
    refused = _too_many(
        request, "login", settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS, "accounts/mfa_verify.html", context
    )
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
            request,
            "reset",
            settings.THROTTLE_RESET_REQUESTS_PER_ADDRESS,
            "registration/password_reset_form.html",
            {"form": self.get_form_class()()},
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


# --- Accounts ---------------------------------------------------------------------------


def _accounts(request: HttpRequest, data) -> tuple:
    from django.db.models import Q

    access.require(access.may_review_accounts(request.user), "只有縣市承辦與系統管理者可以管理帳號")
    form = AccountFilterForm(data)
    rows = (
        access.accounts_for_user(request.user)
        .select_related("county", "school", "created_by")
        .annotate(has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    )
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            rows = rows.filter(
                name_q(("username", "first_name", "last_name"), q) | Q(school__code=fold_name(q).upper())
            )
        if form.cleaned_data["role"]:
            rows = rows.filter(role=form.cleaned_data["role"])
        status = form.cleaned_data["status"]
        if status == "active":
            rows = rows.filter(is_active=True)
        elif status == "disabled":
            rows = rows.filter(is_active=False)
        elif status == "temporary":
            rows = rows.filter(valid_until__isnull=False)
        elif status == "no_mfa":
            rows = rows.filter(has_mfa=False)
    return form, rows.order_by("role", "county__code", "school__code", "username")


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """The account review (帳號定期審查): every account in the reader's scope with role, scope,
    last login, status and who created it; exported for the periodic review."""
    form, rows = _accounts(request, request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/account_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_create": bool(access.roles_assignable_by(request.user)),
            "idle_days": settings.ACCOUNT_IDLE_DAYS,
        },
    )


@login_required
def account_export(request: HttpRequest) -> HttpResponse:
    _form, rows = _accounts(request, request.GET)
    from django.utils import timezone

    content = exporting.accounts_workbook(rows)
    return attachment_response(content, f"帳號清查_{timezone.localdate():%Y%m%d}.xlsx")


@never_cache
@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    roles = access.roles_assignable_by(request.user)
    access.require(bool(roles), "只有縣市承辦與系統管理者可以建立帳號")
    form = AccountForm(request.POST or None, actor=request.user, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.account_create(
                actor=request.user,
                request=request,
                username=data["username"],
                role=data["role"],
                first_name=data["first_name"],
                email=data["email"],
                county=data.get("county"),
                school=data.get("school"),
                valid_until=data.get("valid_until"),
                application_ref=data["application_ref"],
            )
        except services.AccountRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return _show_password(request, created, "帳號已建立")
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


def _show_password(request: HttpRequest, created: services.NewPassword, title: str) -> HttpResponse:
    response = render(
        request, "accounts/new_password.html", {"account": created.user, "password": created.password, "title": title}
    )
    response["Cache-Control"] = "no-store"
    return response


def _account(request: HttpRequest, pk: int) -> User:
    """An account in the reader's scope (portal.access), else 404."""
    from django.http import Http404

    access.require(access.may_review_accounts(request.user), "只有縣市承辦與系統管理者可以管理帳號")
    account = (
        access.accounts_for_user(request.user).select_related("county", "school", "created_by").filter(pk=pk).first()
    )
    if account is None:
        raise Http404("找不到帳號，或您沒有權限查看")
    return account


@never_cache
@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    may_manage = access.may_manage_account(request.user, account)
    form = None
    if may_manage:
        initial = {
            "first_name": account.first_name,
            "email": account.email,
            "role": account.role,
            "county": account.county_id,
            "school_code": account.school.code if account.school_id else "",
            "valid_until": account.valid_until,
        }
        form = AccountForm(
            request.POST or None,
            initial=initial,
            actor=request.user,
            roles=access.roles_assignable_by(request.user),
            account=account,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in ("first_name", "email", "valid_until") if name in data}
            if request.user.role == Role.ADMIN:
                changes |= {"role": data["role"], "county": data.get("county"), "school": data.get("school")}
            elif account.role == Role.SCHOOL:
                changes |= {"school": data.get("school")}
            try:
                services.account_update(actor=request.user, request=request, account=account, **changes)
            except services.AccountRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "帳號資料已更新。")
                return redirect("account_detail", pk=account.pk)
    elif request.method == "POST":
        access.require(False, "您不能修改此帳號")
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "form": form,
            "may_manage": may_manage,
            "may_reset_mfa": access.may_reset_second_factor(request.user),
            "has_mfa": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
            "history": recent(account.history.all(), limit=20),
            "events": SecurityEvent.objects.filter(target=account.username).order_by("-at", "-pk")[:20]
            if access.may_review_security_log(request.user)
            else [],
        },
    )


def _managed(request: HttpRequest, pk: int) -> User:
    account = _account(request, pk)
    access.require(access.may_manage_account(request.user, account), "您不能管理此帳號")
    return account


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    account = _managed(request, pk)
    try:
        action(actor=request.user, request=request, account=account)
    except services.AccountRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done.format(username=account.username))
    return redirect("account_detail", pk=account.pk)


@login_required
@require_POST
def account_disable(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.account_disable, "帳號 {username} 已停用，登入中的工作階段也已失效。")


@login_required
@require_POST
def account_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.account_enable, "帳號 {username} 已重新啟用。")


@never_cache
@login_required
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    created = services.account_reset_password(actor=request.user, request=request, account=account)
    return _show_password(request, created, "密碼已重設")


@login_required
@require_POST
def account_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    access.require(access.may_reset_second_factor(request.user), "只有系統管理者可以重設雙因子驗證")
    removed = services.account_reset_second_factor(actor=request.user, request=request, account=account)
    messages.success(request, f"已移除 {account.username} 的 {removed} 個驗證裝置；下次登入時須重新設定。")
    return redirect("account_detail", pk=account.pk)


@login_required
@require_POST
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = _managed(request, pk)
    try:
        services.account_delete(actor=request.user, request=request, account=account)
    except services.AccountRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("account_detail", pk=account.pk)
    messages.success(request, f"帳號 {account.username} 已刪除。")
    return redirect("account_list")


# --- The security log -------------------------------------------------------------------


def _events(request: HttpRequest):
    from datetime import datetime, time

    from django.utils import timezone

    access.require(access.may_review_security_log(request.user), "只有系統管理者可以查閱資安事件紀錄")
    form = SecurityLogFilterForm(request.GET)
    events = SecurityEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["username"]:
            events = events.filter(username__iexact=data["username"].strip())
        if data["address"]:
            events = events.filter(address=data["address"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
        if data["until"]:
            events = events.filter(at__lte=datetime.combine(data["until"], time.max, tzinfo=zone))
    else:
        events = events.none()
    return form, events.order_by("-at", "-pk")


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    form, events = _events(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/security_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
        },
    )


@login_required
def security_log_export(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    _form, events = _events(request)
    content = exporting.security_events_workbook(events)
    return attachment_response(content, f"資安事件紀錄_{timezone.localdate():%Y%m%d}.xlsx")
