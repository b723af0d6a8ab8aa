"""Workbooks the MOE asks for: the software purchase list with its teaching use."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Alignment, Font

from portal.downloads import safe_text
from portal.roc import roc_date


def purchases_workbook(purchases: list, *, plan_year) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "教學軟體採購"
    sheet.append([f"{plan_year.year}年度 教學軟體及數位內容採購清單"])
    sheet["A1"].font = Font(bold=True, size=14)
    headers = [
        "縣市",
        "品項",
        "廠商",
        "廠牌",
        "單位",
        "授權數",
        "金額（元）",
        "使用學校",
        "決議會議日期",
        "教學運用說明",
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    total = 0
    for p in purchases:
        schools = "、".join(s.name for s in p.schools.all()) or "全縣共用"
        sheet.append(
            [
                p.county.name,
                safe_text(p.item.name),
                safe_text(p.item.vendor),
                safe_text(p.item.brand),
                p.item.unit,
                p.seats,
                p.amount_ntd,
                safe_text(schools),
                roc_date(p.meeting_date),
                safe_text(p.teaching_use),
            ]
        )
        total += p.amount_ntd
    sheet.append(["合計", "", "", "", "", "", total])
    for row in sheet.iter_rows(min_row=3, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "#,##0"
    for column, width in zip("ABCDEFGHIJ", (10, 30, 20, 12, 8, 10, 14, 40, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
