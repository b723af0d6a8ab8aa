from django import template

from devices.models import DeviceStatus, DeviceUse, Loan

register = template.Library()
_STATUS = dict(DeviceStatus.choices)
_USE = dict(DeviceUse.choices)
_PURPOSE = dict(Loan.Purpose.choices)


@register.filter
def device_status(value: str) -> str:
    return _STATUS.get(value, value)


@register.filter
def device_use(value: str) -> str:
    return _USE.get(value, value)


@register.filter
def loan_purpose(value: str) -> str:
    return _PURPOSE.get(value, value)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")
