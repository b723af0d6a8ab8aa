"""Charts drawn on the server as inline SVG: no script, no CDN, readable without JavaScript,
and the PDF renders the same markup. Every chart has a table beside it in the template
(the numbers themselves, for screen readers and for copying). The one chart system of the
portal: every app draws its charts here and the template prints them."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

BAR = "#2f6db5"
BAR_MET = "#2e7d32"
TARGET = "#c62828"
MUTED = "#9e9e9e"


def _fmt(value, unit: str) -> str:
    if value is None:
        return "尚無資料"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value:,.1f}{unit}"


def bar_chart(
    items: list[dict], *, unit: str = "", percent: bool = False, title: str = "", label_width: int = 90
) -> SafeString:
    """Horizontal bars, one per item {label, value, target}; a red tick marks each target.

    Items without a value get a grey 尚無資料 label instead of a zero-length bar. `label_width`
    makes room for labels longer than a county's name."""
    bar_width, row_height, top = 300, 22, 8
    values = [i["value"] for i in items if i.get("value") is not None]
    targets = [i["target"] for i in items if i.get("target") is not None]
    scale_max = 100 if percent else max([*values, *targets, 1])
    if percent:
        scale_max = max(100, *values, *targets) if values or targets else 100
    height = top * 2 + row_height * len(items)
    width = label_width + bar_width + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for index, item in enumerate(items):
        y = top + index * row_height
        value, target = item.get("value"), item.get("target")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(item["label"])}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row_height - 6}" fill="#eef2f7"/>'
        )
        if value is None:
            parts.append(f'<text x="{label_width + 6}" y="{y + 15}" font-size="11" fill="{MUTED}">尚無資料</text>')
        else:
            length = round(bar_width * min(value, scale_max) / scale_max, 1)
            met = target is not None and value >= target
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row_height - 6}" '
                f'fill="{BAR_MET if met else BAR}"/>'
            )
            parts.append(
                f'<text x="{label_width + bar_width + 6}" y="{y + 15}" font-size="11">'
                f"{escape(_fmt(value, unit))}</text>"
            )
        if target is not None:
            x = label_width + round(bar_width * min(target, scale_max) / scale_max, 1)
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{y + 1}" y2="{y + row_height - 1}" stroke="{TARGET}" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def column_chart(items: list[dict], *, unit: str = "", title: str = "") -> SafeString:
    """Vertical columns, one per item {label, value} (e.g. usage hours per month)."""
    left, bottom, column, gap, plot_height = 50, 30, 30, 10, 160
    width = left + len(items) * (column + gap) + gap
    height = plot_height + bottom + 20
    values = [i["value"] or 0 for i in items]
    scale_max = max([*values, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<line x1="{left}" x2="{width}" y1="{plot_height + 10}" y2="{plot_height + 10}" stroke="#999"/>')
    parts.append(f'<text x="{left - 4}" y="18" text-anchor="end" font-size="10">{escape(f"{scale_max:,.0f}")}</text>')
    for index, item in enumerate(items):
        x = left + gap + index * (column + gap)
        value = item["value"]
        h = 0 if not value else round(plot_height * float(value) / float(scale_max), 1)
        parts.append(f'<rect x="{x}" y="{plot_height + 10 - h}" width="{column}" height="{h}" fill="{BAR}">')
        parts.append(f"<title>{escape(item['label'])}：{escape(_fmt(value, unit))}</title></rect>")
        parts.append(
            f'<text x="{x + column / 2}" y="{plot_height + 24}" text-anchor="middle" font-size="10">'
            f"{escape(item['short'] if 'short' in item else item['label'])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
