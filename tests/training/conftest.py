"""County A with a small roster: 154601 (37 teachers, the school user's) and 154602 (20);
county B with 144601 (10)."""

import csv
import io

import openpyxl
import pytest

from tests.conftest import load_two_counties


@pytest.fixture
def roster_ab(plan_year, county_a, county_b, school_a):
    return load_two_counties(plan_year, a1={"teachers": 37}, a2={"teachers": 20}, b1={"teachers": 10})


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
