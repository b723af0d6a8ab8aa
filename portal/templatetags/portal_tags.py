"""Numbers and dates as Taiwanese government documents print them."""

import datetime

from django import template
from django.utils import timezone

from budget.rules import to_thousands

register = template.Library()


@register.filter
def num(value) -> str:
    """1234567 -> '1,234,567' (integers only; blank stays blank)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def ntd(value) -> str:
    """An NTD amount: '1,234,567 元'."""
    if value is None or value == "":
        return ""
    return f"{int(value):,} 元"


@register.filter
def kilo_ntd(value) -> str:
    """NTD -> 千元, rounded half up: 1,234,500 -> '1,235'."""
    if value is None or value == "":
        return ""
    return f"{to_thousands(int(value)):,}"


def roc_year(year: int) -> int:
    return year - 1911


@register.filter
def roc_date(value) -> str:
    """2022-09-30 -> '111年9月30日'; a datetime is shown in Taipei time with its minutes."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{roc_year(local.year)}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{roc_year(value.year)}年{value.month}月{value.day}日"


@register.filter
def yes_no(value) -> str:
    if value is None:
        return "—"
    return "是" if value else "否"
