"""What an import gives back as a file: the preview's problems, for the county to fix its sheet."""

from __future__ import annotations

from portal.downloads import csv_bytes

PROBLEM_HEADERS = ("類別", "列", "欄位", "說明")


def problems_csv(preview) -> bytes:
    """The preview's errors then its warnings, one a line, with their Excel row and column."""
    rows = [("錯誤", p.row or "", p.column, p.message) for p in preview.errors]
    rows += [("提醒", p.row or "", p.column, p.message) for p in preview.warnings]
    return csv_bytes(PROBLEM_HEADERS, rows)
