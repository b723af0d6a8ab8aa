"""County A with a small roster: 154601 (37 teachers, the school user's) and 154602 (20);
county B with 144601 (10)."""

import csv
import io

import openpyxl
import pytest

from tests.conftest import load_roster, record


@pytest.fixture
def roster_ab(plan_year, county_a, county_b, school_a):
    load_roster(
        plan_year,
        [record(code="154601", teachers=37), record(code="154602", name="花蓮縣立另一國小", teachers=20)],
    )
    load_roster(
        plan_year, [record(code="144601", county="臺東縣", name="臺東縣立某國小", teachers=10)], county_label="臺東縣"
    )


def sheet_bytes(rows: list[list], *, headers=("研習代碼", "學校代碼", "教師識別碼", "姓名"), kind="xlsx") -> bytes:
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
