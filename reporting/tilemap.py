"""A tile map of the 22 counties (a grid cartogram): one square a county, placed roughly where
it lies, coloured by a measure, each linking to its county. Server-side SVG like
portal.charts: no map tiles, no script, no network; the table beside it carries the numbers."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.utils.safestring import SafeString, mark_safe

# (column, row) of each county: north at the top, the islands to the west.
TILES = {
    "連江縣": (0, 0),
    "臺北市": (3, 0),
    "基隆市": (4, 0),
    "金門縣": (0, 1),
    "桃園市": (2, 1),
    "新北市": (3, 1),
    "宜蘭縣": (4, 1),
    "新竹市": (1, 2),
    "新竹縣": (2, 2),
    "苗栗縣": (1, 3),
    "臺中市": (2, 3),
    "花蓮縣": (3, 3),
    "澎湖縣": (0, 4),
    "彰化縣": (1, 4),
    "南投縣": (2, 4),
    "雲林縣": (1, 5),
    "嘉義縣": (2, 5),
    "臺東縣": (3, 5),
    "嘉義市": (1, 6),
    "臺南市": (2, 6),
    "高雄市": (2, 7),
    "屏東縣": (2, 8),
}
# Light to dark; the text on a tile is black on the three light classes, white on the dark two
# (each pair at least 4.5:1, WCAG AA).
PALETTE = ("#eef3fa", "#c6dbef", "#9ecae1", "#2b6a99", "#08306b")
TEXT = ("#000", "#000", "#000", "#fff", "#fff")
NO_DATA = "#e0e0e0"
SIZE, GAP, PAD = 62, 4, 4
# The tile's label: 新竹市 and 新竹縣, 嘉義市 and 嘉義縣 keep their last character.
SHORT = {name: name if sum(other[:2] == name[:2] for other in TILES) > 1 else name[:2] for name in TILES}


def classes(values: list[int]) -> list[int]:
    """Upper bounds of the five colour classes: quintiles of the counties' values."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (len(ordered) * k) // 5)] for k in range(1, 5)] + [ordered[-1]]


def class_of(value: int, bounds: list[int]) -> int:
    return next((index for index, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


def tile_map(
    items: dict[str, dict],
    *,
    title: str,
    shown: Callable[[int | None], str],
    selected: str = "",
) -> tuple[SafeString, list[tuple[str, str, str]]]:
    """The SVG and its legend [(colour, from, to)]. `items`: county name -> {value (int or
    None), href}. A county without a value is grey (尚無資料)."""
    values = [item["value"] for item in items.values() if item.get("value") is not None]
    bounds = classes(values)
    columns = 1 + max(c for c, _ in TILES.values())
    rows = 1 + max(r for _, r in TILES.values())
    width, height = PAD * 2 + columns * (SIZE + GAP), PAD * 2 + rows * (SIZE + GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart tilemap" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for name, (column, row) in TILES.items():
        item = items.get(name, {})
        value = item.get("value")
        if value is None:
            fill, ink, label = NO_DATA, "#000", "尚無資料"
        else:
            index = class_of(value, bounds)
            fill, ink, label = PALETTE[index], TEXT[index], shown(value)
        x, y = PAD + column * (SIZE + GAP), PAD + row * (SIZE + GAP)
        stroke = ' stroke="#c62828" stroke-width="3"' if name == selected else ' stroke="#fff"'
        tile = (
            f'<rect x="{x}" y="{y}" width="{SIZE}" height="{SIZE}" rx="4" fill="{fill}"{stroke}/>'
            f'<text x="{x + SIZE / 2}" y="{y + 24}" text-anchor="middle" font-size="13" fill="{ink}">'
            f"{escape(SHORT[name])}</text>"
            f'<text x="{x + SIZE / 2}" y="{y + 44}" text-anchor="middle" font-size="11" fill="{ink}">'
            f"{escape(label)}</text>"
        )
        href = item.get("href")
        if href:
            parts.append(
                f'<a href="{escape(href)}" aria-label="{escape(name)}：{escape(label)}">'
                f"<title>{escape(name)}：{escape(label)}</title>{tile}</a>"
            )
        else:
            parts.append(f'<g aria-label="{escape(name)}：{escape(label)}">{tile}</g>')
    parts.append("</svg>")
    legend = []
    low = min(values) if values else None
    for index, bound in enumerate(bounds):
        if low is None or (legend and bound == bounds[index - 1]):
            continue
        start = low if index == 0 else bounds[index - 1]
        legend.append((PALETTE[index], shown(start), shown(bound)))
    return mark_safe("".join(parts)), legend  # noqa: S308 - every text above is escaped
