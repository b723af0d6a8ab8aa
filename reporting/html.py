"""Big tables rendered in Python: the completeness grid (22 x 12 cells) and the indicators' county
tables (8 x 23 rows) cost Django's template engine 30-50 ms a page, most of it resolving
variables; the same markup from f-strings costs about 1 ms. Every text is escaped here."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from reporting.selectors_monthly import STATE_LABELS


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def completeness_rows(grid: dict, url_template: str) -> SafeString:
    """<tr>s of the grid; `url_template` has __COUNTY__ and __MONTH__ where a report's URL differs."""
    params = [m["month"].strftime("%Y-%m") for m in grid["months"]]
    parts = []
    for row in grid["rows"]:
        county = row["county"]
        base = url_template.replace("__COUNTY__", escape(county.code))
        parts.append(f"<tr><th>{escape(county.name)}</th>")
        for cell, param in zip(row["cells"], params, strict=True):
            parts.append(
                f'<td class="state-cell state-{cell.state}"><a href="{base.replace("__MONTH__", param)}">'
                f"{STATE_LABELS[cell.state]}</a><small>{cell.schools_reported:,}/{cell.schools_expected:,}</small></td>"
            )
        tally = row["tally"]
        parts.append(
            f'<td class="num">{_rate(tally["rate"])}</td><td class="num">{_rate(tally["on_time_rate"])}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - names and codes escaped above, the rest are numbers


def _value(value, unit: str) -> str:
    return "尚無資料" if value is None else f"{value:,}{escape(unit)}"


def _met(met) -> str:
    if met is None:
        return "—"
    return "已達成" if met else '<span class="badge warn">未達成</span>'


def indicator_rows(item: dict, label: str, *, with_counties: bool) -> SafeString:
    """The <tbody> rows of one indicator: the total, then each county (the national view)."""
    percent = item["kind"] == "percent"
    unit = item["unit"]

    def row(name: str, figures: dict, header: bool) -> str:
        cell = "th" if header else "td"
        ratio = ""
        if percent:
            ratio = (
                f'<td class="num">{figures["numerator"]:,}／{figures["denominator"]:,}</td>'
                if figures.get("denominator")
                else '<td class="num">—</td>'
            )
        opening = '<tr class="total">' if header else "<tr>"
        target = "—" if figures["target"] is None else f"{figures['target']:,}{escape(unit)}"
        return (
            f"{opening}<{cell}>{escape(name)}</{cell}>"
            f'<td class="num">{_value(figures["value"], unit)}</td><td class="num">{target}</td>{ratio}'
            f"<td>{_met(figures['met'])}</td></tr>"
        )

    parts = [row(label, item["total"], True)]
    if with_counties:
        parts.extend(row(r["county"].name, r, False) for r in item["counties"])
    return mark_safe("".join(parts))  # noqa: S308 - names escaped above, the rest are numbers


def _n(value) -> str:
    return "" if value is None or value == "" else f"{int(value):,}"


def home_county_rows(counties: list[dict], plan_url_template: str) -> SafeString:
    """<tr>s of the home page's county table (22 rows x 10 cells for the MOE: ~10 ms of the
    template engine a request); `plan_url_template` has __COUNTY__ where a plan's URL differs."""
    parts = []
    for c in counties:
        plan = c.get("plan")
        if plan is not None:
            url = plan_url_template.replace("__COUNTY__", escape(plan.county.code))
            status = (
                f'<a href="{url}"><span class="status status-{escape(plan.status)}">'
                f"{escape(str(plan.get_status_display()))}</span></a>"
            )
        else:
            status = '<span class="status status-draft">草稿</span>'
        staffing = c["staffing"]
        missing = ""
        if c.get("missing_reason"):
            missing = f' <span class="badge warn">{c["missing_reason"]} 列未填原因</span>'
        parts.append(
            f"<tr><td>{escape(c['county'])}</td><td>{status}</td>"
            f'<td class="num">{_n(c["schools"])}</td><td class="num">{_n(c["carts"])}</td>'
            f'<td class="num">{_n(c["teacher_devices"])}</td><td class="num">{_n(c["student_devices"])}</td>'
            f'<td class="num">{staffing.counselors}／{staffing.it_staff}／{staffing.admin_staff}</td>'
            f'<td class="num">{_n(staffing.amount_ntd)}</td><td class="num">{_n(c["operating_fee_ntd"])}</td>'
            f'<td class="num">{_n(c["not_complying"])}{missing}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - names, codes and labels escaped above, the rest numbers
