"""The MOE's per-county figures sheet as the MOE fills it (header row, one row a county)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from budget.importing import COLUMNS

HEADERS = [column.template_header for column in COLUMNS]


def figures_row(county: str, **values) -> list:
    figures = {
        "prev_teacher_devices": 10,
        "prev_student_devices": 100,
        "prev_carts": 2,
        "moe_estimate_teacher_devices": None,
        "moe_estimate_student_devices": None,
        "moe_estimate_carts": None,
        "ap_count": 50,
        "ap_amount_ntd": 750_000,
        "software_amount_ntd": 300_000,
    } | values
    return [county, *figures.values()]


def figures_bytes(
    rows: list[list], *, headers: list[str] | None = None, title: str | None = "111年度教育部提供數"
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "教育部提供數"
    if title:
        sheet.append([title])
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
