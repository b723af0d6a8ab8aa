"""Accounts through the portal, each step a security event with who did it (帳號管理):
created (on an application), changed, disabled, enabled, deleted; passwords set by someone
else; second factors enrolled and reset; idle and expired accounts disabled by a daily task.

Who may do what to whom is `portal.access` (`accounts_for_user`, `may_manage_account`); these
functions are told the actor and trust the view to have asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import DisabledReason, Role, User
from portal.passwords import temporary_password
from portal.roc import roc_date
from portal.security import Kind, Outcome, security_event


class AccountRefused(Exception):
    """An account change that is not allowed, with the reason in Chinese."""


def _scope(role: str, county, school) -> str:
    if role == Role.SCHOOL and school is not None:
        return f"{county.name if county else ''} {school.code} {school.name}".strip()
    if role == Role.COUNTY and county is not None:
        return county.name
    return "全國"


@dataclass
class NewPassword:
    user: User
    password: str


@transaction.atomic
def account_create(
    *,
    actor: User,
    request=None,
    username: str,
    role: str,
    first_name: str = "",
    email: str = "",
    county=None,
    school=None,
    valid_until: date | None = None,
    application_ref: str,
) -> NewPassword:
    """A new account with a random first password, which the user must change at the first
    login (the page shows it once to the one who created the account)."""
    if role == Role.SCHOOL and school is not None:
        county = school.county
    if role in (Role.MOE, Role.ADMIN):
        county = school = None
    if role == Role.COUNTY:
        school = None
    if User.objects.filter(username__iexact=username).exists():
        raise AccountRefused(f"帳號「{username}」已有人使用")
    password = temporary_password()
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        email=email,
        county=county,
        school=school,
        valid_until=valid_until,
        application_ref=application_ref,
        created_by=actor,
        must_change_password=True,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user._change_reason = f"由 {actor.username} 建立（申請依據：{application_ref}）"
    user.save()
    security_event(
        Kind.ACCOUNT_CREATED,
        request=request,
        user=actor,
        target=username,
        detail=(
            f"角色 {user.get_role_display()}，範圍 {_scope(role, county, school)}，申請依據 {application_ref}"
            + (f"，使用期限至 {roc_date(valid_until)}" if valid_until else "")
        ),
    )
    return NewPassword(user, password)


TRACKED = {
    "role": "角色",
    "county": "縣市",
    "school": "學校",
    "valid_until": "使用期限",
    "first_name": "姓名",
    "email": "電子郵件",
}


@transaction.atomic
def account_update(*, actor: User, request=None, account: User, **changes) -> User:
    """Change an account's name, e-mail, end date, role or scope (the form decided which of
    these the actor may touch)."""
    account = User.objects.select_for_update().get(pk=account.pk)
    before = {name: getattr(account, name) for name in TRACKED}
    role = changes.get("role", account.role)
    if account.pk == actor.pk and role != account.role:
        # The last admin could otherwise take the admin site away from everyone.
        raise AccountRefused("不能變更自己的角色，請由另一位系統管理者處理")
    if role == Role.SCHOOL and changes.get("school") is not None:
        changes["county"] = changes["school"].county
    if role in (Role.MOE, Role.ADMIN):
        changes["county"] = changes["school"] = None
    if role == Role.COUNTY:
        changes["school"] = None
    for name, value in changes.items():
        setattr(account, name, value)
    account.is_staff = account.is_superuser = account.role == Role.ADMIN
    changed = [
        f"{label}：{_shown(before[name])} → {_shown(getattr(account, name))}"
        for name, label in TRACKED.items()
        if before[name] != getattr(account, name)
    ]
    if not changed:
        return account
    account._change_reason = f"由 {actor.username} 修改"
    account.save()
    security_event(
        Kind.ACCOUNT_CHANGED, request=request, user=actor, target=account.username, detail="；".join(changed)
    )
    return account


def _shown(value) -> str:
    if value is None or value == "":
        return "（空白）"
    if isinstance(value, date):
        return roc_date(value)
    return str(value)


@transaction.atomic
def account_disable(
    *, actor: User | None, request=None, account: User, reason: str = DisabledReason.MANUAL, note: str = ""
) -> User:
    if actor is not None and account.pk == actor.pk:
        raise AccountRefused("不能停用自己的帳號")
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise AccountRefused("此帳號已停用")
    account.is_active = False
    account.disabled_reason = reason
    account.disabled_at = timezone.now()
    account._change_reason = note or DisabledReason(reason).label
    account.save(update_fields=["is_active", "disabled_reason", "disabled_at"])
    security_event(
        Kind.ACCOUNT_DISABLED,
        request=request,
        user=actor,
        username="system" if actor is None else "",
        target=account.username,
        detail=DisabledReason(reason).label + (f"：{note}" if note else ""),
    )
    return account


@transaction.atomic
def account_enable(*, actor: User, request=None, account: User) -> User:
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active:
        raise AccountRefused("此帳號已是啟用狀態")
    if account.is_expired:
        raise AccountRefused(f"此臨時帳號的使用期限（{roc_date(account.valid_until)}）已過：請先延長使用期限再啟用")
    account.is_active = True
    account.disabled_reason = ""
    account.disabled_at = None
    # An idle account starts its idle period again from today.
    account.reactivated_at = timezone.now()
    account._change_reason = f"由 {actor.username} 重新啟用"
    account.save(update_fields=["is_active", "disabled_reason", "disabled_at", "reactivated_at"])
    security_event(Kind.ACCOUNT_ENABLED, request=request, user=actor, target=account.username)
    return account


@transaction.atomic
def account_reset_password(*, actor: User, request=None, account: User) -> NewPassword:
    """A new random password the user must change at the next login; the lockout of the
    username is lifted."""
    from axes.utils import reset as axes_reset

    account = User.objects.select_for_update().get(pk=account.pk)
    password = temporary_password()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "password_changed_at", "must_change_password"])
    axes_reset(username=account.username)
    security_event(
        Kind.PASSWORD_SET_BY_OTHER,
        request=request,
        user=actor,
        target=account.username,
        detail="管理者重設密碼，須於下次登入時變更",
    )
    return NewPassword(account, password)


@transaction.atomic
def account_reset_second_factor(*, actor: User, request=None, account: User) -> int:
    """A lost authenticator: the account's devices are removed; a role that must use a second
    factor enrols a new one at the next login."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=account)
        removed += devices.count()
        devices.delete()
    security_event(
        Kind.MFA_RESET,
        request=request,
        user=actor,
        target=account.username,
        detail=f"移除 {removed} 個驗證裝置或備用碼",
    )
    return removed


@transaction.atomic
def account_delete(*, actor: User, request=None, account: User) -> None:
    """Only an account nobody ever used (one created by mistake): an account with a login or
    with records is disabled instead, so that what it did stays attributable."""
    if account.pk == actor.pk:
        raise AccountRefused("不能刪除自己的帳號")
    if account.last_login is not None:
        raise AccountRefused("此帳號已登入過，為保留紀錄只能停用，不能刪除")
    username = account.username
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError:
        raise AccountRefused("此帳號已有資料紀錄，只能停用，不能刪除") from None
    security_event(Kind.ACCOUNT_DELETED, request=request, user=actor, target=username)


def disable_idle_and_expired(*, today: date | None = None) -> dict:
    """The daily task: accounts nobody logged into for ACCOUNT_IDLE_DAYS, and temporary
    accounts past their end date, are disabled (the user is told why at the next login)."""
    now = timezone.now()
    today = today or timezone.localdate()
    cutoff = now - timedelta(days=settings.ACCOUNT_IDLE_DAYS)
    active = User.objects.filter(is_active=True)
    expired = list(active.filter(valid_until__lt=today))
    idle = list(
        active.exclude(pk__in=[u.pk for u in expired])
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(reactivated_at__gte=cutoff)
    )
    for account in expired:
        account_disable(
            actor=None,
            account=account,
            reason=DisabledReason.EXPIRED,
            note=f"使用期限至 {roc_date(account.valid_until)}",
        )
    for account in idle:
        account_disable(
            actor=None, account=account, reason=DisabledReason.IDLE, note=f"超過 {settings.ACCOUNT_IDLE_DAYS} 天未登入"
        )
    return {"expired": len(expired), "idle": len(idle)}


# --- The second factor ------------------------------------------------------------------


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same one until it is confirmed, so that a
    reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="驗證器 App", confirmed=False)
    return device


@transaction.atomic
def mfa_confirm_enrolment(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code from the app: it replaces any earlier device, recovery
    codes are made, and the session counts as verified. None when the code is wrong."""
    from django_otp import login as otp_login

    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token):
        security_event(Kind.MFA_FAILED, request=request, outcome=Outcome.FAILURE, detail="啟用時驗證碼不正確")
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = mfa_new_recovery_codes(user=device.user)
    otp_login(request, device)
    security_event(Kind.MFA_ENROLLED, request=request)
    return codes


def mfa_new_recovery_codes(*, user: User, request=None) -> list[str]:
    """Ten one-time codes for a lost phone, replacing any earlier ones; shown once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="備用碼", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    if request is not None:
        security_event(Kind.MFA_RECOVERY_CODES, request=request)
    return codes


def mfa_verify(*, request, token: str):
    """Check a code (from the app, or a recovery code) against the user's devices; the device
    that accepted it, or None. Each device throttles its own failures (django-otp)."""
    from django_otp import login as otp_login

    token = "".join(token.split()).lower()
    user = request.user
    with transaction.atomic():
        verified = None
        waiting = 0
        for device in devices_for_user(user, for_verify=True):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                waiting = max(waiting, _seconds_left(info))
                continue
            if device.verify_token(token):
                verified = device
                break
    if verified is None:
        security_event(Kind.MFA_FAILED, request=request, outcome=Outcome.FAILURE)
        return None, waiting
    otp_login(request, verified)
    detail = ""
    if isinstance(verified, StaticDevice):
        detail = f"使用備用碼，剩 {verified.token_set.count()} 組"
    security_event(Kind.MFA_VERIFIED, request=request, detail=detail)
    return verified, 0


def _seconds_left(info) -> int:
    if not info or "locked_until" not in info:
        return 0
    return max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
