"""The devices pages: the list, one device (status, repairs) and the repair list. Lending is
in views_lending, procurement and its follow-up in views_procurement, software in
views_software. Thin: access check -> form/service/selector -> template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from devices import selectors, selectors_pages, services
from devices.forms import (
    DeviceFilterForm,
    LoanForm,
    RepairCloseForm,
    RepairForm,
    ReturnForm,
    StatusForm,
)
from devices.models import RepairTicket
from devices.views_shared import (
    PAGE_SIZE,
    STATUS_LABELS,
    action_then_redirect,
    device_or_404,
    devices_with_places,
    managed_with_form,
)
from portal import access
from portal.pagination import query_without_page


@login_required
@require_GET
def device_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    batches = list(selectors.batches_for(user=user).values("pk", "tender_number").order_by("tender_number"))
    form = DeviceFilterForm(request.GET or None, batches=batches)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors_pages.device_list_page(
        user=user, filters=filters, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "devices/device_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "status_labels": STATUS_LABELS,
            "may_import": access.may_manage_procurement(user),
            "detail_url": reverse("device_detail", args=[0]).removesuffix("0/"),
            "show_county": not access.sees_one_county(user),
            "show_school": not access.sees_one_school(user),
            "may_lend": access.may_manage_devices(user),
            "today": timezone.localdate(),
            "columns": 11
            - access.sees_one_county(user)
            - access.sees_one_school(user)
            + 2 * access.may_manage_devices(user),
        },
    )


@login_required
@require_GET
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = device_or_404(request, pk)
    return render(
        request,
        "devices/device_detail.html",
        {
            "device": device,
            **selectors_pages.device_history(device=device),
            "today": timezone.localdate(),
            "may_manage": access.may_manage_devices(request.user),
            "loan_form": LoanForm(),
            "return_form": ReturnForm(),
            "repair_form": RepairForm(),
            "close_form": RepairCloseForm(),
            "status_form": StatusForm(initial={"status": device.status}),
        },
    )


@login_required
@require_POST
def device_status(request: HttpRequest, pk: int) -> HttpResponse:
    device, form = managed_with_form(request, devices_with_places(), pk, StatusForm)
    if not form.is_valid():
        messages.error(request, "請選擇狀態")
        return redirect("device_detail", pk=pk)
    status = form.cleaned_data["status"]
    return action_then_redirect(
        request,
        lambda: services.device_status_set(device=device, status=status, user=request.user),
        f"{device.serial} 的狀態已改為{STATUS_LABELS[status]}",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_POST
def device_repair(request: HttpRequest, pk: int) -> HttpResponse:
    device, form = managed_with_form(request, devices_with_places(), pk, RepairForm)
    if not form.is_valid():
        messages.error(request, "請填寫故障情形")
        return redirect("device_detail", pk=pk)
    spare = None
    serial = form.cleaned_data["spare_serial"].strip().upper()
    if serial:
        spare = selectors.devices_for(user=request.user).filter(serial=serial).first()
        if spare is None:
            messages.error(request, f"找不到備品 {serial}")
            return redirect("device_detail", pk=pk)
    fault = form.cleaned_data["fault"]
    return action_then_redirect(
        request,
        lambda: services.repair_open(device=device, user=request.user, fault=fault, spare=spare),
        f"{device.serial} 已送修",
        reverse("device_detail", args=[pk]),
    )


@login_required
@require_POST
def repair_close(request: HttpRequest, pk: int) -> HttpResponse:
    ticket, form = managed_with_form(request, RepairTicket.objects.all(), pk, RepairCloseForm)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else "已修復"
    return action_then_redirect(
        request,
        lambda: services.repair_close(ticket=ticket, user=request.user, outcome=outcome),
        "維修單已結案，備品已收回",
        reverse("device_detail", args=[ticket.device_id]),
    )


@login_required
@require_GET
def repair_list(request: HttpRequest) -> HttpResponse:
    page = selectors_pages.repair_page(
        user=request.user, open_only=request.GET.get("open") != "0", page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(request, "devices/repair_list.html", {"page": page, "query": ""})
