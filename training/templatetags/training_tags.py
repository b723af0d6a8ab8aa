from django import template

register = template.Library()


@register.filter
def tenths_percent(value) -> str:
    """A share in tenths of a percent: 253 -> '25.3%'; None (no teachers) -> '—'."""
    if value is None or value == "":
        return "—"
    value = int(value)
    return f"{value // 10}.{value % 10}%"


def _cls(met: bool) -> str:
    return "num ok" if met else "num warn"


@register.simple_tag
def progress_rows(rows, per: str, year: int):
    """The progress table's body rendered in Python: a county's page has hundreds of cells,
    and template nodes a cell were most of the page's time (bench/training.py)."""
    from django.utils.html import format_html, format_html_join

    def cells(p):
        if per == "county":
            first = format_html('<a href="?year={}&amp;county={}">{}</a>', year, p.code, p.label)
            it = format_html("{}／{} 校", f"{p.schools_with_it_staff or 0:,}", f"{p.it_staff_target:,}")
        else:
            first = format_html('<span class="code">{}</span> {}', p.code, p.label)
            it = f"{p.it_staff:,} 人"
        return (
            first,
            f"{p.teachers:,}",
            f"{p.trained:,}",
            f"{p.a1a2:,}",
            _cls(p.a1a2_met),
            tenths_percent(p.a1a2_tenths),
            f"{p.a1a2_target:,}",
            f"{p.literacy:,}",
            _cls(p.literacy_met),
            tenths_percent(p.literacy_tenths),
            f"{p.literacy_target:,}",
            _cls(p.it_staff_met),
            it,
        )

    return format_html_join(
        "\n",
        '<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
        '<td class="{}">{}</td><td class="num">{}</td><td class="num">{}</td><td class="{}">{}</td>'
        '<td class="num">{}</td><td class="{}">{}</td></tr>',
        (cells(p) for p in rows),
    )
