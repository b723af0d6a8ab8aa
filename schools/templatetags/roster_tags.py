"""The roster list's rows, rendered in Python.

The list is the busiest page (a county officer pages through it all day): 50 rows of 16
cells through template nodes took about two thirds of the request; the same HTML built
here, escaped the same way, takes a fraction of it.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from schools.roster_format import COUNT_KEYS, ENTITLED_KEYS, REQUESTED_KEYS

register = template.Library()


def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _signed(value) -> str:
    if value is None:
        return ""
    return f"+{value:,}" if value > 0 else f"{value:,}"


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
            f'<td class="num">{_num(row[key])}</td>' for key in (*COUNT_KEYS, *ENTITLED_KEYS, *REQUESTED_KEYS)
        )
        if "difference" in row:
            numbers += f'<td class="num">{_signed(row["difference"])}</td>'
        code = escape(row["code"])
        cells.append(
            f'<tr><td class="code"><a href="{escape(school_url)}{code}/?year={year}">{code}</a></td>'
            f"<td>{escape(row['name'])}</td>{county_cell(row) if show_county else ''}<td>{escape(row['level'])}</td>"
            f"<td>{escape(row['area'])}</td>{numbers}<td>{_compliance(row)}</td></tr>"
        )
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped


@register.simple_tag
def sort_header(key: str, label: str, sort: str, sort_query: str, rowspan: int = 1) -> str:
    """A sortable column's <th>: a link that sorts by `key` (descending first; again: ascending),
    the current order said in words and in aria-sort, not by an arrow alone."""
    prefix = f"{sort_query}&" if sort_query else ""
    if sort == f"-{key}":
        next_sort, state, aria = key, "（由大到小）", "descending"
    elif sort == key:
        next_sort, state, aria = f"-{key}", "（由小到大）", "ascending"
    else:
        next_sort, state, aria = f"-{key}", "", "none"
    return mark_safe(  # noqa: S308 - label and query are escaped
        f'<th class="num sortable" scope="col" rowspan="{int(rowspan)}" aria-sort="{aria}">'
        f'<a href="?{escape(prefix)}sort={escape(next_sort)}" title="依{escape(label)}排序">{escape(label)}'
        f'<span class="sort-state">{state}</span></a></th>'
    )
