"""The safe reader on its own: what it refuses, how fast, and the memory ceiling. No database."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.imports.reader import Limits, UnreadableFile, numerals_greater_than, read_sheets
from tests.imports import hostile

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=5_000)


def refusal(content: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_sheets(content, limits=limits)
    return str(caught.value)


@pytest.mark.parametrize("ref", ["XFD199000", "XFD20000", "A5051", "BI2", "ZZZZ1"])
def test_a_far_away_cell_is_refused_before_anything_builds_the_grid(ref):
    message = refusal(hostile.far_cell(ref))
    assert "工作表「Sheet1」" in message and ref in message and "上限" in message


def test_the_limit_itself_is_fine_and_rows_keep_their_excel_numbers():
    (sheet,) = read_sheets(hostile.far_cell("BH5050"), limits=LIMITS)
    assert [number for number, _ in sheet.rows] == [1, 5050]
    assert sheet.rows[1][1][59] == "x"


def test_a_dimension_that_claims_the_whole_sheet_is_refused():
    assert "XFD1048576" in refusal(hostile.lying_dimension())


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (hostile.zip_bomb(), "壓縮比例異常"),
        (hostile.xxe(), "DTD"),
        (hostile.billion_laughs(), "DTD"),
        (hostile.PDF, "不是 Excel 活頁簿或 CSV 檔（看起來是 PDF 檔）"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "看起來是 PNG 圖片"),
        (b"PK\x03\x04 broken", "不是 Excel 活頁簿或 CSV 檔"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "舊版 Excel 97-2003"),
        (b"", "檔案是空的"),
        (b"a,b\x00c\n", "不是 Excel 活頁簿或 CSV 檔"),
        (bytes(range(128, 256)) * 4, "不是 Excel 活頁簿或 CSV 檔"),
    ],
)
def test_files_that_are_no_table_say_what_they_are(content, reason):
    assert reason in refusal(content)


def test_one_byte_over_the_size_limit():
    content = b"a,b\n" * 10
    assert read_sheets(content, limits=Limits(max_bytes=len(content), max_rows=100))
    assert "檔案太大" in refusal(content + b"x", Limits(max_bytes=len(content), max_rows=100))


def test_a_csv_longer_than_the_sheet_may_be_is_refused_while_reading():
    limits = Limits(max_bytes=10**8, max_rows=100)
    assert read_sheets(b"a\n" * limits.max_sheet_rows, limits=limits)
    assert "超過 150 列" in refusal(b"a\n" * (limits.max_sheet_rows + 1), limits)


def test_big5_and_utf8_text_are_read():
    for encoding in ("utf-8-sig", "cp950"):
        (sheet,) = read_sheets("學校代碼,月份\n154601,111年3月\n".encode(encoding), limits=LIMITS)
        assert sheet.rows == [(1, ("學校代碼", "月份")), (2, ("154601", "111年3月"))]


def test_a_workbook_is_read_in_a_child_process_with_its_values():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "附錄"
    sheet.append(["學校代碼", "人數"])
    sheet.append(["014630", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (read,) = read_sheets(buffer.getvalue(), limits=LIMITS)
    assert read.name == "附錄" and read.rows == [(1, ("學校代碼", "人數")), (2, ("014630", 12))]


def test_what_no_check_foresaw_ends_at_the_memory_ceiling_not_in_a_dead_process():
    """Every cell points at one 30,000-character string: inside every limit the inspection
    knows, ~1 GB once read. The child hits its ceiling; this process goes on."""
    content = hostile.shared_string_flood()
    assert len(content) < 200_000
    limits = Limits(max_bytes=LIMITS.max_bytes, max_rows=5_000, memory_bytes=300 * 1024 * 1024)
    assert "記憶體" in refusal(content, limits)


def test_a_read_that_takes_too_long_is_stopped():
    workbook = openpyxl.Workbook()
    for n in range(20_000):
        workbook.active.append([n, "x" * 20])
    buffer = io.BytesIO()
    workbook.save(buffer)
    limits = Limits(max_bytes=LIMITS.max_bytes, max_rows=50_000, seconds=0)
    assert "秒" in refusal(buffer.getvalue(), limits)


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=10**9))
def test_the_row_pattern_matches_exactly_the_numbers_past_the_limit(limit, number):
    pattern = re.compile("^" + numerals_greater_than(limit, "0123456789") + "$")
    assert bool(pattern.match(str(number))) == (number > limit)


def _letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


@given(st.integers(min_value=1, max_value=20_000), st.integers(min_value=1, max_value=500_000))
def test_the_column_pattern_matches_exactly_the_columns_past_the_limit(limit, column):
    pattern = re.compile("^" + numerals_greater_than(limit, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + "$")
    assert bool(pattern.match(_letters(column))) == (column > limit)
