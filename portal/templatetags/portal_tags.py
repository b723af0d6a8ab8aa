"""Numbers and dates as Taiwanese government documents print them.

The one set of display filters (a builtin library: no {% load %} needed): 元 and 千元,
counts, hours and ROC dates and months. Python row renderers (the *_rows tags) call the
plain functions here so a table built in Python prints the same as one built in a template.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from portal import access
from portal.numbers import to_thousands
from portal.roc import ROC_OFFSET, roc_date

register = template.Library()

BLANK = "（空白）"


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


@register.filter
def kilo_ntd_unit(value) -> str:
    """NTD -> '1,235 千元' (rounded half up)."""
    shown = kilo_ntd(value)
    return f"{shown} 千元" if shown else ""


@register.filter
def count(value, unit: str = "") -> str:
    """A count with separators and its unit: 3633|count:"校" -> '3,633 校'."""
    if value is None or value == "":
        return ""
    shown = f"{int(value):,}"
    return f"{shown} {unit}" if unit else shown


def decimal_text(value, places: int = 1) -> str:
    """12.5 -> '12.5', 12.0 -> '12', 1234.56 -> '1,234.6' (half up, no trailing zeros)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == number.to_integral():
        return f"{int(number):,}"
    return f"{number:,f}".rstrip("0")


@register.filter
def hours(value) -> str:
    """Hours: '1,234.5'; whole hours without a trailing 「.0」 (12.0 -> '12')."""
    return decimal_text(value, 1)


@register.filter(name="roc_date")
def roc_date_filter(value) -> str:
    """2022-09-30 -> '111年9月30日'; a datetime is shown in Taipei time with its minutes."""
    return roc_date(value)


@register.filter
def roc_day(value) -> str:
    """A datetime's day only, no time: '115年12月5日'."""
    if isinstance(value, datetime.datetime):
        value = roc_date(value).split(" ")[0]
        return value
    return roc_date(value)


@register.filter(name="roc_month")
def roc_month_filter(value) -> str:
    """A date, or 'YYYY-MM', or (year, month) -> '111年12月'."""
    if not value:
        return ""
    if isinstance(value, datetime.date):
        year, month = value.year, value.month
    elif isinstance(value, (tuple, list)):
        year, month = int(value[0]), int(value[1])
    else:
        text = str(value)
        try:
            year, month = (int(part) for part in text.split("-")[:2])
        except ValueError:
            return text
    return f"{year - ROC_OFFSET}年{month}月"


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
    if isinstance(value, float):
        return decimal_text(value, 2)
    if isinstance(value, datetime.date):
        return roc_date(value)
    return str(value)


@register.filter
def shown(value, unit: str = "") -> str:
    """A value in a diff or the history: 「（空白）」 for nothing, numbers with separators and
    their unit ('8,200 元'), dates in ROC years."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Decimal, float)):
        text = cell(value)
        return f"{text} {unit}" if unit else text
    return cell(value)


@register.filter
def one_school(user) -> bool:
    """{% if user|one_school %}: the page is a school's own (portal.access.sees_one_school)."""
    return access.sees_one_school(user)


@register.filter
def one_county(user) -> bool:
    """{% if user|one_county %}: a 縣市 column would repeat the user's own county."""
    return access.sees_one_county(user)
