"""Reading an uploaded spreadsheet safely: size, zip-bomb and format checks first, then the
cells as plain values with their Excel row numbers. Knows nothing of rosters.

Workbooks are read with calamine (Rust): ten times faster than openpyxl's read-only mode on
the national roster (0.07 s against 0.68 s) and it expands no XML entities. openpyxl stays
the writer.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

MAX_UNCOMPRESSED_BYTES = 80 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 500
MAX_COLUMNS = 60
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 30


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, tuple]]
    """(Excel row number, cell values) for every row that has at least one value."""


def read_sheets(content: bytes, *, max_bytes: int) -> Iterator[Sheet]:
    """Every sheet of an .xlsx workbook, or the one table of a .csv file."""
    if not content:
        raise UnreadableFile("檔案是空的")
    if len(content) > max_bytes:
        raise UnreadableFile(f"檔案太大（{len(content):,} 位元組），上限為 {max_bytes:,} 位元組")
    if content.startswith(b"PK\x03\x04"):
        yield from _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("這是舊版 Excel 97-2003 (.xls) 檔案，請在 Excel 另存為 .xlsx 後再上傳")
    else:
        yield _read_csv(content)


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise UnreadableFile("檔案不是有效的 Excel 活頁簿（.xlsx）") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UnreadableFile("活頁簿內含的項目過多，無法處理")
        total = 0
        for member in members:
            total += member.file_size
            if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
                raise UnreadableFile("活頁簿的壓縮比例異常，為安全起見不予處理")
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFile("活頁簿解壓縮後過大，為安全起見不予處理")
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise UnreadableFile("檔案不是有效的 Excel 活頁簿（.xlsx）")


def _read_xlsx(content: bytes) -> Iterator[Sheet]:
    _check_zip(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = workbook.sheet_names
    except CalamineError as exc:
        raise UnreadableFile(f"無法讀取活頁簿（{exc.__class__.__name__}）") from None
    for name in names:
        try:
            worksheet = workbook.get_sheet_by_name(name)
            if worksheet.end and worksheet.end[0] + 1 > MAX_ROWS:
                raise UnreadableFile(f"工作表「{name}」超過 {MAX_ROWS:,} 列，無法處理")
            # Keep the empty area above and left of the data so that row numbers are Excel's.
            grid = worksheet.to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise UnreadableFile(f"無法讀取工作表「{name}」（{exc.__class__.__name__}）") from None
        rows = []
        for number, values in enumerate(grid, start=1):
            values = tuple(values[:MAX_COLUMNS])
            if any(value is not None and value != "" for value in values):
                rows.append((number, values))
        yield Sheet(name, rows)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("檔案不是 Excel 活頁簿（.xlsx），也不是 UTF-8 或 Big5 編碼的 CSV 檔")


def _read_csv(content: bytes) -> Sheet:
    text = _decode(content)
    if "\x00" in text:
        raise UnreadableFile("檔案不是 Excel 活頁簿（.xlsx），也不是 CSV 檔")
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > MAX_ROWS:
                raise UnreadableFile(f"CSV 檔超過 {MAX_ROWS:,} 列，無法處理")
            values = tuple(values[:MAX_COLUMNS])
            if any(value.strip() for value in values):
                rows.append((number, values))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 檔格式錯誤：{exc}") from None
    return Sheet("CSV", rows)
