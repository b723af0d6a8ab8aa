from django import template

register = template.Library()


@register.filter
def tenths_percent(value) -> str:
    """A share in tenths of a percent: 253 -> '25.3%'; None (no teachers) -> '—'."""
    if value is None or value == "":
        return "—"
    value = int(value)
    return f"{value // 10}.{value % 10}%"
