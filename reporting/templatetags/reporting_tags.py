"""Hours as the usage pages print them: thousands separators and one decimal (1,234.5)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.1f}"
