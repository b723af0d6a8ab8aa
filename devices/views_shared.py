"""What the devices view modules share: the refusals, the page size, one device by its id for
the request's user, one object and its posted form for a user who manages devices, and how an
action's outcome becomes a message and a redirect."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from devices.models import Device, DeviceStatus
from portal import access, actions

PAGE_SIZE = 50
NO_PROCUREMENT = "只有縣市承辦可以辦理採購、匯入與分配"
NO_DEVICES = "您的帳號不能異動載具"
STATUS_LABELS = dict(DeviceStatus.choices)


def devices_with_places() -> QuerySet:
    """Devices with the school, batch, county and plan year their pages and messages name."""
    return Device.objects.select_related("school", "batch", "county", "batch__plan_year")


def device_or_404(request: HttpRequest, pk: int) -> Device:
    return access.get_for_user(devices_with_places(), request.user, pk=pk)


def managed_with_form(
    request: HttpRequest, queryset: QuerySet, pk: int, form_class: type[forms.Form]
) -> tuple[Model, forms.Form]:
    """Object `pk` of `queryset` (404 when the user cannot see it), for a user who may manage
    devices (403 otherwise), and `form_class` bound to the POST."""
    obj = access.get_for_user(queryset, request.user, pk=pk)
    access.require(access.may_manage_devices(request.user), NO_DEVICES)
    return obj, form_class(request.POST)


def action_then_redirect(request: HttpRequest, action: Callable[[], object], success: str, to: str) -> HttpResponse:
    """Run `action` (portal.actions.action_done: its refusal or `success` as the message), then go
    to `to`."""
    actions.action_done(request, action, success)
    return redirect(to)
