"""The what-if table: one row of a county (real, scenario, difference for each measure)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def signed(value) -> str:
    """+1,234 / -1,234 / 0: a difference reads with its sign."""
    if value is None or value == "":
        return ""
    return f"{int(value):+,}" if value else "0"


@register.simple_tag
def comparison_row(line, measures, strong=False):
    def cells():
        for key, _label, _money in measures:
            if key == "schools":
                continue
            real, planned = getattr(line.real, key), getattr(line.scenario, key)
            difference = planned - real
            css = "num diff-up" if difference > 0 else "num diff-down" if difference < 0 else "num"
            yield (f"{real:,}", f"{planned:,}", css, signed(difference))

    body = format_html_join("", '<td class="num">{}</td><td class="num">{}</td><td class="{}">{}</td>', cells())
    name = format_html("<strong>{}</strong>", line.county) if strong else line.county
    return format_html('<tr><th scope="row">{}</th>{}</tr>', name, body)
