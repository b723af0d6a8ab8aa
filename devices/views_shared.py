"""What the devices view modules share: the refusals, the page size, one device by its id for
the request's user, and how an action's outcome becomes a message and a redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from devices import services
from devices.models import Device, DeviceStatus
from portal import access

PAGE_SIZE = 50
NO_PROCUREMENT = "只有縣市承辦可以辦理採購、匯入與分配"
NO_DEVICES = "您的帳號不能異動載具"
STATUS_LABELS = dict(DeviceStatus.choices)


def device_or_404(request: HttpRequest, pk: int) -> Device:
    devices = Device.objects.select_related("school", "batch", "county", "batch__plan_year")
    return access.get_for_user(devices, request.user, pk=pk)


def action_done(request: HttpRequest, action: Callable[[], object], success: str, to: str) -> HttpResponse:
    """Run `action`; its refusal (DeviceActionRefused) or `success` as the message, then go to `to`."""
    try:
        action()
    except services.DeviceActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect(to)
