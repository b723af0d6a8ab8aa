"""Reading an uploaded spreadsheet without letting the file decide how much we build.

Knows nothing of Django or of any import: bytes in, sheets of plain cell values out, or
`UnreadableFile` with the reason in Chinese. In this order:

1. size and format: an empty file, a file over the byte limit, a PDF, an image or other
   binary, a pre-2007 .xls, text that is neither UTF-8 nor Big5 are refused by their bytes;
2. an .xlsx is inspected as a zip before anything parses it: member count, total
   uncompressed size and compression ratio (zip bombs), no DTD in any XML part (XXE,
   billion laughs), and every worksheet's extent from its `<dimension>` and, streamed, the
   largest cell reference in its XML (a 1.6 KB file with one cell at XFD199000 would make
   calamine allocate the whole grid from A1: ~100 GB, an abort no Python code can catch);
3. only then calamine reads the sheets, in a child process under a memory ceiling and a
   time limit, so that a file nobody foresaw ends in a message, not in a dead worker.

A CSV is read here in the process: Python's csv module builds only the rows the file has.
"""

from __future__ import annotations

import csv
import io
import pickle
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from posixpath import join, normpath

from defusedxml import ElementTree

NOT_A_SPREADSHEET = "不是 Excel 活頁簿或 CSV 檔"
# Rows a sheet may hold above and below its data (titles, the header, 範例, 合計, notes).
FRAME_ROWS = 50
MAX_UNCOMPRESSED_BYTES = 120 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 500
CHUNK = 1 << 16


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    """Data rows; a sheet may hold FRAME_ROWS more for its title, header and notes."""
    max_columns: int = 60
    memory_bytes: int = 1024 * 1024 * 1024
    seconds: int = 120

    @property
    def max_sheet_rows(self) -> int:
        return self.max_rows + FRAME_ROWS


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, tuple]]
    """(Excel row number, cell values) for every row that has at least one value."""


def read_sheets(content: bytes, *, limits: Limits) -> list[Sheet]:
    """Every sheet of an .xlsx workbook, or the one table of a CSV file."""
    if not content:
        raise UnreadableFile("檔案是空的")
    if len(content) > limits.max_bytes:
        raise UnreadableFile(f"檔案太大（{len(content):,} 位元組），上限為 {limits.max_bytes:,} 位元組")
    if content.startswith(b"PK\x03\x04"):
        names = inspect_workbook(content, limits=limits)
        return _read_in_child(content, names, limits)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("這是舊版 Excel 97-2003 (.xls) 檔案，請在 Excel 另存為 .xlsx 後再上傳")
    return [read_csv(content, limits=limits)]


# --- Bytes that are no table ---------------------------------------------------------------

_MAGIC = (
    (b"%PDF", " PDF 檔"),
    (b"\x89PNG", " PNG 圖片"),
    (b"\xff\xd8\xff", " JPEG 圖片"),
    (b"GIF8", " GIF 圖片"),
    (b"Rar!", " RAR 壓縮檔"),
    (b"7z\xbc\xaf", " 7-Zip 壓縮檔"),
    (b"\x1f\x8b", " gzip 壓縮檔"),
    (b"{\\rtf", " RTF 文件"),
    (b"<?xml", " XML 文件"),
    (b"<!DOCTYPE", "網頁"),
    (b"<html", "網頁"),
)
# Control characters no CSV typed by a person holds (tab, CR and LF are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode(content: bytes) -> str:
    head = content[:16].lstrip()
    for magic, what in _MAGIC:
        if head[: len(magic)].lower() == magic.lower():
            raise UnreadableFile(f"{NOT_A_SPREADSHEET}（看起來是{what}）")
    for encoding in ("utf-8-sig", "cp950"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break
        return text
    raise UnreadableFile(f"{NOT_A_SPREADSHEET}（CSV 檔須為 UTF-8 或 Big5 編碼的文字）")


def read_csv(content: bytes, *, limits: Limits) -> Sheet:
    text = _decode(content)
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > limits.max_sheet_rows:
                raise UnreadableFile(
                    f"CSV 檔超過 {limits.max_sheet_rows:,} 列（資料上限 {limits.max_rows:,} 列），請分檔上傳"
                )
            if len(values) > limits.max_columns:
                raise UnreadableFile(f"CSV 檔第 {number} 列有 {len(values):,} 欄，超過 {limits.max_columns} 欄的上限")
            if any(value.strip() for value in values):
                rows.append((number, tuple(values)))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV 檔格式錯誤：{exc}") from None
    return Sheet("CSV", rows)


# --- The workbook as a zip, before anything parses it --------------------------------------

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]*)([0-9]*)(?::([A-Z]*)([0-9]*))?"')
_CELL = re.compile(rb'<c\s[^>]*?r="([A-Z]+([0-9]+))"')
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def numerals_greater_than(limit: int, alphabet: str) -> str:
    """A regex for the numerals (in base `alphabet`, no leading zero) greater than `limit`.

    Built so that scanning a worksheet's XML finds only the references beyond the limits:
    a normal file has none, so the scan creates no match object for its million cells."""
    base = len(alphabet)
    digits = []
    value = limit
    while value:
        value, digit = divmod(value, base) if alphabet.isdigit() else divmod(value - 1, base)
        digits.append(digit)
    digits.reverse()
    first = alphabet[1] if alphabet.isdigit() else alphabet[0]
    any_char = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = [f"[{first}-{alphabet[-1]}]{any_char}{{{len(digits)},}}"]  # more places than the limit
    for place, digit in enumerate(digits):
        if digit + 1 < base:
            rest = len(digits) - place - 1
            prefix = "".join(alphabet[d] for d in digits[:place])
            options.append(f"{prefix}[{alphabet[digit + 1]}-{alphabet[-1]}]{any_char}{{{rest}}}")
    return "(?:" + "|".join(options) + ")"


def _beyond(limits: Limits) -> re.Pattern:
    """A cell or row reference (`r="XFD199000"`) past the sheet's rows or columns. Any
    attribute ending in r counts: whitespace before `r=` can be a tab or a newline, and a
    false alarm on another attribute only refuses a file that is far out anyway."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    far_row = numerals_greater_than(limits.max_sheet_rows, "0123456789")
    far_column = numerals_greater_than(limits.max_columns, letters)
    return re.compile(rf'r="(?:(?P<column>{far_column})[0-9]*|[A-Z]*(?P<row>{far_row}))"'.encode())


def _open(archive: zipfile.ZipFile, name: str):
    try:
        return archive.open(name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        raise UnreadableFile("活頁簿已損壞或經過加密，無法讀取") from None


def _scan(archive: zipfile.ZipFile, name: str, sheet: str = "", limits: Limits | None = None) -> None:
    """Stream one XML part: refuse a DTD and, in a worksheet, any reference past the limits."""
    beyond = _beyond(limits) if limits is not None else None
    tail = b""
    with _open(archive, name) as stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError):
                raise UnreadableFile("活頁簿已損壞，無法讀取") from None
            if not chunk:
                break
            data = tail + chunk
            if any(marker in data for marker in _DTD):
                raise UnreadableFile("活頁簿含有 DTD 宣告（可能是 XML 攻擊），為安全起見不予處理")
            if beyond is None:
                tail = data[-16:]
                continue
            cut = data.rfind(b">") + 1
            if cut == 0 and len(data) > CHUNK * 4:
                raise UnreadableFile("活頁簿的 XML 結構異常，無法讀取")
            body, tail = data[:cut], data[cut:]
            dimension = _DIMENSION.search(body)
            if dimension:
                for letters, digits in (dimension.group(1, 2), dimension.group(3, 4)):
                    far = beyond.search(b'r="' + letters + digits + b'"') if letters is not None else None
                    if far:
                        cell = (letters + digits).decode()
                        raise UnreadableFile(_too_far(sheet, cell, limits, column=far.group("column") is not None))
            found = beyond.search(body)
            if found:
                cell = found.group(0)[3:-1]
                if cell.isdigit():  # a <row r="199000">: name its first cell when the chunk has it
                    first = _CELL.search(body, found.end())
                    cell = first.group(1) if first and first.group(2) == cell else cell
                raise UnreadableFile(_too_far(sheet, cell.decode(), limits, column=found.group("column") is not None))


def _too_far(sheet: str, cell: str, limits: Limits, *, column: bool) -> str:
    where = f"第 {int(cell):,} 列" if cell.isdigit() else f"儲存格 {cell} "
    limit = f"最多 {limits.max_columns} 欄" if column else f"最多 {limits.max_sheet_rows:,} 列"
    what = "欄" if column else "列"
    return (
        f"工作表「{sheet}」{where}有內容或格式，超出這類檔案的上限（{limit}）；"
        f"若該處並無資料，請在 Excel 刪除多餘的{what}後再上傳"
    )


def _worksheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of every worksheet, in the workbook's order."""

    def parse(name: str):
        try:
            with _open(archive, name) as stream:
                return ElementTree.fromstring(stream.read(4 * 1024 * 1024))
        except KeyError:
            raise UnreadableFile(f"{NOT_A_SPREADSHEET}（缺少 {name}）") from None
        except UnreadableFile:
            raise
        except Exception:
            raise UnreadableFile("活頁簿的 XML 結構異常，無法讀取") from None

    workbook = parse("xl/workbook.xml")
    targets = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        for rel in parse("xl/_rels/workbook.xml.rels").iter(f"{_RELS_NS}Relationship"):
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
            targets[rel.get("Id")] = member
    sheets = []
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        member = targets.get(sheet.get(_DOC_REL))
        if member and member.startswith("xl/worksheets/"):
            sheets.append((sheet.get("name", ""), member))
    return sheets


def inspect_workbook(content: bytes, *, limits: Limits) -> list[str]:
    """Refuse what calamine must not be given; the names of the sheets it may read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(f"{NOT_A_SPREADSHEET}（壓縮結構已損壞）") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UnreadableFile("活頁簿內含的項目過多，為安全起見不予處理")
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names:
            raise UnreadableFile(f"{NOT_A_SPREADSHEET}（這是壓縮檔或其他 Office 文件，不是 .xlsx 活頁簿）")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
                raise UnreadableFile("活頁簿的壓縮比例異常（可能是壓縮炸彈），為安全起見不予處理")
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFile("活頁簿解壓縮後過大，為安全起見不予處理")
        for member in members:
            if member.filename.endswith((".xml", ".rels")) and not member.filename.startswith("xl/worksheets/"):
                _scan(archive, member.filename)
        sheets = _worksheets(archive)
        if not sheets:
            raise UnreadableFile("活頁簿中沒有任何工作表")
        for name, member in sheets:
            if member not in names:
                raise UnreadableFile(f"活頁簿已損壞：找不到工作表「{name}」的內容")
            _scan(archive, member, name, limits)
        return [name for name, _ in sheets]


# --- calamine, in a child process ----------------------------------------------------------

# Runs in `python -I -c`: no project code, no Django, only calamine under the ceiling.
_CHILD = r"""
import io, pickle, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
names, content = pickle.loads(sys.stdin.buffer.read())
workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
sheets = []
for name in names:
    grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    rows = []
    for number, values in enumerate(grid, start=1):
        if any(value is not None and value != "" for value in values):
            rows.append((number, tuple(values)))
    sheets.append((name, rows))
sys.stdout.buffer.write(pickle.dumps(sheets, protocol=pickle.HIGHEST_PROTOCOL))
"""


def _read_in_child(content: bytes, names: list[str], limits: Limits) -> list[Sheet]:
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and code, no shell
            [sys.executable, "-I", "-c", _CHILD, str(limits.memory_bytes)],
            input=pickle.dumps((names, content)),
            capture_output=True,
            timeout=limits.seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableFile(f"讀取活頁簿超過 {limits.seconds} 秒仍未完成，為安全起見已停止") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace")
        if done.returncode < 0 or "MemoryError" in error or "memory allocation" in error:
            raise UnreadableFile("活頁簿的結構異常或內容過大，無法在安全的記憶體範圍內讀取")
        last = error.strip().splitlines()[-1] if error.strip() else ""
        detail = last.split(":", 1)[0].rsplit(".", 1)[-1][:60] or f"代碼 {done.returncode}"
        raise UnreadableFile(f"活頁簿已損壞或格式不符，無法讀取（{detail}）")
    # The child is our own code reading our own bytes: its pickle is trusted.
    return [Sheet(name, rows) for name, rows in pickle.loads(done.stdout)]  # noqa: S301
