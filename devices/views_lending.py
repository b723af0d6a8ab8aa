"""Lending devices: one or many at once, returns, the open and overdue loans, and each school's
lending rules. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devices import selectors_pages, services
from devices.forms import BulkLoanForm, LendingRulesForm, LoanForm, ReturnForm
from devices.models import Device, LendingRules, Loan
from devices.views_shared import NO_DEVICES, PAGE_SIZE, action_then_redirect, devices_with_places, managed_with_form
from portal import access
from schools.models import School


@login_required
@require_POST
def device_lend(request: HttpRequest, pk: int) -> HttpResponse:
    device, form = managed_with_form(request, devices_with_places(), pk, LoanForm)
    if not form.is_valid():
        messages.error(request, "借用資料不完整：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("device_detail", pk=pk)
    data = form.cleaned_data
    return action_then_redirect(
        request,
        lambda: services.loan_create(
            device=device,
            user=request.user,
            borrower_code=data["borrower_code"],
            purpose=data["purpose"],
            due_on=data["due_on"],
            note=data["note"],
        ),
        f"已借出 {device.serial} 給 {data['borrower_code']}",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_bulk_lend(request: HttpRequest) -> HttpResponse:
    """Lend the devices ticked on the list (?device=1&device=2): one borrower identifier a
    device, a shared purpose and due date; all lent or none (services.device_loans_create)."""
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = sorted({int(value) for value in source.getlist("device")})[: services.MAX_BULK_LOANS]
    except ValueError:
        ids = []
    devices = list(
        access.for_user(Device.objects.select_related("school"), request.user).filter(pk__in=ids).order_by("serial")
    )
    if not devices:
        messages.error(request, "請先在清冊勾選要借出的載具")
        return redirect("device_list")
    form = BulkLoanForm(request.POST if request.method == "POST" else None, devices=devices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loans = services.device_loans_create(
                user=request.user,
                borrowers=form.borrowers(),
                purpose=data["purpose"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except services.DeviceActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"已借出 {len(loans)} 臺載具")
            return redirect("loan_list")
    return render(request, "devices/bulk_lend.html", {"form": form, "devices": devices})


def _safe_next(request: HttpRequest) -> str | None:
    """The page to go back to, only when it is one of ours (never an outside address)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and allowed else None


@login_required
@require_POST
def loan_return(request: HttpRequest, pk: int) -> HttpResponse:
    loan, form = managed_with_form(request, Loan.objects.select_related("device"), pk, ReturnForm)
    condition = form.cleaned_data["condition"] if form.is_valid() else Loan.Condition.GOOD
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return action_then_redirect(
        request,
        lambda: services.loan_return(loan=loan, user=request.user, condition=condition, note=note),
        f"已歸還 {loan.device.serial}",
        _safe_next(request) or reverse("device_detail", args=[loan.device_id]),
    )


@login_required
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    page = selectors_pages.open_loan_page(
        user=request.user, overdue=overdue, today=today, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "devices/loan_list.html",
        {
            "page": page,
            "overdue": overdue,
            "today": today,
            "purposes": dict(Loan.Purpose.choices),
            "query": "overdue=1" if overdue else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lending_rules(request: HttpRequest, code: str) -> HttpResponse:
    school = access.get_for_user(School.objects.all(), request.user, code=code)
    current = LendingRules.objects.filter(school=school).first()
    form = LendingRulesForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST":
        access.require(access.may_manage_devices(request.user), NO_DEVICES)
        if form.is_valid():
            services.lending_rules_save(school=school, text=form.cleaned_data["text"], user=request.user)
            messages.success(request, f"已儲存{school.name}的借用規範")
            return redirect("lending_rules", code=code)
    return render(
        request,
        "devices/lending_rules.html",
        {"school": school, "form": form, "current": current, "may_edit": access.may_manage_devices(request.user)},
    )
