"""Numbers and dates as Taiwanese government documents print them."""

import datetime
from decimal import Decimal

from django import template

from budget.rules import to_thousands
from portal.roc import roc_date

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


@register.filter(name="roc_date")
def roc_date_filter(value) -> str:
    """2022-09-30 -> '111年9月30日'; a datetime is shown in Taipei time with its minutes."""
    return roc_date(value)


@register.filter
def yes_no(value) -> str:
    if value is None:
        return "—"
    return "是" if value else "否"


@register.filter
def cell(value) -> str:
    """A value read from a spreadsheet, as the preview shows it: counts with separators,
    dates in ROC years, decimals without a trailing .0, blanks blank."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}" if value == value.to_integral() else f"{value:,}"
    if isinstance(value, datetime.date):
        return roc_date(value)
    return str(value)
