from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from devices.models import DeviceStatus, DeviceUse, Loan
from portal.roc import roc_date

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


def _date(value) -> str:
    return roc_date(value)


LENDABLE = frozenset({"assigned", "in_use", "spare"})


@register.simple_tag
def device_rows(rows, detail_url: str, show_county: bool = True, show_school: bool = True, today=None, lend=False):
    """The device list's <tr>s, built in Python like the roster list's (schools.templatetags):
    50 rows of 11 cells through template nodes are most of a cached page's time.

    `show_county`/`show_school` false leave out the columns a county's or a school's own list
    would repeat on every row; `today` flags expired warranties (「保固已過期」, in words);
    `lend` adds a checkbox (bulk lending) and a 借出 link to every device that may be lent."""
    cells = []
    for d in rows:
        pk = d["pk"]
        serial = escape(d["serial"])
        parts = []
        if lend:
            lendable = d["status"] in LENDABLE and d["school_code"]
            box = (
                f'<input type="checkbox" name="device" value="{pk}" id="lend-{pk}" aria-label="選取 {serial} 借出">'
                if lendable
                else ""
            )
            parts.append(f'<td class="select">{box}</td>')
        parts.append(f'<td class="code"><a href="{escape(detail_url)}{pk}/">{serial}</a></td>')
        parts.append(f"<td>{escape(d['asset_tag'])}</td>")
        if show_county:
            parts.append(f"<td>{escape(d['county_name'])}</td>")
        if show_school:
            school = (
                f"{escape(d['school_code'])} {escape(d['school_name'])}"
                if d["school_code"]
                else '<span class="muted">縣市庫存</span>'
            )
            parts.append(f"<td>{school}</td>")
        status = escape(d["status"])
        warranty = _date(d["warranty_until"])
        if today is not None and d["warranty_until"] and d["warranty_until"] < today:
            warranty += ' <span class="badge warn">保固已過期</span>'
        parts.append(
            f"<td>{escape(d['tender'])}</td><td>{escape(d['brand'])}</td><td>{_USE.get(d['use'], '')}</td>"
            f'<td><span class="dstatus dstatus-{status}">{_STATUS.get(d["status"], status)}</span></td>'
            f"<td>{_date(d['delivered_on'])}</td><td>{_date(d['mdm_enrolled_on']) or '—'}</td>"
            f"<td>{warranty}</td>"
        )
        if lend:
            link = (
                f'<a href="{escape(detail_url)}{pk}/#lend">借出</a>'
                if d["status"] in LENDABLE and d["school_code"]
                else ""
            )
            parts.append(f"<td>{link}</td>")
        cells.append(f"<tr>{''.join(parts)}</tr>")
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped


@register.simple_tag
def reconciliation_rows(schools, list_url: str):
    """The reconciliation's school lines, built in Python (as device_rows)."""
    cells = []
    for s in schools:
        code = escape(s.code)
        percent = f"{s.mdm_percent}%" if s.mdm_percent is not None else "—"
        found = "—" if s.found is None else f"{s.found:,}"
        flags = " ".join(f'<span class="badge warn">{escape(f)}</span>' for f in s.flags)
        row_class = ' class="flagged"' if s.flags else ""
        cells.append(
            f'<tr{row_class}><td class="code"><a href="{escape(list_url)}?school={code}">{code}</a></td>'
            f'<td>{escape(s.name)}</td><td class="num">{s.entitled:,}</td>'
            f'<td class="num">{s.approved:,}</td><td class="num">{s.delivered:,}</td><td class="num">{s.mdm:,}</td>'
            f'<td class="num">{percent}</td><td class="num">{found}</td><td>{flags}</td></tr>'
        )
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped
