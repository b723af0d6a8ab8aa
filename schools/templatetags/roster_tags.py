"""The roster list's rows, rendered in Python.

The list is the busiest page (a county officer pages through it all day): 50 rows of 16
cells through template nodes took about two thirds of the request; the same HTML built
here, escaped the same way, takes a fraction of it.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _compliance(row: dict) -> str:
    if row["complies"] is None:
        return '<span class="muted">未填</span>'
    if row["complies"]:
        return "是"
    badge = '<span class="badge">否</span>' if row["reason"] else '<span class="badge warn">否</span>'
    return f"{badge} {escape(row['reason']) if row['reason'] else '（未填原因）'}"


def county_cell(row: dict) -> str:
    return f"<td>{escape(row['county'])}</td>"


@register.simple_tag
def roster_rows(rows, school_url: str, year: int, show_county: bool = True):
    """<tr>s for rows as dicts (the list view's .values()); `show_county` false leaves out the
    縣市 column (a county's or a school's own list)."""
    cells = []
    for row in rows:
        numbers = "".join(
            f'<td class="num">{_num(row[key])}</td>'
            for key in (
                "classes",
                "max_class_size",
                "teachers",
                "students",
                "entitled_carts",
                "entitled_teacher_devices",
                "entitled_student_devices",
                "req_carts",
                "req_teacher_devices",
                "req_student_devices",
            )
        )
        code = escape(row["code"])
        cells.append(
            f'<tr><td class="code"><a href="{escape(school_url)}{code}/?year={year}">{code}</a></td>'
            f"<td>{escape(row['name'])}</td>{county_cell(row) if show_county else ''}<td>{escape(row['level'])}</td>"
            f"<td>{escape(row['area'])}</td>{numbers}<td>{_compliance(row)}</td></tr>"
        )
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped
