"""The accounts a county officer or an admin manages (list, create, disable, reset, delete)
and the security log's review page. Thin: access from portal.access, writes in services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import exporting, services
from accounts.forms import AccountFilterForm, AccountForm, SecurityLogFilterForm
from portal import access
from portal.audit import recent
from portal.downloads import attachment_response
from portal.models import Role, SecurityEvent, User
from portal.pagination import query_without_page
from portal.search import fold_name, name_q

PAGE_SIZE = 50


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
    return _list_page(
        request,
        "accounts/account_list.html",
        form,
        rows,
        may_create=bool(access.roles_assignable_by(request.user)),
        idle_days=settings.ACCOUNT_IDLE_DAYS,
    )


def _list_page(request: HttpRequest, template: str, form, rows, **context) -> HttpResponse:
    """Page ?page= of a filtered list, with its filter form and the query its page links keep."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, "query": query_without_page(request), **context})


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
    return _list_page(
        request, "accounts/security_log.html", form, events, retention_days=settings.SECURITY_LOG_RETENTION_DAYS
    )


@login_required
def security_log_export(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    _form, events = _events(request)
    content = exporting.security_events_workbook(events)
    return attachment_response(content, f"資安事件紀錄_{timezone.localdate():%Y%m%d}.xlsx")
